"""The screens that follow the live state: the hall's projector, the speaker's stage timer,
backstage, and the public live page for phones (docs/live.md, "The screens").

Each page is rendered on the server from the live state (the latest published `LiveEvent`, or
`state.snapshot()` when none is newer), embedded with `json_script`; `live/screens.js` then
follows the stream (`live/live.js`) and updates the page. Views only read.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from pnyx.programme.models import (
    Item,
    ItemKind,
    Participant,
    current_convention_or_404,
)
from pnyx.programme.permissions import organizer_required


def idle_state(convention, now: dt.datetime) -> dict:
    """The contract's state when no console drives the day and no snapshot is available."""
    return {
        "convention": convention.pk,
        "now": now.isoformat(),
        "driven": False,
        "offset_seconds": 0,
        "blackout": False,
        "message": None,
        "current": None,
        "speaker": None,
        "on_deck": None,
        "queue": [],
        "upcoming": [],
        "vote": None,
        "announcement": None,
    }


def live_state(convention, now: dt.datetime | None = None) -> tuple[dict, int]:
    """The state every screen starts from, and the id of the event it comes from.

    The latest published event is what the stream has sent to every other screen: rendering
    from it (with its id as the stream's `lastId`) leaves no gap nor double. Without one, the
    console's `snapshot()` says what the clock drives (also when the latest event is not
    driven: the clock has moved since). `now` is always the server's, so that clients correct
    their clock.
    """
    from .state import snapshot
    from .stream import latest

    now = now or timezone.now()
    event_id, _kind, state = latest(convention.pk)
    if event_id and not (state or {}).get("driven"):
        # Nobody drives: what the clock says now, not when the console let go.
        state = snapshot(convention, now)
    state = {**idle_state(convention, now), **(state or {}), "now": now.isoformat()}
    return state, event_id


def _when(value):
    return timezone.localtime(parse_datetime(value)) if value else None


def _stream_urls() -> dict:
    """The stream's and the polling fallback's URLs (live-stream's), when they exist."""
    urls = {}
    for key, name in (("stream", "live:stream"), ("poll", "live:poll")):
        try:
            urls[key] = reverse(name)
        except NoReverseMatch:
            urls[key] = ""
    return urls


def _labels() -> dict:
    """The translated words the script needs (it holds no text of its own)."""
    return {
        "speech": _("Speech"),
        "video": _("Video"),
        "waiting": _("waiting"),
        "done": _("done"),
        "skipped": _("skipped"),
        "ready": _("video ready"),
        "not_ready": _("video not ready"),
        "on_time": _("on time"),
        "minutes": _("min"),
        "participation": _("ballots cast"),
        "vote_now": _("Vote now:"),
        "results": _("Results of the vote"),
        "nothing": _("Nothing on stage right now."),
        "offline": _("Reconnecting…"),
    }


def _context(request, convention, role: str, **extra) -> dict:
    state, last_id = live_state(convention)
    return {
        "convention": convention,
        "state": state,
        "view": view_of(state),
        "last_id": last_id,
        "role": role,
        "TIME_ZONE": settings.TIME_ZONE,
        "labels": _labels(),
        **_stream_urls(),
        **extra,
    }


def offset_label(seconds: int) -> str:
    """A running delay as people say it: "+12 min", "−3 min", "" when on time (under a minute)."""
    minutes = int(round((seconds or 0) / 60))
    if minutes == 0:
        return ""
    return f"+{minutes} min" if minutes > 0 else f"\u2212{-minutes} min"


def view_of(state: dict) -> dict:
    """What the templates need that the state holds as ISO strings: dates, the offset label."""
    current = state.get("current") or None
    if current:
        current = {
            **current,
            "planned_start_at": _when(current.get("planned_start")),
            "planned_end_at": _when(current.get("planned_end")),
        }
    upcoming = [
        {
            **u,
            "planned_at": _when(u.get("planned_start")),
            "shifted_at": _when(u.get("shifted_start") or u.get("planned_start")),
            "shift": offset_label(
                (
                    parse_datetime(u["shifted_start"]) - parse_datetime(u["planned_start"])
                ).total_seconds()
                if u.get("shifted_start") and u.get("planned_start")
                else 0
            ),
        }
        for u in state.get("upcoming") or []
    ]
    message = state.get("message") or None
    return {
        "current": current,
        "upcoming": upcoming,
        "offset": offset_label(state.get("offset_seconds") or 0),
        "hall_message": message["text"] if message and message.get("target") == "hall" else "",
        "stage_message": message["text"] if message and message.get("target") == "stage" else "",
    }


