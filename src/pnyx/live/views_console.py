"""The run-of-show console (organizers only): thin views over `actions` and `state`.

Plain POST forms (no JavaScript needed), each redirecting back to the console; a small static
script ticks the timers between two page loads.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from pnyx.programme.models import Item, current_convention_or_404
from pnyx.programme.permissions import organizer_required
from pnyx.votes.models import Status, Vote

from . import actions
from .models import RunOfShow
from .state import day_items, day_plan, snapshot


def _run(convention) -> RunOfShow | None:
    return RunOfShow.objects.filter(convention=convention).select_related("current__day").first()


def _timer(started_at: str, seconds: int, now) -> dict:
    """A running timer as the page shows it before the script ticks it."""
    start = datetime.fromisoformat(started_at)
    elapsed = int((now - start).total_seconds())
    return {
        "start_ms": int(start.timestamp() * 1000),
        "seconds": seconds,
        "elapsed": elapsed,
        "remaining": seconds - elapsed,
    }


@organizer_required
@require_GET
def console(request):
    convention = current_convention_or_404(request)
    now = timezone.now()
    run = _run(convention)
    state = snapshot(convention, now)
    if run is not None and run.driven and run.current_id:
        day = run.current.day
    else:
        day = convention.days.filter(date=timezone.localdate(now)).first()
        day = day or convention.days.order_by("date").first()
    plan = day_plan(run, day_items(convention, day), now) if day else None
    queue = []
    if state["current"] and state["current"]["kind"] == "testimonies":
        queue = state["queue"]
    votes = list(
        Vote.objects.filter(convention=convention)
        .exclude(status=Status.DRAFT, in_hall=False)
        .order_by("-created_at")[:12]
    )
    current_row = None
    if plan and state["current"]:
        current_row = next((r for r in plan.rows if r.item.pk == state["current"]["item"]), None)
    item_timer = speaker_timer = None
    if state["current"] and state["current"]["started_at"]:
        item_timer = _timer(
            state["current"]["started_at"], state["current"]["planned_seconds"], now
        )
    if state["speaker"] and state["speaker"]["started_at"]:
        speaker_timer = _timer(state["speaker"]["started_at"], state["speaker"]["seconds"], now)
    return render(
        request,
        "live/console.html",
        {
            "convention": convention,
            "state": state,
            "run": run,
            "day": day,
            "plan": plan,
            "queue": queue,
            "hall_votes": [
                v for v in votes if v.in_hall and v.status in (Status.DRAFT, Status.PROPOSALS)
            ],
            "open_votes": [v for v in votes if v.status == Status.OPEN],
            "closed_votes": [v for v in votes if v.status == Status.CLOSED][:4],
            "seen": state["current"]["item"] if state["driven"] and state["current"] else "",
            "now": now,
            "now_ms": int(now.timestamp() * 1000),
            "item_timer": item_timer,
            "current_row": current_row,
            "speaker_timer": speaker_timer,
        },
    )


@organizer_required
@require_GET
def timeline(request):
    """The day's real timeline: each item's planned and actual times and the delay it caused."""
    convention = current_convention_or_404(request)
    now = timezone.now()
    run = _run(convention)
    days = [
        (day, day_plan(run, day_items(convention, day), now))
        for day in convention.days.order_by("date")
    ]
    return render(request, "live/timeline.html", {"convention": convention, "days": days})


def _int(request, name):
    value = request.POST.get(name)
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        raise actions.LiveError(_("Bad value for %(field)s.") % {"field": name}) from None


@organizer_required
@require_POST
def act(request, verb):
    convention = current_convention_or_404(request)
    actor = request.user
    seen = request.POST.get("seen", actions.ANY)

    def intervention():
        return _int(request, "intervention")

    def vote():
        return _int(request, "vote")

    verbs = {
        "next": lambda: actions.next_item(convention, actor=actor, seen=seen),
        "previous": lambda: actions.previous_item(convention, actor=actor, seen=seen),
        "start": lambda: actions.start_item(
            convention,
            get_object_or_404(Item, pk=_int(request, "item"), day__convention=convention),
            actor=actor,
            seen=seen,
        ),
        "release": lambda: actions.release(convention, actor=actor),
        "call": lambda: actions.call_speaker(
            convention,
            intervention(),
            actor=actor,
            seen=seen,
            seen_speaker=request.POST.get("speaker", actions.ANY),
        ),
        "timer-start": lambda: actions.start_timer(
            convention, actor=actor, seconds=_int(request, "seconds")
        ),
        "timer-stop": lambda: actions.stop_timer(convention, actor=actor),
        "done": lambda: actions.finish_speaker(convention, intervention(), actor=actor),
        "skip": lambda: actions.finish_speaker(
            convention, intervention(), actor=actor, skipped=True
        ),
        "up": lambda: actions.move_in_queue(convention, intervention(), -1, actor=actor),
        "down": lambda: actions.move_in_queue(convention, intervention(), 1, actor=actor),
        "play": lambda: actions.play_video(convention, actor=actor),
        "stop-video": lambda: actions.play_video(convention, actor=actor, playing=False),
        "message": lambda: actions.show_message(
            convention, request.POST.get("text", ""), request.POST.get("target", ""), actor=actor
        ),
        "clear-message": lambda: actions.clear_message(convention, actor=actor),
        "blackout": lambda: actions.set_blackout(convention, True, actor=actor),
        "programme": lambda: actions.back_to_programme(convention, actor=actor),
        "vote-open": lambda: actions.open_vote(
            convention, vote(), actor=actor, minutes=request.POST.get("minutes") or None
        ),
        "vote-show": lambda: actions.show_vote(convention, vote(), actor=actor),
        "vote-close": lambda: actions.close_vote(
            convention, vote(), actor=actor, announce=request.POST.get("announce") == "yes"
        ),
        "announce": lambda: actions.start_announcement(convention, vote(), actor=actor),
        "reveal": lambda: actions.reveal_next(convention, vote(), actor=actor),
        "announce-end": lambda: actions.end_announcement(convention, vote(), actor=actor),
    }
    if verb not in verbs:
        raise Http404
    try:
        verbs[verb]()
    except actions.LiveError as e:
        messages.error(request, str(e))
    return redirect("live:timeline" if request.POST.get("back") == "timeline" else "live:console")
