"""The run-of-show: its actions (journal, published state, queue, votes), snapshot() and the
console's pages and permissions."""

import re

import pytest
from django.core.exceptions import PermissionDenied

from pnyx.journal.models import JournalEntry
from pnyx.live import actions, state
from pnyx.live.models import ItemRun, LiveEvent, RunOfShow, Turn

pytestmark = pytest.mark.django_db


def journal(*names):
    return list(
        JournalEntry.objects.filter(action__startswith="live.")
        .order_by("seq")
        .values_list("action", flat=True)
    )


def kinds():
    return list(LiveEvent.objects.order_by("id").values_list("kind", flat=True))


# --- the items of the day and the overrun --------------------------------------------------


def test_without_a_console_the_clock_drives_the_state(conv, at, items):
    at("10:40")
    s = state.snapshot(conv)
    assert s["driven"] is False and s["offset_seconds"] == 0
    assert s["current"]["item"] == items[1].pk and s["current"]["started_at"] is None
    assert [u["item"] for u in s["upcoming"]] == [i.pk for i in items[2:6]]
    assert all(u["shifted_start"] == u["planned_start"] for u in s["upcoming"])


def test_the_operator_not_the_clock_says_what_is_on_stage(conv, at, items, organizer):
    at("10:02")
    actions.next_item(conv, actor=organizer, seen=None)
    at("10:29")
    s = state.snapshot(conv)
    assert s["driven"] and s["current"]["item"] == items[0].pk
    assert s["current"]["started_at"].startswith(f"{conv.starts_on}T10:02:00")
    assert s["offset_seconds"] == 120  # started 2 minutes late, runs its planned 30
    # At 10:45 the opening is still on stage (the clock would say the report): 15 min over.
    at("10:45")
    s = state.snapshot(conv)
    assert s["current"]["item"] == items[0].pk and s["offset_seconds"] == 15 * 60
    nxt = s["upcoming"][0]
    assert nxt["item"] == items[1].pk and nxt["shifted_start"].startswith(
        f"{conv.starts_on}T10:45:00"
    )
    assert [u["item"] for u in s["upcoming"]] == [i.pk for i in items[1:5]]
    # the items are back to back (the lunch break is one of them): every later one shifts
    actions.next_item(conv, actor=organizer, seen=items[0].pk)
    plan = state.day_plan(RunOfShow.objects.get(), items, actions.timezone.now())
    assert [r.shift for r in plan.rows[2:]] == [15 * 60] * (len(items) - 2)
    assert journal() == ["live.item_started", "live.item_ended", "live.item_started"]
    assert kinds() == ["item_started", "item_started"]
    ended = JournalEntry.objects.get(action="live.item_ended")
    assert ended.payload["seconds"] == 43 * 60 and ended.payload["planned_seconds"] == 30 * 60


def test_each_item_keeps_its_actual_times_and_the_delay_it_caused(conv, at, items, organizer):
    at("10:00")
    actions.next_item(conv, actor=organizer)
    at("10:35")  # 5 over
    actions.next_item(conv, actor=organizer)
    at("11:18")  # 45 min of 45 planned, from 10:35: ends 3 min late overall -> gained back 2
    actions.next_item(conv, actor=organizer)
    at("11:30")
    plan = state.day_plan(RunOfShow.objects.get(), items, actions.timezone.now())
    assert [r.caused for r in plan.rows[:3]] == [300, -120, 0]
    assert sum(r.caused for r in plan.rows) == plan.offset == 180
    assert [r.actual_seconds for r in plan.rows[:2]] == [35 * 60, 43 * 60]
    assert ItemRun.objects.filter(ended_at__isnull=False).count() == 2


