"""Verifiable mode's actions: set-up (Single and threshold keys, both credential modes), cast
(ok, bad proof, unknown credential, closed, re-vote), close, decryption (ok, bad proof),
result (approval counts, majority-judgment histograms ranked by pnyx.tally)."""

import json

import pytest
import verifiable_helpers as vh
from django.core import mail

from pnyx.crypto import ballots, credentials, groups, tally
from pnyx.journal.models import JournalEntry as Entry
from pnyx.votes import actions
from pnyx.votes.actions import AlreadyVoted, VoteClosed, VoteError
from pnyx.votes.models import EncryptedBallot, Participation, Status, Vote


@pytest.fixture
def members(make_member):
    return [make_member() for _ in range(5)]


def _decrypt_all(s, vote, k=None):
    for t in list(vote.trustees.order_by("position"))[: k or vote.trustees.count()]:
        actions.upload_decryption(t, s.decrypt(t))
    return Vote.objects.select_related("election").get(pk=vote.pk)


def test_defaults_verifiable_for_approval_and_mj_published_for_ranked(convention, organizer):
    for method, mode in [
        ("approval", "verifiable"),
        ("mj", "verifiable"),
        ("schulze", "published"),
    ]:
        extra = {"max_choices": 1} if method == "approval" else {}
        if method == "mj":
            extra["grades"] = vh.GRADES
        v = actions.create_vote(convention, organizer, question=method, method=method, **extra)
        assert v.mode == mode
    with pytest.raises(VoteError):
        actions.create_vote(convention, organizer, question="x", method="irv", mode="verifiable")


@pytest.mark.parametrize("threshold", [None, 2])
def test_approval_end_to_end(convention, organizer, members, threshold, tmp_path):
    s = vh.setup(convention, organizer, members, threshold=threshold)
    choices = [["P01"], ["P01", "P02"], ["P03"], ["P01", "P04"], ["P02", "P01"]]
    receipts = [
        actions.cast_encrypted(s.vote, m, s.ballot(m, c))
        for m, c in zip(members, choices, strict=True)
    ]
    assert sorted(receipts) == sorted(EncryptedBallot.objects.values_list("hash", flat=True))
    vote = vh.close(s.vote, organizer)
    assert vote.status == Status.CLOSED and vote.election.tally_state == "decrypting"
    assert vote.election.num_tallied == 5
    vote = _decrypt_all(s, vote, threshold)
    assert vote.election.tally_state == "done"
    assert vote.result["scores"] == {"P01": 4, "P02": 2, "P03": 1, "P04": 1}
    assert vote.result["ballots"] == 5 and vote.result["winners"] == ["P01", "P02"]
    assert vote.election.record_sha256 and bytes(vote.election.record)[:8] == b"BELENIOS"
    names = list(Entry.objects.filter(object_id=str(vote.pk)).values_list("action", flat=True))
    for name in ("vote.election_made", "vote.credentials_set", "vote.closed", "vote.tallied",
                 "vote.decryption_received", "vote.published"):  # fmt: skip
        assert name in names
    for r in receipts:
        assert actions.find_ballot(vote, r) == "counted"
    # The record verifies offline (pnyx verify-election), result included.
    from pnyx.crypto import verify

    path = tmp_path / "vote.bel"
    path.write_bytes(bytes(vote.election.record))
    report = verify.verify_election(path, processes=1)
    assert report.ok, report.errors


def test_majority_judgment_histograms_ranked_by_tally(convention, organizer, members):
    s = vh.setup(convention, organizer, members, method="mj", n_options=3, max_choices=None)
    g = vh.GRADES
    grid = [
        {"P01": g[0], "P02": g[2], "P03": g[4]},
        {"P01": g[1], "P02": g[2], "P03": g[3]},
        {"P01": g[1], "P02": g[1], "P03": g[4]},
    ]
    for m, content in zip(members[:3], grid, strict=True):
        actions.cast_encrypted(s.vote, m, s.ballot(m, content))
    vote = _decrypt_all(s, vh.close(s.vote, organizer))
    # The same counting as a published file with these ballots would give.
    published = actions.result_from_counts(
        vote, [[1, 2, 0, 0, 0], [0, 1, 2, 0, 0], [0, 0, 0, 1, 2]], 3
    )
    assert vote.result == published
    assert vote.result["ranking"] == ["P01", "P02", "P03"]
    assert vote.result["scores"]["P01"]["grades"] == dict(zip(g, [1, 2, 0, 0, 0], strict=True))


def test_bad_proof_unknown_credential_and_closed_are_refused(convention, organizer, members):
    s = vh.setup(convention, organizer, members)
    m = members[0]
    good = s.ballot(m, ["P01"])
    d = json.loads(good)
    d["answers"][0]["choices"][0]["alpha"], d["answers"][0]["choices"][1]["alpha"] = (
        d["answers"][0]["choices"][1]["alpha"],
        d["answers"][0]["choices"][0]["alpha"],
    )
    with pytest.raises(actions.InvalidBallot):
        actions.cast_encrypted(s.vote, m, json.dumps(d, separators=(",", ":")))
    uuid = Vote.objects.get(pk=s.vote.pk).election.uuid
    stranger = credentials.generate(uuid, s.vote.group, 1)[0][0]
    el = s.election()
    with pytest.raises(actions.InvalidBallot):
        actions.cast_encrypted(s.vote, m, ballots.encrypt(el, [[1, 0, 0, 0]], stranger))
    with pytest.raises(actions.InvalidBallot):
        actions.cast_encrypted(s.vote, m, "x" * (actions.MAX_BALLOT_BYTES + 1))
    assert not EncryptedBallot.objects.exists() and not Participation.objects.exists()
    actions.cast_encrypted(s.vote, m, good)
    with pytest.raises(AlreadyVoted):
        actions.cast_encrypted(s.vote, m, s.ballot(m, ["P02"]))
    # Another member cannot use a credential already bound to someone.
    s.creds[members[1].pk] = s.creds[m.pk]
    with pytest.raises(VoteError):
        actions.cast_encrypted(s.vote, members[1], s.ballot(members[1], ["P02"]))
    vh.close(s.vote, organizer)
    with pytest.raises(VoteClosed):
        actions.cast_encrypted(s.vote, members[2], s.ballot(members[2], ["P01"]))
    assert EncryptedBallot.objects.count() == 1


