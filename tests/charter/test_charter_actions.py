"""Amendments, moderation, the hall's votes and the adopted text, through the actions."""

import datetime as dt

import pytest

from pnyx.charter import actions
from pnyx.charter.actions import CharterError, NotAllowed
from pnyx.charter.models import Amendment, Charter
from pnyx.journal.models import JournalEntry


def art(charter, number):
    return charter.articles.get(number=number)


def propose(charter, member, number, kind="replace", text="Nouveau texte.", why="Parce que."):
    return actions.submit_amendment(
        charter, art(charter, number), actor=member, kind=kind, text=text, justification=why
    )


def events(obj=None):
    qs = JournalEntry.objects.filter(action__startswith="charter.")
    return list(qs.values_list("action", flat=True))


def test_members_propose_only_during_the_window(charter, make_member, clock):
    member = make_member()
    a = propose(charter, member, 1)
    assert a.state == Amendment.State.SUBMITTED and a.member == member
    with pytest.raises(CharterError, match="Write the new wording"):
        propose(charter, member, 1, text="  ")
    with pytest.raises(CharterError, match="at most 2000"):
        propose(charter, member, 1, text="x" * 2001)
    with pytest.raises(CharterError, match="justification"):
        propose(charter, member, 1, why="")
    clock.move_to(charter.amendments_close_at)
    with pytest.raises(CharterError, match="not open now"):
        propose(charter, member, 2)
    clock.move_to(charter.amendments_open_at - dt.timedelta(seconds=1))
    with pytest.raises(CharterError, match="not open now"):
        propose(charter, member, 2)
    inactive = make_member(active=False)
    clock.move_to(charter.amendments_open_at)
    with pytest.raises(NotAllowed):
        propose(charter, inactive, 2)
    assert charter.amendments.count() == 1
    assert events().count("charter.amendment_submitted") == 1


def test_only_organizers_moderate_and_run_the_votes(charter, make_member, django_user_model):
    a = propose(charter, make_member(), 1)
    staff = django_user_model.objects.create_user("staff", is_staff=True)  # no permission
    for call in (
        lambda: actions.accept(a, actor=staff),
        lambda: actions.reject(a, actor=staff, reason="non"),
        lambda: actions.merge(a, [a], actor=staff),
        lambda: actions.start_votes(charter, actor=staff),
        lambda: actions.open_next_vote(charter, actor=staff),
        lambda: actions.submit_table_amendment(
            charter,
            art(charter, 1),
            actor=staff,
            table_number=3,
            kind="delete",
            justification="x",
        ),
    ):
        with pytest.raises(NotAllowed):
            call()
    assert Amendment.objects.get().state == Amendment.State.SUBMITTED


def test_moderation_merge_and_reject(charter, organizer, make_member):
    alice, bob, carol = make_member(), make_member(), make_member()
    a = propose(charter, alice, 2, text="Chaque groupe est ouvert à tous les membres.")
    b = propose(charter, bob, 2, text="Chaque groupe est ouvert.")
    c = actions.submit_table_amendment(
        charter,
        art(charter, 2),
        actor=organizer,
        table_number=12,
        kind="replace",
        text="Ouvert à tous.",
        justification="La table 12 le demande.",
    )
    d = propose(charter, carol, 3, kind="delete")
    with pytest.raises(CharterError, match="Say why"):
        actions.reject(d, actor=organizer, reason=" ")
    actions.reject(d, actor=organizer, reason="Contraire aux statuts.")
    retained = actions.merge(a, [b, c], actor=organizer)
    assert retained.state == Amendment.State.ACCEPTED
    merged = Amendment.objects.filter(merged_into=a)
    assert {m.pk for m in merged} == {b.pk, c.pk}
    # Who proposed each is kept.
    assert {m.proposer() for m in merged} == {bob.full_name, "Table 12"}
    # A second organizer merging the same amendment, from a stale page, is refused.
    with pytest.raises(CharterError, match="already merged into A"):
        actions.merge(c, [b], actor=organizer)
    with pytest.raises(CharterError, match="already been decided"):
        actions.accept(d, actor=organizer)
    with pytest.raises(CharterError, match="do not amend the same article"):
        other = propose(charter, carol, 1)
        actions.merge(a, [other], actor=organizer)
    assert Amendment.objects.get(pk=d.pk).reason == "Contraire aux statuts."
    assert events().count("charter.amendments_merged") == 1
    assert events().count("charter.amendment_rejected") == 1


def test_votes_start_only_when_everything_is_moderated_and_the_window_closed(
    charter, organizer, make_member, clock
):
    a = propose(charter, make_member(), 1)
    with pytest.raises(CharterError, match="still open"):
        actions.start_votes(charter, actor=organizer)
    clock.move_to(charter.amendments_close_at)
    with pytest.raises(CharterError, match="1 amendments are waiting"):
        actions.start_votes(charter, actor=organizer)
    actions.accept(a, actor=organizer)
    charter = actions.start_votes(charter, actor=organizer)
    assert charter.status == Charter.Status.VOTING
    # Moderation after the start (a stale page): refused, nothing changes.
    with pytest.raises(CharterError, match="votes have begun"):
        actions.reject(a, actor=organizer, reason="trop tard")
    with pytest.raises(CharterError, match="votes have begun"):
        actions.submit_table_amendment(
            charter,
            art(charter, 1),
            actor=organizer,
            table_number=1,
            kind="delete",
            justification="x",
        )