def test_back_forgets_the_later_start_and_reopens_the_previous_item(conv, at, items, organizer):
    at("10:00")
    actions.next_item(conv, actor=organizer)
    at("10:31")
    actions.next_item(conv, actor=organizer)
    actions.previous_item(conv, actor=organizer, seen=items[1].pk)
    run = RunOfShow.objects.get()
    assert run.current == items[0]
    assert list(ItemRun.objects.values_list("item_id", "ended_at")) == [(items[0].pk, None)]
    assert journal()[-1] == "live.item_reopened"
    with pytest.raises(actions.LiveError):
        actions.previous_item(conv, actor=organizer)  # the first item of the day


def test_a_click_on_a_stale_console_is_refused(conv, at, items, organizer):
    at("10:00")
    actions.next_item(conv, actor=organizer, seen=None)
    with pytest.raises(actions.LiveError, match="moved on"):
        actions.next_item(conv, actor=organizer, seen=None)  # the other operator's same click
    assert RunOfShow.objects.get().current == items[0]
    assert ItemRun.objects.count() == 1


def test_a_rehearsal_weeks_before_the_day_counts_from_its_first_start(conv, items, clock):
    actions.start_item(conv, items[5], actor="demo")  # at T0, two weeks early
    clock.shift(60 * 40)  # 40 minutes of a 30-minute slot
    s = state.snapshot(conv)
    assert s["offset_seconds"] == 600
    assert s["upcoming"][0]["shifted_start"].endswith("15:25:00+01:00")


# --- the testimonies' queue -----------------------------------------------------------------


def test_the_queue_call_on_deck_done_skip_reorder(conv, at, slot, queue, organizer):
    at("14:45")
    actions.start_item(conv, slot, actor=organizer)
    s = state.snapshot(conv)
    assert s["speaker"] is None and s["on_deck"]["intervention"] == queue[0].pk
    assert [q["intervention"] for q in s["queue"]] == [i.pk for i in queue]

    actions.call_speaker(conv, actor=organizer)
    s = state.snapshot(conv)
    assert s["speaker"]["intervention"] == queue[0].pk and s["speaker"]["name"] == "Awa0 D."
    assert s["on_deck"] == {
        "intervention": queue[1].pk,
        "name": "Awa1 D.",
        "title": queue[1].title,
        "kind": "video",
        "video_ready": True,
        "video": {"url": None, "link": "https://video.example.org/centrale"},  # to preload
    }
    # the next call marks the first speaker done; a second operator's same click is refused
    actions.call_speaker(conv, actor=organizer, seen_speaker=queue[0].pk)
    with pytest.raises(actions.LiveError, match="speaker changed"):
        actions.call_speaker(conv, actor=organizer, seen_speaker=queue[0].pk)
    s = state.snapshot(conv)
    assert [q["status"] for q in s["queue"]] == ["done", "waiting", "waiting"]
    assert s["speaker"]["intervention"] == queue[1].pk
    # the third one is absent: skipped from the queue; then nobody is on deck
    actions.finish_speaker(conv, queue[2].pk, actor=organizer, skipped=True)
    assert state.snapshot(conv)["on_deck"] is None
    actions.finish_speaker(conv, actor=organizer)
    s = state.snapshot(conv)
    assert s["speaker"] is None and [q["status"] for q in s["queue"]] == ["done", "done", "skipped"]
    with pytest.raises(actions.LiveError):
        actions.call_speaker(conv, actor=organizer)  # nobody left
    with pytest.raises(actions.LiveError):
        actions.call_speaker(conv, queue[0].pk, actor=organizer)  # already done

    actions.reorder_queue(conv, [queue[2].pk, queue[0].pk, queue[1].pk], actor=organizer)
    actions.move_in_queue(conv, queue[1].pk, -1, actor=organizer)
    order = list(slot.placed_interventions.order_by("slot_position").values_list("pk", flat=True))
    assert order == [queue[2].pk, queue[1].pk, queue[0].pk]
    with pytest.raises(actions.LiveError, match="every intervention"):
        actions.reorder_queue(conv, [queue[0].pk], actor=organizer)
    assert journal()[1:] == [
        "live.speaker_called",
        "live.speaker_finished",
        "live.speaker_called",
        "live.speaker_skipped",
        "live.speaker_finished",
        "live.queue_reordered",
        "live.queue_reordered",
    ]
    assert kinds()[-3:] == ["speaker_finished", "queue_reordered", "queue_reordered"]


