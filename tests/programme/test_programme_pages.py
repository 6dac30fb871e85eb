import datetime as dt
from html import unescape

import pytest
from django.urls import reverse
from icalendar import Calendar

from pnyx.programme.models import Item, ItemKind

pytestmark = pytest.mark.django_db


def test_home_shows_the_two_days_and_their_items(client, convention):
    r = client.get(reverse("programme:home"))
    assert r.status_code == 200
    html = unescape(r.content.decode())
    for item in Item.objects.filter(day__convention=convention):
        assert item.title in html
    assert html.count('class="day"') == 2
    assert html.count("kind-work_step") == 3
    assert html.count("kind-testimonies") == 3
    assert "Financement participatif des groupes d'action" in html


def test_demo_follows_the_reference_structure(convention):
    day1, day2 = convention.days.order_by("date")
    kinds1 = list(day1.items.values_list("kind", flat=True))
    assert kinds1[:3] == [ItemKind.OPENING, ItemKind.REPORT, ItemKind.RESULTS]
    steps = list(day1.items.filter(kind=ItemKind.WORK_STEP).values_list("step", flat=True))
    assert steps == [1, 2, 3]
    # each work step is followed or preceded by testimonies
    assert kinds1.count(ItemKind.TESTIMONIES) == 3
    assert day2.items.get(kind=ItemKind.TOPIC_TABLES).topics.count() == 4
    assert list(day2.items.values_list("kind", flat=True)) == [
        ItemKind.TRAINING,
        ItemKind.TOPIC_TABLES,
        ItemKind.BREAK,
        ItemKind.PRESENTATION,
        ItemKind.LAUNCH,
        ItemKind.CONCLUSION,
    ]


def test_news_are_listed_newest_first(client, convention):
    r = client.get(reverse("programme:news"))
    html = r.content.decode()
    assert html.index("Proposez votre intervention") < html.index("Les résultats du vote")


def test_icalendar_export_has_one_event_per_item(client, convention):
    r = client.get(reverse("programme:calendar"))
    assert r.status_code == 200 and r["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(r.content)
    events = list(cal.walk("VEVENT"))
    assert len(events) == Item.objects.filter(day__convention=convention).count()
    opening = next(e for e in events if str(e["summary"]) == "Ouverture")
    start = opening.decoded("dtstart")
    assert (start.date(), start.hour, start.minute) == (convention.starts_on, 10, 0)
    assert str(start.tzinfo) == "Europe/Paris"
    assert len({str(e["uid"]) for e in events}) == len(events)


def test_home_without_convention_explains(client, db):
    r = client.get(reverse("programme:home"))
    assert r.status_code == 200


def test_page_is_french_by_default_and_english_on_request(client, convention):
    r = client.get(reverse("programme:home"))
    assert 'lang="fr"' in r.content.decode()
    assert "Connexion" in r.content.decode()
    r = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert r.status_code == 302
    r = client.get(reverse("programme:home"))
    assert 'lang="en"' in r.content.decode()
    assert "Sign in" in r.content.decode()


def test_french_catalogue_is_complete():
    """Every message of every app has a French translation, compiled into the .mo file."""
    from pathlib import Path

    import polib

    import pnyx

    root = Path(pnyx.__file__).parent
    catalogues = list(root.glob("**/locale/fr/LC_MESSAGES/django.po"))
    assert len(catalogues) >= 4
    for path in catalogues:
        po = polib.pofile(str(path))
        assert not po.fuzzy_entries(), f"{path}: fuzzy entries"
        untranslated = [e.msgid for e in po.untranslated_entries()]
        assert not untranslated, f"{path}: untranslated {untranslated}"
        mo = {(e.msgctxt, e.msgid): e for e in polib.mofile(str(path.with_suffix(".mo")))}
        for entry in po.translated_entries():
            compiled = mo.get((entry.msgctxt, entry.msgid))
            assert compiled is not None, f"{path}: {entry.msgid!r} not compiled (make messages)"
            assert (compiled.msgstr, compiled.msgstr_plural) == (
                entry.msgstr,
                {int(k): v for k, v in entry.msgstr_plural.items()},
            ), f"{path}: {entry.msgid!r} compiled differently (make messages)"


def test_badge_qr_signs_the_participant_in_and_checks_them_in(client, convention, make_member):
    from pnyx.journal.models import JournalEntry
    from pnyx.programme.models import Participant

    member = make_member()
    p = Participant.objects.create(convention=convention, member=member, source="drawn")
    path = p.badge_path()
    assert client.get(path).status_code == 200
    assert "_auth_user_id" not in client.session  # GET only shows the button
    assert client.post(path).status_code == 302
    p.refresh_from_db()
    member.refresh_from_db()
    assert p.checked_in_at is not None and int(client.session["_auth_user_id"]) == member.user_id
    first = p.checked_in_at
    client.post(path)
    p.refresh_from_db()
    assert p.checked_in_at == first
    assert JournalEntry.objects.filter(action="participant.checked_in").count() == 1
    # a forged token, or a revoked badge, does not work
    client.logout()
    assert client.post(path[:-3] + "abc/").status_code == 404
    p.badge_version += 1
    p.save()
    assert client.post(path).status_code == 404
    assert "_auth_user_id" not in client.session


def test_stylesheet_is_served_without_collectstatic(client, db):
    r = client.get("/static/pnyx/pnyx.css")
    assert r.status_code == 200
    assert b"@media print" in b"".join(r.streaming_content)


def test_live_screen_shows_the_current_item_and_what_comes_next(client, convention, make_member):
    from pnyx.programme import actions

    slot = convention.days.first().items.filter(kind=ItemKind.TESTIMONIES).first()
    i = actions.submit_intervention(
        make_member(),
        convention,
        {"title": "Témoin Zulu", "summary": "s", "campaign": None, "item": None, "format": "speak"},
    )
    actions.moderate(i, "accept", "orga")
    actions.place(i, slot, "orga")
    day = convention.starts_on
    html = unescape(client.get(reverse("programme:screen") + f"?at={day}T14:50").content.decode())
    now = html[html.index('class="now"') : html.index('class="next"')]
    assert slot.title in now and "Témoin Zulu" in now
    nxt = html[html.index('class="next"') :]
    assert "Étape 2 : nos propositions" in nxt
    eve = day - dt.timedelta(days=1)
    before = unescape(client.get(reverse("programme:screen") + f"?at={eve}T09:00").content.decode())
    assert "Ouverture" in before[before.index('class="next"') :]
    assert 'http-equiv="refresh"' in before


def test_organizer_home_links_every_organizer_page_and_is_for_organizers_only(
    client, convention, make_member, organizer
):
    from pnyx.members.actions import user_for_member

    url = reverse("programme:organizer_home")
    assert client.get(url).status_code == 302  # to sign in
    client.force_login(user_for_member(make_member()))
    assert client.get(url).status_code == 403
    client.force_login(organizer)
    html = client.get(url).content.decode()
    for name in (
        "programme:moderation",
        "votes:manage_list",
        "draws:organizer_list",
        "workshops:hall",
    ):
        assert f'href="{reverse(name)}"' in html


def test_current_convention_changes_show_at_once_in_this_process(client, convention):
    from pnyx.programme.models import current_convention

    assert current_convention() == convention
    convention.name = "Convention renommée"
    convention.save()
    assert "Convention renommée" in client.get(reverse("programme:home")).content.decode()
    convention.delete()
    assert current_convention() is None
