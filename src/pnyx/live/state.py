"""The live state of a convention as one JSON document: what every screen and phone shows.

`snapshot(convention, now)` is the contract between the console (which changes the state) and
the stream and screens (which show it). Times are ISO 8601 with offset; durations in seconds.
Clients compute running timers from `started_at` and the server's `now` (so no tick events).

    {
      "convention": 1,
      "now": "2027-01-16T14:03:10+01:00",
      "driven": true,                   # a console runs the day (false: the clock drives it)
      "offset_seconds": 720,            # running delay of the day: +12 min (negative: early)
      "blackout": false,                # the hall screen shows the logo slide only
      "message": {"text": "30 s", "target": "stage"} | null,   # target: "hall" | "stage"
      "current": {                      # the item on stage, or null
        "item": 12, "title": "...", "kind": "testimonies", "day": "2027-01-16",
        "planned_start": iso, "planned_end": iso, "planned_seconds": 2700,
        "started_at": iso | null        # when the operator started it (null: clock-driven)
      },
      "speaker": {                      # who speaks now in a testimony slot, or null
        "intervention": 5, "name": "Awa D.", "title": "...", "kind": "speech" | "video",
        "seconds": 180,                 # the speaking time allowed
        "started_at": iso | null,       # the speaking timer runs since (null: not started)
        "video": {"url": "/media/...", "link": "https://..."} | null,
        "playing": false                # the video plays on the hall screen
      },
      "on_deck": {"intervention": 6, "name": "...", "title": "...", "kind": "...",
                  "video_ready": true} | null,
      "queue": [{"intervention": 7, "name": "...", "title": "...", "kind": "...",
                 "status": "waiting" | "done" | "skipped"}],
      "upcoming": [{"item": 13, "title": "...", "kind": "...",
                    "planned_start": iso, "shifted_start": iso}],   # the next items
      "vote": {"id": 3, "title": "...", "status": "open", "participation": 412,
               "url": "/votes/3/", "screen_url": "/votes/3/ecran/"} | null,
      "announcement": {"vote": 2, "url": "/votes/2/ecran/"} | null,
      "speaking_seconds": 180           # added: the default speaking time of a testimony
    }

Added by the console (keys only added, none renamed): `speaking_seconds` above; each `queue`
entry's `"speaking": true|false` (the one at the microphone, still "waiting" until marked done
or skipped); in `speaker.video`, `url` or `link` is null when the intervention has none. When
no console runs (`driven: false`) the state is the clock's: the item whose planned times hold
`now`, `upcoming` at their planned times, no speaker, `offset_seconds` 0. When a console
drives but has nothing on stage (between two items, after the day's last), `current` is null
and `upcoming` lists the items after the last one run, at their shifted starts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone

from pnyx.programme.models import InterventionFormat, Item, ItemKind

from . import timing
from .models import ItemRun, RunOfShow, TurnStatus

UPCOMING = 4  # how many next items the state lists


def _iso(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def _at(day: dt.date, time: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, time))


def _ts(value: dt.datetime) -> int:
    return int(value.timestamp())


@dataclass
class Row:
    """One item of a day as the run-of-show sees it."""

    item: Item
    planned_start: dt.datetime
    planned_end: dt.datetime
    started_at: dt.datetime | None
    ended_at: dt.datetime | None
    start: dt.datetime  # actual or projected
    end: dt.datetime
    caused: int  # seconds of delay this item caused (0 if it did not run)

    @property
    def planned_seconds(self) -> int:
        return int((self.planned_end - self.planned_start).total_seconds())

    @property
    def shift(self) -> int:
        return int((self.start - self.planned_start).total_seconds())

    @property
    def actual_seconds(self) -> int | None:
        if self.started_at is None or self.ended_at is None:
            return None
        return int((self.ended_at - self.started_at).total_seconds())


@dataclass
class Plan:
    rows: list[Row]
    offset: int
    current: int | None  # index of the running item in rows


def day_plan(run: RunOfShow | None, items: list[Item], now: dt.datetime, runs=None) -> Plan:
    """A day's items (in running order) with their actual and projected times (one query for
    the item runs unless `runs` {item id: ItemRun} is given)."""
    if runs is None:
        runs = (
            {r.item_id: r for r in ItemRun.objects.filter(run=run, item__in=items)}
            if run is not None
            else {}
        )
    planned_times = [(_at(i.day.date, i.starts_at), _at(i.day.date, i.ends_at)) for i in items]
    planned = [timing.Planned(_ts(s), _ts(e) - _ts(s)) for s, e in planned_times]
    # A rehearsal (the first item run on another date than its day's) is anchored: that item
    # counts as started on time, and delays add up from there.
    shift = 0
    first = next((k for k, i in enumerate(items) if i.pk in runs), None)
    if first is not None:
        started = runs[items[first].pk].started_at
        if timezone.localdate(started) != items[first].day.date:
            shift = planned[first].start - _ts(started)

    def at(value):
        return _ts(value) + shift if value else None

    actual = [
        timing.Actual(
            at(runs[i.pk].started_at) if i.pk in runs else None,
            at(runs[i.pk].ended_at) if i.pk in runs else None,
        )
        for i in items
    ]
    p = timing.project(planned, actual, _ts(now) + shift)
    tz = timezone.get_current_timezone()
    rows = []
    for k, item in enumerate(items):
        r = runs.get(item.pk)
        rows.append(
            Row(
                item,
                planned_times[k][0],
                planned_times[k][1],
                r.started_at if r else None,
                r.ended_at if r else None,
                dt.datetime.fromtimestamp(p.starts[k], tz),
                dt.datetime.fromtimestamp(p.ends[k], tz),
                p.caused[k],
            )
        )
    return Plan(rows, p.offset, p.current)


def day_items(convention, day=None) -> list[Item]:
    qs = Item.objects.filter(day__convention=convention).select_related("day")
    if day is not None:
        qs = qs.filter(day=day)
    return list(qs.order_by("day__date", "starts_at", "order"))


def _name(member) -> str:
    last = (member.last_name or "").strip()
    return f"{member.first_name} {last[:1]}." if last else member.first_name


def _kind(intervention) -> str:
    return "video" if intervention.format == InterventionFormat.VIDEO else "speech"


def _video(intervention) -> dict | None:
    if not intervention.has_video:
        return None
    return {
        # The programme's route serves the file (MEDIA_URL is not served) once it is placed.
        "url": reverse("programme:video", args=[intervention.pk])
        if intervention.video_file
        else None,
        "link": intervention.video_link or None,
    }


def queue_of(run: RunOfShow | None, slot: Item) -> list[tuple]:
    """The queue of a testimony slot: [(intervention, status)] in the programme's order."""
    interventions = list(
        slot.placed_interventions.select_related("member").order_by("slot_position", "pk")
    )
    turns = {}
    if run is not None and interventions:
        turns = {
            t.intervention_id: t.status
            for t in run.turns.filter(intervention__in=interventions).only(
                "intervention_id", "status"
            )
        }
    return [(i, turns.get(i.pk, TurnStatus.WAITING)) for i in interventions]