def test_the_hall_adopts_amendment_by_amendment_then_the_text(
    charter, organizer, make_member, clock, run_votes, django_capture_on_commit_callbacks
):
    m = make_member()
    first = propose(charter, m, 1, text="Les groupes d'action agissent là où vivent leurs membres.")
    second = propose(charter, m, 1, text="Les groupes d'action agissent partout.")
    added = propose(charter, m, 2, kind="add_after", text="Un groupe compte au moins 3 membres.")
    deletion = propose(charter, m, 4, kind="delete")
    orphan = propose(charter, m, 4, text="Les décisions sont prises à la majorité.")
    for a in (first, second, added, deletion, orphan):
        actions.accept(a, actor=organizer)
    clock.move_to(charter.amendments_close_at)
    charter = actions.start_votes(charter, actor=organizer)
    # Voting order: by article, then by arrival.
    assert [a.pk for a in actions.voting_order(charter)] == [
        first.pk,
        second.pk,
        added.pk,
        deletion.pk,
        orphan.pk,
    ]
    vote = actions.open_next_vote(charter, actor=organizer, minutes=3)
    assert vote.in_hall and vote.method == "approval" and vote.max_choices == 1
    assert list(vote.options.values_list("code", flat=True)) == ["POUR", "CONTRE", "ABSTENTION"]
    with pytest.raises(CharterError, match="still open"):
        actions.open_next_vote(charter, actor=organizer)
    # Nobody votes on the first: 0 yes is not more than 0 no, it is rejected.
    charter = actions.close_current_vote(charter, actor=organizer)
    first.refresh_from_db()
    assert first.state == Amendment.State.DEFEATED and first.counts["yes"] == 0
    # second (4-1), added (2-2: a tie rejects), deletion (3-2), then orphan lapses, text 5-1.
    with django_capture_on_commit_callbacks(execute=True):  # the PDF's task, immediate here
        charter = run_votes(charter, [(4, 1, 1), (2, 2, 1), (3, 2, 0), (5, 1, 0)])
    states = {a.pk: (a.state, a.counts) for a in Amendment.objects.all()}
    assert states[second.pk] == ("adopted", {"yes": 4, "no": 1, "abstain": 1, "ballots": 6})
    assert states[added.pk][0] == "defeated" and states[deletion.pk][0] == "adopted"
    assert states[orphan.pk] == ("lapsed", None)
    lapsed = Amendment.objects.get(pk=orphan.pk)
    assert lapsed.deleted_by == deletion
    assert Amendment.objects.get(pk=orphan.pk).vote is None
    charter.refresh_from_db()
    assert charter.status == Charter.Status.ADOPTED
    assert charter.result["counts"] == {"yes": 5, "no": 1, "abstain": 0, "ballots": 6}
    texts = [a["text"] for a in charter.result["articles"]]
    assert texts == [
        "Les groupes d'action agissent partout.",
        "Chaque groupe est ouvert à toutes et à tous.",
        "Un groupe se réunit au moins une fois par mois.",
    ]
    assert charter.result["articles"][0]["amended_by"] == [second.pk]
    assert [(h["amendment"], h["applied"]) for h in charter.result["history"]] == [
        (second.pk, True),
        (deletion.pk, True),
    ]
    # Counts come from the votes app's stored result (the published file read by pnyx.tally).
    v = Amendment.objects.get(pk=second.pk).vote
    assert v.status == "closed" and v.result["scores"]["POUR"] == 4
    # The printable version was generated by the task (immediate in tests).
    assert charter.pdf_status == "done" and charter.pdf_file.read(4) == b"%PDF"
    log = events()
    assert log.count("charter.amendment_voted") == 4
    assert log.count("charter.amendment_lapsed") == 1
    assert log.count("charter.decided") == 1
    with pytest.raises(CharterError, match="not under way"):
        actions.open_next_vote(charter, actor=organizer)


def test_a_text_with_more_no_than_yes_is_not_adopted(charter, organizer, clock, run_votes):
    clock.move_to(charter.amendments_close_at)
    charter = actions.start_votes(charter, actor=organizer)
    charter = run_votes(charter, [(1, 3, 2)])
    charter.refresh_from_db()
    assert charter.status == Charter.Status.REJECTED
    assert [a["text"] for a in charter.result["articles"]] == list(
        charter.articles.values_list("text", flat=True)
    )


def test_a_vote_closed_elsewhere_is_read_once(charter, organizer, hall, clock):
    from pnyx.votes import actions as votes

    clock.move_to(charter.amendments_close_at)
    charter = actions.start_votes(charter, actor=organizer)
    vote = actions.open_next_vote(charter, actor=organizer, minutes=2)
    votes.cast(vote, hall[0], ["POUR"])
    clock.shift(dt.timedelta(minutes=3))
    assert votes.close_due_votes() == [vote]  # `pnyx close-votes`, not the charter's page
    actions.settle(charter, actor=organizer)
    actions.settle(charter, actor=organizer)
    charter.refresh_from_db()
    assert charter.status == Charter.Status.ADOPTED
    assert events().count("charter.decided") == 1
