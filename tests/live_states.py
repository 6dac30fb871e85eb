"""Contract-shaped live states (src/pnyx/live/state.py's docstring) for the screens' tests:
built from a real convention's items, so that pages render what a console would publish."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def at(item, minutes: int = 0) -> dt.datetime:
    """The item's planned start (plus `minutes`), aware in the current time zone."""
    start = dt.datetime.combine(item.day.date, item.starts_at)
    return timezone.make_aware(start) + dt.timedelta(minutes=minutes)


def item_state(item, started_at=None) -> dict:
    start = at(item)
    end = timezone.make_aware(dt.datetime.combine(item.day.date, item.ends_at))
    return {
        "item": item.pk,
        "title": item.title,
        "kind": item.kind,
        "day": item.day.date.isoformat(),
        "planned_start": start.isoformat(),
        "planned_end": end.isoformat(),
        "planned_seconds": int((end - start).total_seconds()),
        "started_at": started_at.isoformat() if started_at else None,
    }


def speaker(n=5, name="Awa D.", title="Le bus du matin", kind="speech", seconds=180, **kw):
    started = kw.pop("started_at", None)
    return {
        "intervention": n,
        "name": name,
        "title": title,
        "kind": kind,
        "seconds": seconds,
        "started_at": started.isoformat() if started else None,
        "video": kw.pop("video", None),
        "playing": kw.pop("playing", False),
        **kw,
    }


def state(convention, now, current=None, offset_minutes=0, upcoming=(), **kw) -> dict:
    """The state at `now`: `current` an Item (started at `now` unless `started_at` given),
    `upcoming` Items shifted by the running delay; any other key of the contract by keyword."""
    started = kw.pop("started_at", now)
    offset = dt.timedelta(minutes=offset_minutes)
    return {
        "convention": convention.pk,
        "now": now.isoformat(),
        "driven": kw.pop("driven", True),
        "offset_seconds": int(offset.total_seconds()),
        "blackout": kw.pop("blackout", False),
        "message": kw.pop("message", None),
        "current": item_state(current, started) if current is not None else None,
        "speaker": kw.pop("speaker", None),
        "on_deck": kw.pop("on_deck", None),
        "queue": kw.pop("queue", []),
        "upcoming": [
            {
                "item": u.pk,
                "title": u.title,
                "kind": u.kind,
                "planned_start": at(u).isoformat(),
                "shifted_start": (at(u) + offset).isoformat(),
            }
            for u in upcoming
        ],
        "vote": kw.pop("vote", None),
        "announcement": kw.pop("announcement", None),
        **kw,
    }


def publish(convention, st: dict):
    """Publish `st` as the console would (the latest event is what every screen starts from)."""
    from pnyx.live import stream

    return stream.publish(convention, "test", state=st)
