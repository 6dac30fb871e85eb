"""Casting rules, electorate, closing, publication and recount by `pnyx tally`."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from pnyx.journal.models import JournalEntry
from pnyx.tally import cli as tally_cli
from pnyx.votes import actions
from pnyx.votes.actions import AlreadyVoted, VoteClosed, VoteError
from pnyx.votes.models import Ballot, Participation, Publication, Status


def codes(vote):
    return list(vote.options.values_list("code", flat=True))


# --- rules per method ------------------------------------------------------------------------


def test_approval_up_to_k(make_vote, members):
    vote = make_vote("approval", n_options=5, max_choices=3)
    c = codes(vote)
    assert actions.cast(vote, members[0], [c[0], c[2]])
    assert actions.cast(vote, members[1], c[:3])
    with pytest.raises(VoteError, match="at most 3"):
        actions.cast(vote, members[2], c[:4])
    with pytest.raises(VoteError, match="at least one"):
        actions.cast(vote, members[2], [])
    with pytest.raises(VoteError, match="unknown"):
        actions.cast(vote, members[2], ["P99"])
    with pytest.raises(VoteError, match="unknown"):
        actions.cast(vote, members[2], [c[0], c[0]])
    # A refused ballot writes nothing.
    assert (
        Participation.objects.filter(vote=vote).count()
        == Ballot.objects.filter(vote=vote).count()
        == 2
    )


def test_approval_exactly_k(make_vote, members):
    vote = make_vote("approval", max_choices=2, exactly=True)
    c = codes(vote)
    with pytest.raises(VoteError, match="exactly 2"):
        actions.cast(vote, members[0], c[:1])
    actions.cast(vote, members[0], c[:2])


def test_majority_judgment_needs_a_grade_per_option(make_vote, members):
    vote = make_vote("mj", n_options=3)
    c = codes(vote)
    with pytest.raises(VoteError, match="every option"):
        actions.cast(vote, members[0], {c[0]: "Bien", c[1]: "Bien"})
    with pytest.raises(VoteError, match="every option"):
        actions.cast(vote, members[0], {c[0]: "Bien", c[1]: "Bien", c[2]: "Génial"})
    actions.cast(vote, members[0], {c[0]: "Bien", c[1]: "Très bien", c[2]: "À rejeter"})
    assert Ballot.objects.get(vote=vote).content == {
        c[0]: "Bien",
        c[1]: "Très bien",
        c[2]: "À rejeter",
    }


@pytest.mark.parametrize("method", ["schulze", "ranked-pairs"])
def test_condorcet_ballots_allow_ties_and_unranked(make_vote, members, method):
    vote = make_vote(method, n_options=4)
    c = codes(vote)
    actions.cast(vote, members[0], {c[0]: "2", c[1]: "1", c[2]: "2", c[3]: ""})
    assert Ballot.objects.get(vote=vote).content == [[c[1]], [c[0], c[2]]]
    for bad in ({c[0]: "x"}, {c[0]: "0"}, {c[0]: "9"}, {}, {"P99": "1"}):
        with pytest.raises(VoteError):
            actions.cast(vote, members[1], bad)


@pytest.mark.parametrize("method", ["irv", "stv"])
def test_runoff_ballots_refuse_ties(make_vote, members, method):
    vote = make_vote(method, n_options=4)
    c = codes(vote)
    with pytest.raises(VoteError, match="share a rank"):
        actions.cast(vote, members[0], {c[0]: "1", c[1]: "1"})
    actions.cast(vote, members[0], {c[0]: "2", c[1]: "1", c[3]: ""})
    assert Ballot.objects.get(vote=vote).content == [[c[1]], [c[0]]]


# --- one member, one ballot; electorate; times ------------------------------------------------


def test_double_vote_refused_by_the_database(make_vote, members):
    vote = make_vote()
    c = codes(vote)
    actions.cast(vote, members[0], c[:1])
    with pytest.raises(AlreadyVoted):
        actions.cast(vote, members[0], c[1:2])
    assert Participation.objects.filter(vote=vote).count() == 1
    assert Ballot.objects.filter(vote=vote).count() == 1


def test_electorate_joined_before(make_vote, make_member):
    vote = make_vote(joined_before=dt.date(2020, 1, 1))
    old = make_member(joined_on="2019-12-31")
    new = make_member(joined_on="2020-01-01")
    gone = make_member(joined_on="2010-01-01", active=False)
    assert set(actions.electorate(vote)) >= {old}
    assert new not in actions.electorate(vote) and gone not in actions.electorate(vote)
    actions.cast(vote, old, codes(vote)[:1])
    for m in (new, gone):
        with pytest.raises(VoteError, match="electorate"):
            actions.cast(vote, m, codes(vote)[:1])


def test_in_hall_electorate_is_participants_present(make_vote, make_member, convention):
    from pnyx.programme.actions import check_in
    from pnyx.programme.models import Participant

    vote = make_vote(electorate="present", in_hall=True, open_=False)
    vote = actions.open_vote(vote, "orga", minutes=5)
    assert vote.closes_at - vote.opens_at == dt.timedelta(minutes=5)
    here, away, outsider = make_member(), make_member(), make_member()
    p = Participant.objects.create(convention=convention, member=here, source="drawn")
    Participant.objects.create(convention=convention, member=away, source="drawn")
    with pytest.raises(VoteError, match="electorate"):
        actions.cast(vote, here, codes(vote)[:1])
    check_in(p)
    actions.cast(vote, here, codes(vote)[:1])
    for m in (away, outsider):
        with pytest.raises(VoteError, match="electorate"):
            actions.cast(vote, m, codes(vote)[:1])
    assert list(actions.electorate(vote)) == [here]


def test_closed_or_unopened_or_expired_vote_refuses_ballots(make_vote, members):
    draft = make_vote(open_=False)
    with pytest.raises(VoteError, match="not open"):
        actions.cast(draft, members[0], codes(draft)[:1])
    vote = make_vote()
    actions.cast(vote, members[0], codes(vote)[:1])
    actions.close_vote(vote, "orga")
    vote.refresh_from_db()
    with pytest.raises(VoteClosed, match="closed"):
        actions.cast(vote, members[1], codes(vote)[:1])
    expired = make_vote()
    expired.closes_at = timezone.now() - dt.timedelta(seconds=1)
    expired.save()
    with pytest.raises(VoteClosed, match="closed"):
        actions.cast(expired, members[1], codes(expired)[:1])
    later = make_vote(open_=False, opens_at=timezone.now() + dt.timedelta(hours=1))
    later = actions.open_vote(later, "orga")
    with pytest.raises(VoteError, match="not open"):
        actions.cast(later, members[1], codes(later)[:1])


def test_options_frozen_once_open(make_vote):
    vote = make_vote()
    with pytest.raises(VoteError):
        actions.add_option(vote, "orga", title="Late")


def test_proposals_curated_into_options(make_vote, make_member):
    vote = make_vote(n_options=0, open_=False, max_choices=1, seats=1)
    actions.open_proposals(vote, "orga")
    m = make_member()
    p1 = actions.submit_proposal(vote, m, "Logement digne pour tous")
    p2 = actions.submit_proposal(vote, m, "Hors sujet")
    p3 = actions.submit_proposal(vote, m, "Transports gratuits")
    option = actions.accept_proposal(p1, "orga", title="Logement")
    actions.accept_proposal(p3, "orga")
    actions.reject_proposal(p2, "orga")
    assert option.author == m and option.title == "Logement" and option.code == "P01"
    vote = actions.open_vote(vote, "orga")
    with pytest.raises(VoteError):
        actions.submit_proposal(vote, m, "Trop tard")


# --- closing, publication, recount ------------------------------------------------------------


def _vote_and_close(make_vote, members, method, ballots):
    vote = make_vote(method, n_options=4)
    c = codes(vote)
    receipts = [
        actions.cast(vote, m, b(c) if callable(b) else b)
        for m, b in zip(members, ballots, strict=False)
    ]
    actions.close_vote(vote, "orga")
    vote.refresh_from_db()
    return vote, receipts


BALLOTS = {
    "approval": [lambda c: c[:3], lambda c: c[1:3], lambda c: [c[3]], lambda c: c[1:2]],
    "mj": [
        lambda c: dict(zip(c, ["Bien", "Passable", "Très bien", "À rejeter"], strict=True)),
        lambda c: dict(zip(c, ["Très bien", "Passable", "Bien", "Insuffisant"], strict=True)),
        lambda c: dict(zip(c, ["Passable", "Bien", "Bien", "Bien"], strict=True)),
    ],
    "ranked": [
        lambda c: {c[0]: 1, c[1]: 2, c[2]: 3},
        lambda c: {c[1]: 1, c[0]: 2, c[3]: 3},
        lambda c: {c[2]: 1, c[1]: 2},
        lambda c: {c[0]: 1, c[2]: 3, c[1]: 4},
        lambda c: {c[1]: 1},
    ],
}


@pytest.mark.parametrize("method", ["approval", "mj", "schulze", "ranked-pairs", "irv", "stv"])
def test_published_file_recounts_to_the_same_result_with_pnyx_tally(
    make_vote, members, method, tmp_path, capsys
):
    kind = method if method in BALLOTS else "ranked"
    vote, receipts = _vote_and_close(make_vote, members, method, BALLOTS[kind])
    pub = Publication.objects.get(vote=vote)
    assert pub.ballots == len(receipts)
    path = tmp_path / "ballots.csv"
    path.write_text(pub.content, encoding="utf-8")
    capsys.readouterr()
    assert tally_cli.main([str(path), "--method", method, "--json"]) == 0
    recount = json.loads(capsys.readouterr().out)
    assert recount["file"]["sha256"] == pub.sha256
    for key in ("winners", "ranking", "scores", "ballots"):
        assert recount[key] == vote.result[key], key
    assert recount["spoiled"]["count"] == 0
    # The file's SHA-256 is in the journal.
    published = JournalEntry.objects.get(action="vote.published", object_id=str(vote.pk))
    assert published.payload["sha256"] == pub.sha256 == published.inputs_digest
    # Every receipt is found in the published file; a made-up one is not.
    for r in receipts:
        assert actions.find_receipt(vote, r.lower().replace("-", " "))
    assert not actions.find_receipt(vote, "AAAA-BBBB-CCCC")


def test_close_twice_refused_and_close_due_votes(make_vote, members):
    due = make_vote()
    actions.cast(due, members[0], codes(due)[:2])
    due.closes_at = timezone.now() + dt.timedelta(seconds=1)
    due.save()
    later = make_vote(closes_at=timezone.now() + dt.timedelta(hours=1))
    closed = actions.close_due_votes(now=timezone.now() + dt.timedelta(seconds=2))
    assert [v.pk for v in closed] == [due.pk]
    later.refresh_from_db()
    assert later.status == Status.OPEN
    with pytest.raises(VoteError, match="already closed"):
        actions.close_vote(due, "orga")


def test_close_votes_command(make_vote, members):
    from django.core.management import call_command

    vote = make_vote()
    actions.cast(vote, members[0], codes(vote)[:2])
    vote.closes_at = timezone.now() - dt.timedelta(seconds=1)
    vote.save()
    call_command("close_votes")
    vote.refresh_from_db()
    assert vote.status == Status.CLOSED and vote.publication.ballots == 1


def test_announcement_reveals_from_last_to_first(make_vote, members):
    vote, _ = _vote_and_close(make_vote, members, "approval", BALLOTS["approval"])
    ranking = vote.result["ranking"]
    with pytest.raises(VoteError):
        actions.announce_next(vote, "orga")
    actions.announce_start(vote, "orga")
    assert actions.revealed(vote) == {}
    actions.announce_next(vote, "orga")
    vote.refresh_from_db()
    assert actions.revealed(vote) == {4: ranking[3]}
    for _ in range(3):
        actions.announce_next(vote, "orga")
    vote.refresh_from_db()
    assert actions.revealed(vote) == {i + 1: ranking[i] for i in range(4)}
    with pytest.raises(VoteError, match="Every place"):
        actions.announce_next(vote, "orga")
    assert JournalEntry.objects.filter(action="vote.announced").count() == 4
