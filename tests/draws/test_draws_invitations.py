"""Invitations: accept (a Participant), decline and expiry (replacements keeping the quotas)."""

import datetime as dt
import re

import pytest
from django.core.management import call_command
from django.utils import timezone

from pnyx import lottery
from pnyx.draws import actions, engine
from pnyx.draws.models import Invitation
from pnyx.journal.actions import verify
from pnyx.programme.models import Participant


def _token_of(mail) -> str:
    return re.search(r"/tirage/invitation/([\w-]+)/", mail.body).group(1)


def _assert_quotas(draw):
    counts = actions.panel_counts(draw)
    for (feature, value), (lo, hi) in actions.quota_bounds(draw).items():
        assert lo <= counts[feature].get(value, 0) <= hi, (feature, value)
    assert len(actions.current_panel(draw)) == draw.size


def test_invitations_are_emailed_with_a_deadline(invited, mailoutbox):
    assert len(mailoutbox) == 8
    invs = invited.invitations.all()
    assert all(i.status == Invitation.Status.INVITED and i.deadline for i in invs)
    emails = {i.entry.member.email for i in invs}
    assert {m.to[0] for m in mailoutbox} == emails
    mail = mailoutbox[0]
    assert "/tirage/invitation/" in mail.body
    inv = actions.find_invitation(_token_of(mail))
    assert inv is not None and inv.entry.member.email == mail.to[0]
    assert inv.entry.code in mail.body


def test_accept_creates_a_participant(invited):
    inv = invited.invitations.first()
    actions.respond(inv, accept=True)
    inv.refresh_from_db()
    assert inv.status == Invitation.Status.ACCEPTED
    p = Participant.objects.get(member=inv.entry.member, convention=invited.convention)
    assert p.source == Participant.Source.DRAWN
    with pytest.raises(actions.DrawError):
        actions.respond(inv, accept=False)  # answered once


def test_declines_draw_verifiable_replacements_keeping_quotas(
    invited, django_capture_on_commit_callbacks, mailoutbox
):
    first_panel = actions.current_panel(invited)
    declines = []
    for _ in range(3):
        inv = invited.invitations.filter(status=Invitation.Status.INVITED).order_by("pk").last()
        with django_capture_on_commit_callbacks(execute=True):
            actions.respond(inv, accept=False)
        declines.append(inv.entry.code)
        new = inv.replaced_by
        assert new.status == Invitation.Status.INVITED  # invited at once
        assert mailoutbox[-1].to == [new.entry.member.email]
        _assert_quotas(invited)
    rows = actions.replacement_rows(invited)
    assert [r[0] for r in rows] == [1, 2, 3]
    assert [r[1] for r in rows] == declines
    dist = engine.load_distribution(invited)
    replay = lottery.replay_replacements(dist, invited.seed, first_panel, declines)
    assert [(r.number, r.declined, r.replacement) for r in replay] == rows
    assert verify().ok


def test_replacement_of_a_replacement(invited, django_capture_on_commit_callbacks):
    inv = invited.invitations.filter(status=Invitation.Status.INVITED).first()
    actions.respond(inv, accept=False)
    replacement = inv.replaced_by
    actions.respond(replacement, accept=False)
    assert replacement.replaced_by.replacement_number == 2
    _assert_quotas(invited)
    dist = engine.load_distribution(invited)
    first = sorted(
        invited.invitations.filter(replacement_number__isnull=True).values_list(
            "entry__code", flat=True
        )
    )
    declines = [r[1] for r in actions.replacement_rows(invited)]
    replay = lottery.replay_replacements(dist, invited.seed, first, declines)
    assert [r.replacement for r in replay] == [r[2] for r in actions.replacement_rows(invited)]


def test_expiry_by_the_command(invited, capsys):
    late = list(invited.invitations.all()[:2])
    Invitation.objects.filter(pk__in=[i.pk for i in late]).update(
        deadline=timezone.now() - dt.timedelta(hours=1)
    )
    call_command("expire_invitations")
    out = capsys.readouterr().out
    assert "2 invitation(s) expired" in out
    for inv in late:
        inv.refresh_from_db()
        assert inv.status == Invitation.Status.EXPIRED
        assert inv.replaced_by.status == Invitation.Status.INVITED
        with pytest.raises(actions.DrawError):
            actions.respond(inv, accept=True)
    _assert_quotas(invited)
    call_command("expire_invitations")
    assert "0 invitation(s) expired" in capsys.readouterr().out


def test_answer_after_deadline_is_refused(invited):
    inv = invited.invitations.first()
    Invitation.objects.filter(pk=inv.pk).update(deadline=timezone.now() - dt.timedelta(minutes=1))
    with pytest.raises(actions.DrawError, match="deadline"):
        actions.respond(inv, accept=True)
    assert not Participant.objects.filter(member=inv.entry.member).exists()


def test_no_replacement_keeps_the_seat_empty(invited, client, tmp_path, capsys):
    """When nobody fits, the seat stays empty, later replacements still work, and the
    published files pass `pnyx verify-draw`: REPLACEMENTS.csv records each empty seat (an
    empty replacement, the number tried) and verify-draw checks that nobody could fill it."""
    from django.urls import reverse

    from pnyx.lottery.cli import verify_main

    for _ in range(40):  # decline until the pool runs out of anyone who fits
        inv = invited.invitations.filter(status=Invitation.Status.INVITED).first()
        if inv is None:
            break
        actions.respond(inv, accept=False)
    unfilled = invited.invitations.filter(replacement_impossible=True).count()
    assert unfilled
    rows = actions.replacement_rows(invited)
    empty = [r for r in rows if r[2] == ""]
    assert len(empty) == unfilled
    assert len(rows) - len(empty) > 8  # replacements went on after the first unfilled seat
    numbers = [r[0] for r in rows if r[2]]
    assert numbers == list(range(1, len(numbers) + 1))
    assert len(actions.current_panel(invited)) == invited.size - unfilled
    for name in ("DIST.json", "PANEL.csv", "REPLACEMENTS.csv"):
        r = client.get(reverse("draws:download", args=[invited.pk, name]))
        (tmp_path / name).write_bytes(r.content)
    args = ["--distribution", str(tmp_path / "DIST.json"), "--seed", invited.seed]
    args += ["--panel", str(tmp_path / "PANEL.csv")]
    args += ["--replacements", str(tmp_path / "REPLACEMENTS.csv")]
    assert verify_main(args) == 0, capsys.readouterr().err
    assert verify().ok
    # an auditor would catch a seat said empty that somebody could have filled, and back
    text = (tmp_path / "REPLACEMENTS.csv").read_text()
    first_empty = next(line for line in text.splitlines() if line.endswith(","))
    n, declined, _ = first_empty.split(",")
    codes = invited.pool.entries.values_list("code", flat=True)
    someone = next(code for code in codes if code != declined)
    (tmp_path / "REPLACEMENTS.csv").write_text(
        text.replace(first_empty, f"{n},{declined},{someone}")
    )
    assert verify_main(args) == 1
    assert "nobody can replace" in capsys.readouterr().err
