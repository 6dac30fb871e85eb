"""The assembly's pages: public page with its files and command, iCalendar, the member's
answer, the organizers' page and who may see it."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest

from pnyx.assembly import actions
from pnyx.assembly.models import Candidate, Mandate


@pytest.fixture
def launched(drawn_college, organizer, run_wave):
    actions.add_college(
        drawn_college.assembly, name="Instances", seats=2, eligibility="designated", actor=organizer
    )
    wave = run_wave(drawn_college, seed="3 3 1")
    actions.launch_calendar(drawn_college.assembly, actor=organizer)
    return wave


def test_public_page_before_launch_says_it_is_being_set_up(assembly, client):
    r = client.get("/assemblee/")
    assert r.status_code == 200 and b"being set up" in r.content
    assert client.get("/assemblee/calendrier.ics").status_code == 404


def test_public_page_shows_composition_members_draws_and_command(launched, client):
    c = launched.candidates.filter(status="invited").select_related("member").first()
    actions.answer(c, accept=True, public_name="Camille D.", actor=c.member)
    r = client.get("/assemblee/")
    html = r.content.decode()
    assert r.status_code == 200
    assert "Tirés au sort" in html and "Instances" in html and "Designated by a body" in html
    assert "Camille D." in html and c.member.last_name not in html
    assert launched.digest in html
    assert (
        "pnyx verify-draw --distribution DIST.json --seed &#x27;3 3 1&#x27; --panel PANEL.csv"
        in html
    )
    assert "First session of the assembly" in html
    panel = client.get(f"/assemblee/vague/{launched.pk}/PANEL.csv").content.decode().splitlines()
    assert panel[0] == "id,gender,region" and len(panel) == 1 + launched.size
    assert client.get(f"/assemblee/vague/{launched.pk}/DIST.json").content == bytes(
        launched.distribution
    )
    assert client.get(f"/assemblee/vague/{launched.pk}/SECRET.csv").status_code == 404


def test_icalendar_parses_back_with_its_required_properties(launched, client, frozen):
    first = client.get("/assemblee/calendrier.ics")
    assert first["Content-Type"].startswith("text/calendar")
    frozen.shift(dt.timedelta(hours=5))
    again = client.get("/assemblee/calendrier.ics")
    assert again.content == first.content  # DTSTAMP is the calendar's change, not the clock
    cal = icalendar.Calendar.from_ical(first.content)
    assert cal["VERSION"] == "2.0" and cal["PRODID"]
    events = cal.walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events][0] == "Call for volunteers"
    assert len(events) == 6
    assert len({str(e["UID"]) for e in events}) == 6
    for e in events:
        assert e["DTSTAMP"].dt == dt.datetime(2026, 6, 14, 17, 0, tzinfo=dt.UTC)
        assert e["DTEND"].dt >= e["DTSTART"].dt
    assert cal.walk("VTIMEZONE")
    session = next(e for e in events if "First session" in str(e["SUMMARY"]))
    assert session["DTSTART"].dt.date() == dt.date(2026, 9, 19)


def test_member_accepts_from_their_page(launched, client):
    from pnyx.members.actions import user_for_member

    c = launched.candidates.filter(status="invited").select_related("member").first()
    client.force_login(user_for_member(c.member))
    page = client.get("/assemblee/mon-invitation/")
    assert c.code in page.content.decode()
    r = client.post(
        "/assemblee/mon-invitation/",
        {"candidate": c.pk, "decision": "accept", "public_name": "Dom R."},
    )
    assert r.status_code == 302
    assert Candidate.objects.get(pk=c.pk).status in ("seated", "reserve")
    other = launched.candidates.exclude(member=c.member).filter(status="invited").first()
    r = client.post("/assemblee/mon-invitation/", {"candidate": other.pk, "decision": "decline"})
    assert r.status_code == 404
    assert Candidate.objects.get(pk=other.pk).status == "invited"


def test_organizer_page_is_for_organizers_only(assembly, client, people):
    from pnyx.members.actions import user_for_member

    assert client.get("/assemblee/organisation/").status_code == 302
    client.force_login(user_for_member(people[0]))
    assert client.get("/assemblee/organisation/").status_code == 403
    assert client.post("/assemblee/organisation/", {"op": "calendar"}).status_code == 403


def test_organizer_sets_rules_runs_a_wave_and_enters_a_seat(
    assembly, client, organizer, people, django_capture_on_commit_callbacks
):
    client.force_login(organizer)
    r = client.post(
        "/assemblee/organisation/",
        {
            "op": "college",
            "name": "Animateurs",
            "seats": 4,
            "eligibility": "group_leaders",
            "gender": "parity",
            "department": "one_each",
            "tolerance": 0,
        },
    )
    assert r.status_code == 302
    college = assembly.colleges.get(name="Animateurs")
    assert college.rules == [
        {"feature": "gender", "kind": "parity", "tolerance": 0.0},
        {"feature": "department", "kind": "one_each", "tolerance": 0.0},
    ]
    # An impossible one: refused, with the college named.
    r = client.post(
        "/assemblee/organisation/",
        {
            "op": "college",
            "name": "Trop",
            "seats": 9,
            "eligibility": "group_leaders",
            "tolerance": 0,
        },
        follow=True,
    )
    assert "College “Trop”: 8 eligible people for 9 seats" in r.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/assemblee/organisation/", {"op": "wave", "college": college.pk, "round": 0})
    wave = college.waves.get()
    assert wave.status == "published" and wave.size == 8
    client.post(
        "/assemblee/organisation/",
        {"op": "seed", "college": college.pk, "wave": wave.pk, "seed": "5 5", "witnesses": "X"},
    )
    wave.refresh_from_db()
    assert wave.seed == "5 5" and wave.candidates.filter(status="invited").count() == 8
    bodies = actions.add_college(
        assembly, name="Instances", seats=1, eligibility="designated", actor=organizer
    )
    client.post(
        "/assemblee/organisation/",
        {
            "op": "designate",
            "college": bodies.pk,
            "member": people[20].external_id,
            "body": "Conseil",
            "public_name": "R. M.",
        },
    )
    assert Mandate.objects.get(college=bodies).public_name == "R. M."
    page = client.get("/assemblee/organisation/")
    assert page.status_code == 200 and "Animateurs" in page.content.decode()


def test_answers_are_rate_limited_per_member(launched, client, settings):
    from pnyx.members.actions import user_for_member

    settings.PNYX_RATE_LIMITS = {**settings.PNYX_RATE_LIMITS, "assembly_answer": "2/10m"}
    c = launched.candidates.select_related("member").first()
    client.force_login(user_for_member(c.member))
    codes = [
        client.post("/assemblee/mon-invitation/", {"candidate": c.pk, "decision": "x"}).status_code
        for _ in range(3)
    ]
    assert codes == [200, 200, 429]  # a bad answer is shown again, then the limit
    assert client.get("/assemblee/mon-invitation/").status_code == 200  # reading is not limited