def test_revote_last_ballot_counts(convention, organizer, members):
    s = vh.setup(convention, organizer, members, revote=True)
    m = members[0]
    first = actions.cast_encrypted(s.vote, m, s.ballot(m, ["P01"]))
    last = actions.cast_encrypted(s.vote, m, s.ballot(m, ["P03", "P04"]))
    vote = _decrypt_all(s, vh.close(s.vote, organizer))
    assert vote.result["scores"] == {"P01": 0, "P02": 0, "P03": 1, "P04": 1}
    assert actions.find_ballot(vote, first) == "superseded"
    assert actions.find_ballot(vote, last) == "counted"


def test_bad_partial_decryption_refused(convention, organizer, members):
    s = vh.setup(convention, organizer, members)
    actions.cast_encrypted(s.vote, members[0], s.ballot(members[0], ["P01"]))
    vote = vh.close(s.vote, organizer)
    t1, t2 = list(vote.trustees.order_by("position"))[:2]
    with pytest.raises(VoteError):  # t2's factors uploaded on t1's page: wrong key
        actions.upload_decryption(t1, s.decrypt(t2))
    with pytest.raises(VoteError):
        actions.upload_decryption(t1, "{}")
    t1.refresh_from_db()
    assert t1.state == "done" and not t1.partial_decryption


def test_setup_guards(convention, organizer, members):
    vote = actions.create_vote(
        convention, organizer, question="Q", method="approval", max_choices=1
    )
    for i in range(2):
        actions.add_option(vote, organizer, title=f"O{i}")
    with pytest.raises(VoteError):  # no trustee
        actions.freeze_election(vote, organizer)
    t = actions.add_trustee(vote, organizer, name="Ada")
    with pytest.raises(VoteError):  # not a key
        actions.trustee_upload_key(t, '{"pok":{"challenge":"1","response":"2"},"public_key":"3"}')
    with pytest.raises(VoteError):  # cannot open without an election
        actions.open_vote(vote, organizer)
    vh.make_trustees(vote, organizer, 0)  # nothing
    from pnyx.crypto import trustees

    actions.trustee_upload_key(t, trustees.generate_single(groups.get(vote.group))[1])
    actions.freeze_election(vote, organizer)
    with pytest.raises(VoteError):  # credentials first
        actions.open_vote(vote, organizer)
    with pytest.raises(VoteError):  # options are frozen with the election
        actions.add_option(vote, organizer, title="late")


def test_credentials_upload_is_checked_whole(convention, organizer, members):
    s = vh.setup(convention, organizer, members, open_=False)
    vote = Vote.objects.select_related("election").get(pk=s.vote.pk)
    before = vote.election.public_credentials
    n = actions.electorate(vote).count()
    pub = [p for _, p in credentials.generate(vote.election.uuid, vote.group, n)]
    for bad in (json.dumps(pub[:-1]), json.dumps(pub[:-1] + ["zz"]), "not json",
                json.dumps(pub[:-1] + [pub[0]])):  # fmt: skip
        with pytest.raises(VoteError):
            actions.upload_public_credentials(vote, organizer, bad)
    vote.election.refresh_from_db()
    assert vote.election.public_credentials == before


def test_server_credentials_mailed_with_fragment_never_stored(convention, organizer, members):
    vote = actions.create_vote(
        convention, organizer, question="Q", method="approval", max_choices=1,
        credential_mode="server",
    )  # fmt: skip
    for i in range(3):
        actions.add_option(vote, organizer, title=f"O{i}")
    secrets = vh.make_trustees(vote, organizer, 2)
    actions.freeze_election(vote, organizer)
    n = actions.generate_server_credentials(vote, organizer)
    assert n == actions.electorate(vote).count() == len(mail.outbox)
    msg = mail.outbox[0]
    link = next(w for w in msg.body.split() if "#credential=" in w)
    assert "?" not in link
    priv = link.split("#credential=")[1]
    assert credentials.check(priv)
    vote = Vote.objects.select_related("election").get(pk=vote.pk)
    assert priv not in vote.election.public_credentials
    assert all(priv not in json.dumps(p) for p in Entry.objects.values_list("payload", flat=True))
    # The mailed credential works.
    vote = actions.open_vote(vote, organizer)
    member = next(m for m in members if m.email == msg.to[0])
    el = actions.election_of(vote)[0]
    r = actions.cast_encrypted(vote, member, ballots.encrypt(el, [[1, 0, 0]], priv))
    assert r == ballots.hash(EncryptedBallot.objects.get().text)
    assert secrets and tally  # trustees' secrets never reach the server
