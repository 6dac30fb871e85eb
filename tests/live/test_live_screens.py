"""The screens that follow the live state, rendered by the server from contract states."""

import datetime as dt
import json
from html import unescape

import pytest
import time_machine
from django.urls import reverse
from live_states import at, publish, speaker, state

from pnyx.live import screens
from pnyx.programme.models import Item, ItemKind


@pytest.fixture
def day(convention):
    items = list(
        Item.objects.filter(day__convention=convention)
        .select_related("day")
        .order_by("day__date", "starts_at")
    )
    testimonies = next(i for i in items if i.kind == ItemKind.TESTIMONIES)
    after = [
        i
        for i in items
        if (i.day.date, i.starts_at) > (testimonies.day.date, testimonies.starts_at)
    ]
    return testimonies, after[:2]


def page(client, url):
    r = client.get(url)
    assert r.status_code == 200
    return unescape(r.content.decode())


def embedded_state(html):
    start = html.index('id="live-state"')
    return json.loads(html[html.index(">", start) + 1 : html.index("</script>", start)])


def test_offsets_and_clocks_read_as_people_say_them():
    assert screens.offset_label(720) == "+12 min"
    assert screens.offset_label(-180) == "\u22123 min"
    assert screens.offset_label(20) == ""
    assert screens.clock(185) == "3:05"
    assert screens.clock(-42) == "\u22120:42"
    assert screens.clock(None) == ""


def test_the_stage_timer_counts_the_speaker_then_the_item(convention, day):
    item, _next = day
    now = at(item, 10)
    spoke = speaker(seconds=180, started_at=now - dt.timedelta(seconds=200))
    assert screens.timer_seconds(state(convention, now, item, speaker=spoke)) == -20
    waiting = speaker(seconds=180)
    assert screens.timer_seconds(state(convention, now, item, speaker=waiting)) == 180
    # No speaker: the item's planned time, counted from when the operator started it.
    st = state(convention, now, item, started_at=now - dt.timedelta(minutes=10))
    assert screens.timer_seconds(st) == st["current"]["planned_seconds"] - 600
    assert screens.timer_seconds(state(convention, now)) is None


def test_the_hall_screen_shows_what_the_operator_says(client, convention, day):
    item, upcoming = day
    now = at(item, 5)
    st = state(
        convention,
        now,
        item,
        offset_minutes=12,
        upcoming=upcoming,
        speaker=speaker(name="Awa D.", title="Le bus du matin"),
        message={"text": "Bienvenue à toutes et à tous", "target": "hall"},
        vote={
            "id": 3,
            "title": "Vote en salle",
            "status": "open",
            "participation": 412,
            "url": "/votes/3/",
            "screen_url": "/votes/3/ecran/",
        },
    )
    event = publish(convention, st)
    with time_machine.travel(now, tick=False):
        html = page(client, reverse("programme:screen"))
    assert 'http-equiv="refresh"' not in html  # the stream updates it, not a reload
    assert f'data-live-last-id="{event.pk}"' in html
    assert embedded_state(html)["speaker"]["name"] == "Awa D."
    slide = html[html.index('class="hall-slide"') : html.index('class="hall-videos"')]
    assert item.title in slide and "Awa D." in slide and "Le bus du matin" in slide
    assert '<p class="hall-message" data-live="hall-message">Bienvenue à toutes et à tous' in slide
    assert 'data-live="vote">' in slide and ">412<" in slide and "/votes/3/" in slide
    shifted = (at(upcoming[0]) + dt.timedelta(minutes=12)).strftime("%H:%M")
    assert (
        f'<span class="live-time">{shifted}</span><span class="live-shift">+12 min</span>' in slide
    )
    assert 'data-live="blackout" hidden' in html and 'data-live="announcement" hidden' in html

    # A message for the stage is not for the hall; the blackout and the results.
    publish(
        convention,
        {
            **st,
            "blackout": True,
            "vote": None,
            "message": {"text": "30 s", "target": "stage"},
            "announcement": {"vote": 2, "url": "/votes/2/ecran/"},
        },
    )
    html = page(client, reverse("programme:screen"))
    assert 'data-live="blackout" hidden' not in html and "hall-is-blackout" in html
    assert "30 s" not in html.split('id="live-state"')[0]
    assert 'data-live="announcement" hidden' not in html and 'href="/votes/2/ecran/"' in html
    assert 'data-live="vote" hidden' in html


def test_the_clock_drives_the_hall_screen_when_no_console_runs(client, convention, day):
    item, upcoming = day
    publish(convention, state(convention, at(item), item, driven=False))
    with time_machine.travel(at(item, 5), tick=False):
        html = page(client, reverse("programme:screen"))
    assert 'http-equiv="refresh"' in html and "live-state" not in html
    # It follows the stream all the same, to reload as soon as a console takes the day.
    assert 'data-live-role="clock"' in html and "live/screens.js" in html
    assert item.title in html[html.index('class="now"') :]
    # The phones follow the clock too: later, the item of that hour (not the stale event's).
    with time_machine.travel(at(upcoming[0], 5), tick=False):
        later = embedded_state(page(client, reverse("live:public")))
    assert later["driven"] is False and later["current"]["item"] == upcoming[0].pk


