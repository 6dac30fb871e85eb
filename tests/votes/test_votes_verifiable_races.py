"""Verifiable casts racing each other and the close (PostgreSQL: threads released together,
each on its own connection, as tests/votes/test_votes_races.py).

- 50 concurrent casts by one member: exactly one ballot counted (without re-voting, one
  accepted; with re-voting, every one acknowledged and the last one counted);
- casts released with the close: every acknowledged ballot (hash returned) is counted, no
  ballot without a receipt is on the board.
"""

from __future__ import annotations

import pytest
import verifiable_helpers as vh
from django.db import connection
from votes_racing import run_together

from pnyx.votes import actions
from pnyx.votes.models import EncryptedBallot, Participation, Vote

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL)")


def _cast(vote_pk, member, text):
    def job(barrier):
        vote = Vote.objects.select_related("election").get(pk=vote_pk)
        actions.election_of(vote)  # parsed before the barrier, like a warm server
        barrier.wait()
        return actions.cast_encrypted(vote, member, text)

    return job


@pytest.mark.parametrize("revote", [False, True])
def test_fifty_concurrent_casts_by_one_member(convention, organizer, make_member, revote):
    members = [make_member() for _ in range(3)]
    s = vh.setup(convention, organizer, members, revote=revote)
    m = members[0]
    texts = [s.ballot(m, [["P01"], ["P02"], ["P03"]][i % 3]) for i in range(50)]
    outcomes = run_together([_cast(s.vote.pk, m, t) for t in texts])
    ok = [o for o in outcomes if isinstance(o, str)]
    errors = [o for o in outcomes if not isinstance(o, str)]
    assert all(isinstance(e, actions.VoteError) for e in errors), errors
    assert Participation.objects.filter(vote=s.vote).count() == 1
    if revote:
        assert len(ok) == 50
    else:
        assert len(ok) == 1 and all(isinstance(e, actions.AlreadyVoted) for e in errors)
    assert sorted(ok) == sorted(EncryptedBallot.objects.values_list("hash", flat=True))
    vote = vh.close(s.vote, organizer)
    counted = list(EncryptedBallot.objects.filter(vote=vote, counted=True))
    assert len(counted) == 1 and vote.election.num_tallied == 1
    last = EncryptedBallot.objects.filter(vote=vote).order_by("-seq").first()
    assert counted[0].seq == last.seq


def test_casts_racing_the_close_never_lose_an_acknowledged_ballot(
    convention, organizer, make_member
):
    for _round in range(4):
        members = [make_member() for _ in range(16)]
        s = vh.setup(convention, organizer, members, question=f"Course {_round}")
        texts = [s.ballot(m, ["P01"]) for m in members]

        def close(barrier, pk=s.vote.pk):
            vote = Vote.objects.get(pk=pk)
            barrier.wait()
            return actions.close_vote(vote, "orga").status

        jobs = [_cast(s.vote.pk, m, t) for m, t in zip(members, texts, strict=True)]
        outcomes = run_together([*jobs, close])
        assert outcomes[-1] == "closed", outcomes[-1]
        acked = {o for o in outcomes[:-1] if isinstance(o, str)}
        refused = [o for o in outcomes[:-1] if not isinstance(o, str)]
        assert all(isinstance(e, actions.VoteClosed) for e in refused), refused
        counted = set(
            EncryptedBallot.objects.filter(vote=s.vote, counted=True).values_list("hash", flat=True)
        )
        board = set(EncryptedBallot.objects.filter(vote=s.vote).values_list("hash", flat=True))
        assert acked == counted == board
        assert Participation.objects.filter(vote=s.vote).count() == len(acked)
        assert Vote.objects.get(pk=s.vote.pk).election.num_tallied == len(acked)
