"""The demo lives on any date: loaded at any moment, every state of the README's tour holds."""

import datetime as dt
import io
import os
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from pnyx.core.demo_timeline import Timeline

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
SMALL = {"members": 250, "seats": 42, "participants": 63}


def _real_now_plus(days):
    return lambda: dt.datetime.now(tz=dt.UTC) + dt.timedelta(days=days)


MOMENTS = {
    "today": _real_now_plus(0),
    "more than a year ahead": _real_now_plus(400),
    "in the past": lambda: dt.datetime(2025, 3, 14, 9, 30, tzinfo=PARIS),
    "late on Dec 31 in Paris": lambda: dt.datetime(2026, 12, 31, 23, 50, tzinfo=PARIS),
    "a leap day": lambda: dt.datetime(2028, 2, 29, 18, 0, tzinfo=PARIS),
}


@pytest.mark.parametrize("moment", MOMENTS.values(), ids=MOMENTS.keys())
def test_the_tour_holds_whenever_the_demo_is_loaded(moment, client):
    at = moment()
    out = io.StringIO()
    with time_machine.travel(at, tick=True):
        call_command("demo", stdout=out, **SMALL)
        _assert_the_tour_holds(client, at)
    assert "in the hall): http://testserver/badge/" in out.getvalue()  # a link to follow


