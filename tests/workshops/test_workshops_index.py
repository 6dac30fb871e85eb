"""The workshops' public entry (/ateliers/), the main menu, and every path the README names."""

import re
from html import unescape
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture
def both_published(published, organizer):
    from pnyx.workshops import actions

    topics = actions.run_topic_plan(published.hall, organizer)
    actions.publish(topics, organizer)
    return published, topics


def _text(response) -> str:
    return re.sub(r"\s+", " ", unescape(response.content.decode()))


def test_workshops_page_shows_the_published_plans_to_anyone(client, both_published, hall_people):
    plan, topics = both_published
    r = client.get("/ateliers/")
    assert r.status_code == 200
    text = _text(r)
    assert "Ateliers" in text
    # the hall plan in figures: parts, tables, the campaign of each part at each step
    assert f"{plan.stats['tables']} tables" in text or "Tables" in text
    rotation = plan.seats.filter(part=1, step=1).select_related("campaign").first()
    assert "Partie 1" in text and rotation.campaign.name in text
    assert "Étape 3" in text
    # the topic tables, their table numbers and head counts
    for name in topics.topic_seats.values_list("topic__name", flat=True).distinct():
        assert name in text
    # no one's name on the public page, and no sign-in needed
    assert hall_people[0].member.last_name not in text
    assert "Participants : connectez-vous pour voir vos tables." in text


def test_workshops_page_before_any_plan_creates_nothing(client, convention):
    from pnyx.workshops.models import Hall

    r = client.get("/ateliers/")
    assert r.status_code == 200
    assert "Aucun plan de salle n'est encore publié." in _text(r)
    assert not Hall.objects.exists()  # a GET changes nothing


def test_participant_sees_their_own_tables(client, both_published, hall_people):
    from pnyx.members.actions import user_for_member

    plan, topics = both_published
    me = hall_people[0]
    client.force_login(user_for_member(me.member))
    text = _text(client.get("/ateliers/"))
    for seat in plan.seats.filter(participant=me).select_related("campaign"):
        assert f"Étape {seat.step} : table {seat.table}, partie {seat.part}" in text
    topic_seat = topics.topic_seats.get(participant=me)
    assert f"Jour 2 : table {topic_seat.table}" in text
    assert 'href="/ateliers/mon-parcours/"' in text


def test_organizers_get_their_workshop_pages_from_the_menu(organizer_client, published):
    home = _text(organizer_client.get("/"))
    assert 'href="/ateliers/"' in home
    text = _text(organizer_client.get("/ateliers/"))
    for path in ("/ateliers/organisation/", "/ateliers/organisation/tables/"):
        assert f'href="{path}"' in text


def test_public_menu_links_news_live_screen_and_workshops(client, convention):
    text = _text(client.get("/"))
    nav = text[text.index("<nav") : text.index("</nav>")]
    for path, label in [
        ("/actualites/", "Actualités"),
        ("/ecran/", "Écran de la salle"),
        ("/ateliers/", "Ateliers"),
    ]:
        assert f'href="{path}">{label}</a>' in nav


def test_every_path_the_readme_names_is_served(convention, published, organizer, make_member):
    """Anyone lands on a page (or on sign-in); members and organizers never on a 404 or 500
    (a page for members only tells an organizer account so, with 403)."""
    from django.test import Client

    from pnyx.members.actions import user_for_member

    anonymous, member, orga = Client(), Client(), Client()
    member.force_login(user_for_member(make_member()))
    orga.force_login(organizer)
    paths = sorted(set(re.findall(r"`(/[^`\s]*)`", README.read_text())))
    assert "/ateliers/" in paths and "/ecran/" in paths
    for path in paths:
        r = anonymous.get(path, follow=True)
        assert r.status_code == 200, ("anonymous", path, r.status_code)
        for who, c in (("member", member), ("organizer", orga)):
            r = c.get(path, follow=True)
            assert r.status_code in (200, 403), (who, path, r.status_code)
    for path in ("/ateliers/", "/ecran/", "/actualites/", "/programme.ics"):
        assert orga.get(path).status_code == 200, path