def on_deck(queue: list[tuple], speaker_id: int | None):
    """The next one waiting after the speaker (or the first waiting when nobody speaks)."""
    ids = [i.pk for i, _s in queue]
    start = ids.index(speaker_id) + 1 if speaker_id in ids else 0
    for intervention, status in queue[start:]:
        if status == TurnStatus.WAITING and intervention.pk != speaker_id:
            return intervention
    return None


def _item(row: Row | None, item: Item, started_at=None) -> dict:
    start = row.planned_start if row else _at(item.day.date, item.starts_at)
    end = row.planned_end if row else _at(item.day.date, item.ends_at)
    return {
        "item": item.pk,
        "title": item.title,
        "kind": item.kind,
        "day": item.day.date.isoformat(),
        "planned_start": _iso(start),
        "planned_end": _iso(end),
        "planned_seconds": int((end - start).total_seconds()),
        "started_at": _iso(started_at),
    }


def snapshot(convention, now: dt.datetime | None = None) -> dict:
    """The live state of `convention` at `now`, per the contract above (about six queries)."""
    now = now or timezone.now()
    run = (
        RunOfShow.objects.filter(convention=convention)
        .select_related("current__day", "speaker__member", "vote", "announcement")
        .first()
    )
    driven = bool(run and run.driven)
    state: dict = {
        "convention": convention.pk,
        "now": _iso(now),
        "driven": driven,
        "offset_seconds": 0,
        "blackout": bool(run and run.blackout),
        "message": (
            {"text": run.message, "target": run.message_target} if run and run.message else None
        ),
        "current": None,
        "speaker": None,
        "on_deck": None,
        "queue": [],
        "upcoming": [],
        "vote": None,
        "announcement": None,
        "speaking_seconds": run.speaking_seconds
        if run
        else RunOfShow.speaking_seconds.field.default,
    }
    current = None
    if driven and run.current_id:
        current = run.current
        plan = day_plan(run, day_items(convention, current.day_id), now)
        index = next(k for k, r in enumerate(plan.rows) if r.item.pk == current.pk)
        row = plan.rows[index]
        state["offset_seconds"] = plan.offset
        state["current"] = _item(row, current, row.started_at)
        later = plan.rows[index + 1 : index + 1 + UPCOMING]
    elif driven and (
        last := ItemRun.objects.filter(run=run)
        .select_related("item")
        .order_by("-started_at")
        .first()
    ):
        # Between two items (or after the day's last): nothing on stage, say the operators.
        plan = day_plan(run, day_items(convention, last.item.day_id), now)
        index = next(k for k, r in enumerate(plan.rows) if r.item.pk == last.item_id)
        state["offset_seconds"] = plan.offset
        later = plan.rows[index + 1 : index + 1 + UPCOMING]
    else:
        items = day_items(convention)
        clock = [(_at(i.day.date, i.starts_at), _at(i.day.date, i.ends_at), i) for i in items]
        current = next((i for s, e, i in clock if s <= now < e), None)
        if current is not None:
            state["current"] = _item(None, current)
        later = [Row(i, s, e, None, None, s, e, 0) for s, e, i in clock if s > now][:UPCOMING]
    state["upcoming"] = [
        {
            "item": r.item.pk,
            "title": r.item.title,
            "kind": r.item.kind,
            "planned_start": _iso(r.planned_start),
            "shifted_start": _iso(r.start),
        }
        for r in later
    ]
    if current is not None and current.kind == ItemKind.TESTIMONIES:
        queue = queue_of(run, current)
        speaker_id = run.speaker_id if driven else None
        state["queue"] = [
            {
                "intervention": i.pk,
                "name": _name(i.member),
                "title": i.title,
                "kind": _kind(i),
                "status": status,
                "speaking": i.pk == speaker_id,
            }
            for i, status in queue
        ]
        if speaker_id is not None and any(i.pk == speaker_id for i, _s in queue):
            s = run.speaker
            state["speaker"] = {
                "intervention": s.pk,
                "name": _name(s.member),
                "title": s.title,
                "kind": _kind(s),
                "seconds": run.speaking_seconds,
                "started_at": _iso(run.speaker_started_at),
                "video": _video(s),
                "playing": run.playing,
            }
        deck = on_deck(queue, speaker_id)
        if deck is not None:
            state["on_deck"] = {
                "intervention": deck.pk,
                "name": _name(deck.member),
                "title": deck.title,
                "kind": _kind(deck),
                "video_ready": deck.has_video,
                "video": _video(deck),  # the hall screen preloads it (docs/live.md)
            }
    if run is not None and run.vote_id:
        v = run.vote
        state["vote"] = {
            "id": v.pk,
            "title": v.question,
            "status": v.status,
            "participation": v.participations.count(),
            "url": reverse("votes:detail", args=[v.pk]),
            "screen_url": reverse("votes:screen", args=[v.pk]),
        }
    if run is not None and run.announcement_id:
        state["announcement"] = {
            "vote": run.announcement_id,
            "url": reverse("votes:screen", args=[run.announcement_id]),
        }
    return state