def _assert_the_tour_holds(client, at):
    from pnyx.draws.models import Draw, Invitation
    from pnyx.journal.actions import verify
    from pnyx.journal.models import JournalEntry
    from pnyx.members.actions import user_for_member
    from pnyx.members.models import Member
    from pnyx.programme.models import Convention, Participant
    from pnyx.votes import demo as votes_demo
    from pnyx.votes.models import Status
    from pnyx.workshops import actions as workshops

    now = timezone.now()
    today = timezone.localdate(now)
    assert today == at.astimezone(PARIS).date()  # the clock is the frozen one
    conv = Convention.objects.get()

    # The convention: a Saturday and a Sunday two to three weeks ahead, named after its year.
    assert conv.starts_on.weekday() == 5 and conv.ends_on == conv.starts_on + dt.timedelta(1)
    assert 14 <= (conv.starts_on - today).days <= 20
    assert str(conv.starts_on.year) in conv.name
    assert list(conv.days.values_list("date", flat=True)) == [conv.starts_on, conv.ends_on]
    home = client.get("/")
    assert home.status_code == 200
    html = home.content.decode()
    assert "Ouverture" in html and "Proposez votre intervention" in html  # news already out

    # The call for interventions is open until the eve of the convention, and takes proposals.
    closes = timezone.localtime(conv.proposals_close_at)
    assert now < closes and closes.date() == conv.starts_on - dt.timedelta(1)
    assert conv.call_is_open(now) and conv.interventions.count() == 4
    outsider = (
        Member.objects.exclude(participations__convention=conv)
        .exclude(interventions__isnull=False)
        .order_by("external_id")
        .first()
    )
    client.force_login(user_for_member(outsider))
    page = client.get(reverse("programme:propose"))
    assert page.status_code == 200 and 'name="title"' in page.content.decode()
    form = {
        "title": "Mon quartier",
        "summary": "Ce que nous faisons.",
        "campaign": conv.campaigns.first().pk,
        "item": "",
        "format": "speak",
        "video_link": "",
    }
    assert client.post(reverse("programme:propose"), form).status_code == 302
    assert conv.interventions.count() == 5
    client.logout()

    # The campaign vote: closed in the past, verifiable, decrypted by two of its three trustees,
    # its record published; its winners are the campaigns.
    campaign = conv.votes.get(question=votes_demo.CAMPAIGN_QUESTION)
    assert campaign.status == Status.CLOSED and campaign.mode == "verifiable"
    assert campaign.election.tally_state == "done" and campaign.election.record_sha256
    assert campaign.trustees.filter(state="decrypted").count() == 2
    assert campaign.opens_at < campaign.closes_at < now and campaign.closed_at <= now
    assert campaign.joined_before <= campaign.opens_at.date()
    assert (
        campaign.result["ballots"]
        == campaign.election.num_tallied
        == campaign.participations.count()
        > 0
    )
    titles = dict(campaign.options.values_list("code", "title"))
    winners = {titles[c] for c in campaign.result["winners"]}
    assert winners == set(conv.campaigns.values_list("name", flat=True))
    results = client.get(reverse("votes:results", args=[campaign.pk]))
    assert results.status_code == 200
    assert all(w in results.content.decode() for w in winners)
    assert not Member.objects.filter(joined_on__gte=campaign.joined_before).exists()

    # The draw: complete (revealed, invited, answered, replaced), on the same cut-off.
    draw = Draw.objects.get(convention=conv)
    assert draw.status == Draw.Status.REVEALED and draw.invitations_sent_at <= now
    assert draw.pool.joined_before == campaign.joined_before
    accepted = draw.invitations.filter(status=Invitation.Status.ACCEPTED).count()
    assert accepted >= 0.9 * draw.size
    assert Participant.objects.filter(convention=conv, source="drawn").count() == accepted
    assert draw.invitations.filter(status=Invitation.Status.INVITED, deadline__gt=now).count() == (
        draw.invitations.filter(status=Invitation.Status.INVITED).count()
    )
    assert client.get(reverse("draws:index")).status_code in (200, 302)
    assert client.get(reverse("draws:public", args=[draw.pk])).status_code == 200

    # The in-hall vote: open, and a participant present is offered the ballot.
    hall_vote = conv.votes.get(question=votes_demo.HALL_QUESTION)
    assert hall_vote.status == Status.OPEN and hall_vote.accepts_ballots()
    assert hall_vote.mode == "verifiable" and hall_vote.election.credentials_count > 0
    present = (
        Participant.objects.filter(convention=conv, checked_in_at__isnull=False)
        .select_related("member")
        .first()
    )
    client.force_login(user_for_member(present.member))
    ballot = client.get(reverse("votes:detail", args=[hall_vote.pk]))
    assert ballot.status_code == 200 and ballot.context["state"] == "open"

    # The hall plan: published, and the participant finds their table at every step.
    hall = workshops.get_hall(conv)
    plan = workshops.published_plan(hall)
    assert plan is not None and plan.published_at <= now
    assert plan.seats.filter(participant=present).count() == hall.steps.count() == 3
    assert client.get(reverse("workshops:itinerary")).status_code == 200
    # Its synthesis, computed and reviewed: merged clusters, retained step-3 axes.
    assert hall.synthesis_runs.get().status == "done"
    assert hall.review_groups.filter(field="axes", clusters__retained=True).exists()
    assert JournalEntry.objects.filter(action="workshops.synthesis_clusters_merged").exists()

    # The representative assembly: composed, first waves drawn, calendar launched after today.
    from pnyx.assembly.models import Assembly

    assembly = Assembly.objects.get(convention=conv)
    assert assembly.launched_at <= now and assembly.starts_on > conv.ends_on
    assert assembly.milestones.filter(starts_at__gt=now).count() >= 5
    page = client.get(reverse("assembly:public")).content.decode()
    assert all(c.name in page for c in assembly.colleges.all()) and "pnyx verify-draw" in page

    assert verify().ok


def test_a_stale_demo_is_refused_with_how_to_start_afresh():
    """Loaded once, the demo is there whenever `make demo` runs again before its call closes;
    after that, `pnyx demo` says the database is stale and how to load a fresh one."""
    at = dt.datetime(2027, 3, 3, 12, 0, tzinfo=PARIS)
    with time_machine.travel(at, tick=True):
        call_command("demo", stdout=io.StringIO(), **SMALL)
    tl = Timeline.from_now(at)
    with time_machine.travel(tl.proposals_close_at - dt.timedelta(minutes=1), tick=True):
        out = io.StringIO()
        call_command("demo", stdout=out, **SMALL)
        assert "already done" in out.getvalue()
    with time_machine.travel(tl.proposals_close_at, tick=True):
        with pytest.raises(CommandError, match="make clean-demo"):
            call_command("demo", stdout=io.StringIO(), **SMALL)