def test_the_speaking_timer_and_the_video(conv, at, slot, queue, organizer):
    at("14:45")
    actions.start_item(conv, slot, actor=organizer)
    actions.call_speaker(conv, actor=organizer)
    with pytest.raises(actions.LiveError, match="no video"):
        actions.play_video(conv, actor=organizer)
    actions.start_timer(conv, actor=organizer, seconds=120)
    at("14:46:30")
    s = state.snapshot(conv)
    assert s["speaker"]["seconds"] == 120
    assert s["speaker"]["started_at"].endswith("14:45:00+01:00")
    actions.stop_timer(conv, actor=organizer)
    assert Turn.objects.get(intervention=queue[0]).spoke_seconds == 90
    assert state.snapshot(conv)["speaker"]["started_at"] is None

    actions.call_speaker(conv, actor=organizer)  # the video
    actions.play_video(conv, actor=organizer)
    s = state.snapshot(conv)
    assert s["speaker"]["playing"] is True
    assert s["speaker"]["video"] == {"url": None, "link": "https://video.example.org/centrale"}
    actions.back_to_programme(conv, actor=organizer)
    assert state.snapshot(conv)["speaker"]["playing"] is False
    assert "live.video_played" in journal() and "live.programme_displayed" in journal()


def test_messages_and_blackout(conv, at, organizer):
    at("10:00")
    actions.show_message(conv, "  30   s ", "stage", actor=organizer)
    assert state.snapshot(conv)["message"] == {"text": "30 s", "target": "stage"}
    for text, target, error in [
        ("", "hall", "Write"),
        ("x" * 141, "hall", "140"),
        ("ok", "tv", "hall"),
    ]:
        with pytest.raises(actions.LiveError, match=error):
            actions.show_message(conv, text, target, actor=organizer)
    assert state.snapshot(conv)["message"]["text"] == "30 s"
    actions.set_blackout(conv, True, actor=organizer)
    assert state.snapshot(conv)["blackout"] is True
    actions.back_to_programme(conv, actor=organizer)
    s = state.snapshot(conv)
    assert s["blackout"] is False and s["message"] is None
    assert journal() == [
        "live.message_displayed",
        "live.blackout_started",
        "live.programme_displayed",
    ]


# --- votes on stage ---------------------------------------------------------------------------


@pytest.fixture
def hall_vote(conv, organizer):
    from pnyx.votes import actions as votes

    vote = votes.create_vote(
        conv,
        organizer,
        mode="published",
        question="La charte ?",
        method="approval",
        max_choices=1,
        seats=1,
        electorate="present",
        in_hall=True,
    )
    for title in ("Oui", "Non"):
        votes.add_option(vote, organizer, title=title)
    return vote


def test_an_in_hall_vote_opened_closed_and_announced_from_the_console(
    conv, at, hall_vote, organizer, make_member
):
    from pnyx.programme import actions as programme
    from pnyx.programme.models import Participant
    from pnyx.votes import actions as votes

    at("11:15")
    actions.open_vote(conv, hall_vote, actor=organizer, minutes=5)
    member = make_member()
    Participant.objects.create(convention=conv, member=member, source="invited")
    programme.check_in(Participant.objects.get(member=member))
    hall_vote.refresh_from_db()
    votes.cast(hall_vote, member, [hall_vote.options.first().code])
    s = state.snapshot(conv)
    assert s["vote"]["id"] == hall_vote.pk and s["vote"]["status"] == "open"
    assert s["vote"]["participation"] == 1 and s["vote"]["screen_url"].endswith("/ecran/")
    actions.close_vote(conv, hall_vote, actor=organizer, announce=True)
    s = state.snapshot(conv)
    assert s["vote"] is None and s["announcement"]["vote"] == hall_vote.pk
    actions.reveal_next(conv, hall_vote, actor=organizer)
    actions.end_announcement(conv, hall_vote, actor=organizer)
    assert state.snapshot(conv)["announcement"] is None
    hall_vote.refresh_from_db()
    assert hall_vote.status == "closed" and not hall_vote.announcing
    assert journal() == [
        "live.vote_opened",
        "live.vote_closed",
        "live.place_revealed",
        "live.announcement_ended",
    ]
    assert JournalEntry.objects.filter(action="vote.opened", object_id=str(hall_vote.pk)).exists()
    with pytest.raises(actions.LiveError, match="already"):
        actions.open_vote(conv, hall_vote, actor=organizer)