def timer_seconds(state: dict, now: dt.datetime | None = None) -> int | None:
    """The seconds left on the stage timer (negative: over time): the speaker's time when one
    speaks, else the current item's planned time; None when nothing runs."""
    now = now or parse_datetime(state["now"])
    speaker, current = state.get("speaker"), state.get("current")
    if speaker and speaker.get("seconds"):
        if not speaker.get("started_at"):
            return int(speaker["seconds"])
        return int(
            speaker["seconds"] - (now - parse_datetime(speaker["started_at"])).total_seconds()
        )
    if current and current.get("planned_seconds"):
        if not current.get("started_at"):
            return int(current["planned_seconds"])
        started = parse_datetime(current["started_at"])
        return int(current["planned_seconds"] - (now - started).total_seconds())
    return None


def clock(seconds: int | None) -> str:
    """12:05, −0:42 (over time), "" for None; as the script shows it."""
    if seconds is None:
        return ""
    sign = "\u2212" if seconds < 0 else ""
    s = abs(seconds)
    return f"{sign}{s // 60}:{s % 60:02d}"


# --- the pages ----------------------------------------------------------------------------


def follow_context(convention) -> dict:
    """What the clock-driven screen needs to follow the stream (and reload when driven)."""
    from .stream import latest_id

    return {"role": "clock", "last_id": latest_id(convention.pk), **_stream_urls()}


def hall_screen_if_driven(request, convention):
    """The hall's projector when a console drives the day, else None (programme's clock-driven
    screen shows the day)."""
    ctx = _context(request, convention, "hall")
    if not ctx["state"].get("driven"):
        return None
    return render(request, "live/hall.html", ctx)


@require_GET
def stage(request):
    """The speaker's confidence monitor: a huge countdown and the messages for the stage."""
    convention = current_convention_or_404(request)
    ctx = _context(request, convention, "stage")
    ctx["timer"] = timer_seconds(ctx["state"])
    ctx["timer_text"] = clock(ctx["timer"])
    return render(request, "live/stage.html", ctx)


@organizer_required
@require_GET
def backstage(request):
    """For the organizers: who speaks, who is next, the queue, the videos, the delay."""
    convention = current_convention_or_404(request)
    return render(request, "live/backstage.html", _context(request, convention, "backstage"))


@require_GET
def public(request):
    """The live page for phones: now, who speaks, what comes next with its shifted time, the
    open vote, and for a signed-in participant their table at the current step."""
    convention = current_convention_or_404(request)
    ctx = _context(request, convention, "phone")
    member = getattr(request.user, "member", None) if request.user.is_authenticated else None
    seats = my_tables(convention, member)
    item = (ctx["state"].get("current") or {}).get("item")
    ctx["my_tables"] = seats
    ctx["my_table"] = seats.get(str(item)) if item else None
    return render(request, "live/public.html", ctx)


def my_tables(convention, member) -> dict[str, dict]:
    """The member's table at each item of the day (by item id, as strings for JSON): their seat
    at each work step of the published hall plan, and their topic table at the topic items.
    Empty for anyone who is not a participant. Reuses the itinerary's query."""
    if member is None:
        return {}
    from pnyx.workshops.models import Hall
    from pnyx.workshops.queries import itineraries

    participant = Participant.objects.filter(convention=convention, member=member).first()
    hall = Hall.objects.filter(convention=convention).first()
    if participant is None or hall is None:
        return {}
    it = itineraries(hall, [participant])[0]
    out: dict[str, dict] = {}
    for s in it["seats"]:
        if s["step"] is not None and s["step"].item_id:
            out[str(s["step"].item_id)] = {
                "table": s["table"],
                "text": _("Table %(table)s · part %(part)s · %(campaign)s")
                % {"table": s["table"], "part": s["part"], "campaign": s["campaign"].name},
            }
    if it["topic"] is not None:
        for pk in Item.objects.filter(
            day__convention=convention, kind=ItemKind.TOPIC_TABLES
        ).values_list("pk", flat=True):
            out[str(pk)] = {
                "table": it["topic"].table,
                "text": _("Table %(table)s · %(topic)s")
                % {"table": it["topic"].table, "topic": it["topic"].topic.name},
            }
    return out