def test_timeline_of_every_day_of_a_leap_year():
    """For each load day (and late in the evening): the convention is a weekend 14 to 20 days
    ahead, the call closes on its eve after load time, the campaign vote closed before it."""
    day = dt.date(2028, 1, 1)
    while day.year == 2028:
        for hour, minute in ((0, 0), (23, 59)):
            now = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=PARIS)
            tl = Timeline.from_now(now)
            assert tl.today == day and tl.starts_on.weekday() == 5
            assert 14 <= (tl.starts_on - day).days <= 20
            assert tl.campaign_vote_opens_at < tl.campaign_vote_closes_at < now
            assert (
                now < tl.proposals_close_at < dt.datetime.combine(tl.starts_on, dt.time(0), PARIS)
            )
            assert tl.members_joined_before <= day
        day += dt.timedelta(days=1)


ROOT = Path(__file__).resolve().parents[1]


def _env(tmp_path, **extra):
    env = {k: v for k, v in os.environ.items() if k not in ("PORT", "PNYX_SITE_URL", "MAKEFLAGS")}
    env.pop("DATABASE_URL", None)
    return env | {"PNYX_VAR_DIR": str(tmp_path / "var")} | extra


def test_make_demo_on_another_port_links_to_that_port(tmp_path):
    """`make demo PORT=N`: every command it runs sees a site address on port N (emails, QR
    codes, PDFs), unless PNYX_SITE_URL says otherwise. A stand-in python records what each
    command would see."""
    (tmp_path / ".installed").touch()
    log = tmp_path / "log"
    fake = tmp_path / "python"
    fake.write_text(
        "#!/bin/sh\n"
        # the server waits (up to 30 s) for the background worker's line: once the stand-in
        # server returns, make stops the worker, which may not have written it yet
        'case " $* " in *" runserver "*) i=0; while [ $i -lt 300 ] && '
        f'! grep -q " db_worker " {log} 2>/dev/null; do sleep 0.1; i=$((i+1)); done;; esac\n'
        f"exec {sys.executable} -c 'import sys; from django.conf import settings; "
        'import django; django.setup(); print(" ".join(sys.argv[1:]), settings.PNYX_SITE_URL)\''
        f' "$@" >> {log}\n'
    )
    fake.chmod(0o755)
    make = ["make", "-s", "-C", str(ROOT), "demo", f"VENV={tmp_path}", f"PY={fake}"]
    env = _env(tmp_path, DJANGO_SETTINGS_MODULE="pnyx.settings")
    subprocess.run([*make, "PORT=8765"], env=env, check=True, capture_output=True)
    lines = log.read_text().splitlines()
    # the task worker runs beside the server (in the background: its line may come first)
    assert sorted(line.split()[2] for line in lines) == [
        "db_worker",
        "demo",
        "migrate",
        "runserver",
    ]
    assert all(line.endswith(" http://127.0.0.1:8765") for line in lines), lines
    assert any(line.startswith("-m pnyx.cli runserver 127.0.0.1:8765 ") for line in lines), lines
    log.unlink()
    env["PNYX_SITE_URL"] = "https://convention.example.org/"
    subprocess.run([*make, "PORT=8765"], env=env, check=True, capture_output=True)
    assert all(
        line.endswith(" https://convention.example.org") for line in log.read_text().splitlines()
    )


def test_clean_demo_removes_the_database_the_demo_uses(tmp_path):
    env = _env(tmp_path)
    python = [sys.executable, "-m", "pnyx.cli"]
    subprocess.run([*python, "migrate", "-v", "0"], env=env, check=True)
    name = subprocess.run(
        [
            *python,
            "shell",
            "-v",
            "0",
            "-c",
            "from django.db import connection as c; print(c.settings_dict['NAME'])",
        ],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    db = Path(name)
    assert db.exists() and db.is_relative_to(tmp_path)
    subprocess.run(
        ["make", "-s", "-C", str(ROOT), "clean-demo"], env=env, check=True, capture_output=True
    )
    assert not db.exists()
    assert not list(db.parent.glob(db.name + "*"))