# --- snapshot() against the contract -----------------------------------------------------------


def _keys(value, path=""):
    out = set()
    if isinstance(value, dict):
        for k, v in value.items():
            out.add(k)
            out |= _keys(v)
    elif isinstance(value, list):
        for v in value:
            out |= _keys(v)
    return out


def test_snapshot_holds_every_key_of_the_contract(conv, at, slot, queue, hall_vote, organizer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    at("14:45")
    actions.start_item(conv, slot, actor=organizer)
    actions.call_speaker(conv, queue[1].pk, actor=organizer)  # the video
    actions.open_vote(conv, hall_vote, actor=organizer)
    actions.show_message(conv, "30 s", "hall", actor=organizer)
    RunOfShow.objects.update(announcement=hall_vote)
    with CaptureQueriesContext(connection) as queries:
        s = state.snapshot(conv)
    assert len(queries) <= 8  # it runs on every action
    documented = set(re.findall(r'"(\w+)":', state.__doc__))
    assert documented - _keys(s) == set()
    assert set(s) >= {
        "convention", "now", "driven", "offset_seconds", "blackout", "message", "current",
        "speaker", "on_deck", "queue", "upcoming", "vote", "announcement",
    }  # fmt: skip
    assert set(s["current"]) >= {
        "item", "title", "kind", "day", "planned_start", "planned_end", "planned_seconds",
        "started_at",
    }  # fmt: skip
    assert set(s["speaker"]) >= {
        "intervention", "name", "title", "kind", "seconds", "started_at", "video", "playing"
    }  # fmt: skip
    assert set(s["queue"][0]) >= {"intervention", "name", "title", "kind", "status"}
    assert set(s["upcoming"][0]) == {"item", "title", "kind", "planned_start", "shifted_start"}
    assert set(s["vote"]) == {"id", "title", "status", "participation", "url", "screen_url"}
    assert set(s["announcement"]) == {"vote", "url"}
    assert s["current"]["kind"] == "testimonies" and s["speaker"]["kind"] == "video"
    assert set(s["speaker"]["video"]) == {"url", "link"} and s["on_deck"]["kind"] == "speech"
    # every published event carries the state after its change
    last = LiveEvent.objects.order_by("id").last()
    assert last.kind == "message_shown" and last.state["message"]["text"] == "30 s"


# --- permissions and the pages -------------------------------------------------------------------

VERBS = [
    "next", "previous", "start", "release", "call", "timer-start", "timer-stop", "done", "skip",
    "up", "down", "play", "stop-video", "message", "clear-message", "blackout", "programme",
    "vote-open", "vote-show", "vote-close", "announce", "reveal", "announce-end",
]  # fmt: skip


def test_only_organizers_drive_the_console(conv, member_client, django_user_model):
    from django.test import Client

    anonymous = Client()
    urls = ["/organisation/regie/", "/organisation/regie/deroule/"]
    posts = [f"/organisation/regie/{verb}/" for verb in VERBS]
    for url in urls:
        response = anonymous.get(url)
        assert response.status_code == 302 and "next=" in response["Location"], url
    for url in posts:
        response = anonymous.post(url)
        assert response.status_code == 302 and "next=" in response["Location"], url
    for url in urls:
        assert member_client.get(url).status_code == 403, url
    for url in posts:
        assert member_client.post(url).status_code == 403, url
    staff = django_user_model.objects.create_user("staff", "s@example.org", "pw", is_staff=True)
    with pytest.raises(PermissionDenied):
        actions.next_item(conv, actor=staff)  # staff without the organizers' permission
    assert not RunOfShow.objects.filter(driven=True).exists() and not LiveEvent.objects.exists()


def test_the_console_page_drives_the_day_without_javascript(conv, at, slot, client, organizer):
    at("14:50")
    organizer_client = client
    client.force_login(organizer)  # after the clock moved (sessions expire)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = organizer_client.get("/organisation/regie/").content.decode()
    assert "Screens follow the clock" in page and slot.title in page
    response = organizer_client.post("/organisation/regie/start/", {"item": slot.pk, "seen": ""})
    assert response.status_code == 302 and response["Location"] == "/organisation/regie/"
    organizer_client.post("/organisation/regie/call/", {"seen": slot.pk, "speaker": ""})
    organizer_client.post("/organisation/regie/timer-start/", {"seconds": "90"})
    at("14:51")
    page = organizer_client.get("/organisation/regie/").content.decode()
    assert "Awa0 D." in page and "Call the next speaker" in page and 'data-seconds="90"' in page
    assert "1:00" in page and "0:30" in page  # elapsed and remaining, rendered by the server
    # a stale click says why nothing happened
    response = organizer_client.post("/organisation/regie/next/", {"seen": ""}, follow=True)
    assert "moved on meanwhile" in response.content.decode()
    assert RunOfShow.objects.get().current == slot
    page = organizer_client.get("/organisation/regie/deroule/").content.decode()
    assert slot.title in page and "Timeline of the day" in page


# --- two operators at once (PostgreSQL) -----------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_operators_clicking_next_at_once_move_one_step(conv, at, items, organizer):
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's")
    at("10:00")
    actions.next_item(conv, actor=organizer, seen=None)
    barrier = threading.Barrier(2)
    outcomes = []

    def click():
        try:
            barrier.wait()
            actions.next_item(conv, actor=organizer, seen=items[0].pk)
            outcomes.append("moved")
        except actions.LiveError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["moved", "refused"]
    assert RunOfShow.objects.get().current == items[1]
    assert ItemRun.objects.count() == 2


def test_picking_up_the_console_starts_the_item_the_clock_shows(conv, at, items, organizer):
    at("14:50")
    actions.next_item(conv, actor=organizer, seen=None)
    assert RunOfShow.objects.get().current == items[5]  # the testimonies, not the opening


def test_the_demo_puts_a_testimony_slot_with_a_video_on_stage(conv, make_member):
    from pnyx.live import demo as live_demo
    from pnyx.programme import demo as programme_demo

    for _ in range(6):
        make_member()
    programme_demo.load_interventions(conv)
    live_demo.load(conv)
    s = state.snapshot(conv)
    assert s["driven"] and s["current"]["kind"] == "testimonies"
    assert s["speaker"]["kind"] == "speech" and s["speaker"]["started_at"] is not None
    assert s["on_deck"]["kind"] == "video" and s["on_deck"]["video_ready"]
    assert s["offset_seconds"] == 0  # a rehearsal, weeks before the day, counts as on time
    assert live_demo.load(conv) is not None and LiveEvent.objects.count() == 3  # idempotent


def test_after_the_days_last_item_nothing_is_on_stage(conv, at, items, organizer):
    at("18:45")
    actions.start_item(conv, items[-1], actor=organizer)
    at("19:20")  # 5 minutes over
    actions.next_item(conv, actor=organizer)
    s = state.snapshot(conv)
    assert s["driven"] and s["current"] is None and s["upcoming"] == []
    assert s["offset_seconds"] == 300
