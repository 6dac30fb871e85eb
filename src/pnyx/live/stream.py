"""Publishing the live state and streaming it to every screen (server-sent events).

`publish(convention, kind)` is what every operator action calls, inside its transaction, after
changing the state: it stores a `LiveEvent` holding `state.snapshot(...)` and, once the
transaction commits, announces it on Redis (`REDIS_URL`) so that every server process pushes it
to its connected clients.
"""

from __future__ import annotations

from .models import LiveEvent


def publish(convention, kind: str, state: dict | None = None) -> LiveEvent:
    """Store the state after a change (`state`, or `snapshot(convention)`) as the next event.

    Minimal first version: the event log only. The stream (live-stream) adds the Redis
    announcement on commit and the server-sent events that carry it to the screens.
    """
    if state is None:
        from .state import snapshot

        state = snapshot(convention)
    return LiveEvent.objects.create(convention=convention, kind=kind, state=state)