def test_the_stage_timer_shows_the_time_left_and_the_stage_messages(client, convention, day):
    item, _next = day
    now = at(item, 5)
    spoke = speaker(seconds=180, started_at=now - dt.timedelta(seconds=160))
    publish(
        convention,
        state(
            convention, now, item, speaker=spoke, message={"text": "Concluez", "target": "stage"}
        ),
    )
    with time_machine.travel(now, tick=False):
        html = page(client, reverse("live:stage"))
    assert '<div class="stage-timer live-warn" data-live="timer">0:20</div>' in html
    assert '<p class="stage-message" data-live="stage-message">Concluez</p>' in html
    with time_machine.travel(now + dt.timedelta(seconds=45), tick=False):
        html = page(client, reverse("live:stage"))
    assert '<div class="stage-timer live-over" data-live="timer">\u22120:25</div>' in html
    publish(convention, state(convention, now, item, message={"text": "Salut", "target": "hall"}))
    with time_machine.travel(now, tick=False):
        html = page(client, reverse("live:stage"))
    assert 'data-live="stage-message" hidden' in html and "Salut" not in html.split("live-state")[0]


def test_backstage_is_for_organizers_and_shows_the_queue(
    client, convention, day, make_member, organizer
):
    from pnyx.members.actions import user_for_member

    item, upcoming = day
    url = reverse("live:backstage")
    assert client.get(url).status_code == 302
    client.force_login(user_for_member(make_member()))
    assert client.get(url).status_code == 403
    client.force_login(organizer)
    publish(
        convention,
        state(
            convention,
            at(item, 3),
            item,
            offset_minutes=7,
            upcoming=upcoming,
            speaker=speaker(name="Awa D."),
            on_deck={
                "intervention": 6,
                "name": "Léo M.",
                "title": "Mon quartier",
                "kind": "video",
                "video_ready": False,
            },
            queue=[
                {
                    "intervention": 7,
                    "name": "Inès K.",
                    "title": "La ferme",
                    "kind": "speech",
                    "status": "waiting",
                }
            ],
        ),
    )
    html = page(client, url)
    assert "Awa D." in html and "Léo M. — Mon quartier" in html and "Inès K. — La ferme" in html
    assert 'class="live-badge live-bad" data-live="on-deck-video">vidéo pas prête' in html
    assert ">+7 min<" in html


def test_the_phone_page_shows_the_day_and_each_participant_their_own_table(
    client, convention, published, hall_people
):
    from pnyx.members.actions import user_for_member
    from pnyx.workshops.queries import itineraries

    step = published.hall.steps.select_related("item").exclude(item=None).order_by("number").first()
    item = step.item
    upcoming = list(
        Item.objects.filter(day=item.day, starts_at__gt=item.starts_at).order_by("starts_at")[:2]
    )
    publish(
        convention,
        state(
            convention,
            at(item, 2),
            item,
            offset_minutes=12,
            upcoming=upcoming,
            vote={
                "id": 3,
                "title": "Vote en salle",
                "status": "open",
                "participation": 9,
                "url": "/votes/3/",
                "screen_url": "/votes/3/ecran/",
            },
        ),
    )
    anonymous = page(client, reverse("live:public"))
    assert item.title in anonymous and "+12 min" in anonymous and 'href="/votes/3/"' in anonymous
    assert "live-my-tables" not in anonymous and 'data-live="my-table"' not in anonymous
    english = client.get(reverse("live:public"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Coming up" in english and '"participation": "ballots cast"' in english

    me, other = hall_people[0], hall_people[1]
    seat = next(
        s for s in itineraries(published.hall, [me])[0]["seats"] if s["number"] == step.number
    )
    client.force_login(user_for_member(me.member))
    mine = page(client, reverse("live:public"))
    shown = mine[mine.index('data-live="my-table-text"') :]
    assert shown.startswith(
        f'data-live="my-table-text">Table {seat["table"]} · partie {seat["part"]}'
    )
    tables = json.loads(
        mine[
            mine.index(">", mine.index('id="live-my-tables"')) + 1 : mine.index(
                "</script>", mine.index('id="live-my-tables"')
            )
        ]
    )
    assert tables[str(item.pk)]["table"] == seat["table"]
    client.force_login(user_for_member(other.member))
    theirs = page(client, reverse("live:public"))
    other_seat = next(
        s for s in itineraries(published.hall, [other])[0]["seats"] if s["number"] == step.number
    )
    assert f'data-live="my-table-text">Table {other_seat["table"]} ·' in theirs
    assert (
        json.loads(
            theirs[
                theirs.index(">", theirs.index('id="live-my-tables"')) + 1 : theirs.index(
                    "</script>", theirs.index('id="live-my-tables"')
                )
            ]
        )
        == {k: v for k, v in screens.my_tables(convention, other.member).items()}
        != tables
    )
