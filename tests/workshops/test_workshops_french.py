"""Workshop pages in French: shares with the locale and a non-breaking space before "%", and a
non-breaking space before every colon the templates write."""

import re
from html import unescape

NBSP = "\u00a0"


def _french(client, url) -> str:
    client.cookies["django_language"] = "fr"
    return re.sub(r"[ \t\r\n]+", " ", unescape(client.get(url).content.decode()))


def _text(html: str) -> str:
    main = html[html.index("<main>") : html.index("</main>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def test_plan_page_french_typography(organizer_client, published, hall_people):
    html = _french(organizer_client, f"/ateliers/organisation/plans/{published.pk}/")
    assert "/ateliers/organisation/documents/" in html  # the printed documents, made by a task
    assert not re.search(r"[^\s\u00a0\d]:\s", _text(html))
    share = published.stats["worst_region_concentration"]
    assert f">{round(share * 100)}{NBSP}%</dd>" in html
    q = hall_people[0].member.last_name
    found = _french(organizer_client, f"/ateliers/organisation/plans/{published.pk}/?q={q}")
    assert f"n°{NBSP}{hall_people[0].pk} {hall_people[0].member.full_name}{NBSP}:" in found
    text = _text(found)
    assert not re.search(r"[^\s\u00a0\d]:\s", text), re.findall(r".{20}[^\s\u00a0\d]:\s.{10}", text)


def test_topic_plan_shares_use_a_decimal_comma(organizer_client, published, organizer):
    from pnyx.workshops import actions

    topics = actions.run_topic_plan(published.hall, organizer)
    topics.stats["first_choice_share"] = 0.9193
    topics.save(update_fields=["stats"])
    html = _french(organizer_client, f"/ateliers/organisation/plans/{topics.pk}/")
    assert f">92{NBSP}%</dd>" in html


def test_participants_page_seats_have_a_space_before_the_colon(
    organizer_client, published, hall_people
):
    q = hall_people[0].member.last_name
    html = _french(organizer_client, f"/ateliers/organisation/participants/?q={q}")
    seat = published.seats.filter(participant=hall_people[0], step=1).first()
    assert f"1{NBSP}: table {seat.table}" in html
