import pytest
from tests.votes import verifiable_helpers as vh
from pnyx.votes import actions
from pnyx.votes.models import Vote

@pytest.mark.parametrize("threshold", [None, 2])
def test_smoke(convention, organizer, make_member, threshold):
    ms = [make_member() for _ in range(4)]
    s = vh.setup(convention, organizer, ms, threshold=threshold)
    for m, c in zip(ms, [["P01"], ["P01", "P02"], ["P03"], ["P01", "P04"]]):
        actions.cast_encrypted(s.vote, m, s.ballot(m, c))
    vote = vh.close(s.vote, organizer)
    assert vote.election.tally_state == "decrypting"
    for t in list(vote.trustees.all())[: (threshold or 3)]:
        actions.upload_decryption(t, s.decrypt(t))
    vote.refresh_from_db()
    print(vote.result)
    assert vote.result["scores"] == {"P01": 3, "P02": 1, "P03": 1, "P04": 1}
