"""Publishing the live state and streaming it to every screen (server-sent events).

`publish(convention, kind)` is what every operator action calls, inside its transaction, after
changing the state: it stores a `LiveEvent` holding `state.snapshot(...)` and, once the
transaction commits, announces it on Redis (`REDIS_URL`, channel `<PNYX_LIVE_CHANNEL>:<id of the
convention>`) so that every server process pushes it to its connected clients.

In each server process, a `Hub` keeps ONE subscription per convention followed by at least one
client (a `Topic`) and fans each event out in memory to its clients' bounded queues (a client
whose queue is full is dropped: its connection ends, and the browser reconnects with
`Last-Event-ID` and catches up from the database). Without Redis (the demo, the tests), or
while Redis is unreachable, the topic looks for new events in the database every
`PNYX_LIVE_POLL_SECONDS`; with Redis it still looks every `PNYX_LIVE_SAFETY_SECONDS` (an
announcement lost while Redis was down is delivered then).

The state lives in the database: a restarted server loses nothing. See docs/live.md,
"The stream".
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
import time
import weakref
from dataclasses import dataclass, field
from functools import partial

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import LiveEvent

log = logging.getLogger(__name__)

DEFAULTS = {
    "PNYX_LIVE_CHANNEL": "pnyx:live",  # Redis channel prefix (the convention's id follows)
    "PNYX_LIVE_REDIS_URL": "",  # REDIS_URL
    "PNYX_LIVE_MAX_CLIENTS": 5000,  # streams per server process; more get 503
    "PNYX_LIVE_QUEUE_SIZE": 32,  # events waiting for one client before it is dropped
    "PNYX_LIVE_MAX_MISSED": 50,  # more missed than that on resume: only the latest state
    "PNYX_LIVE_HEARTBEAT_SECONDS": 15.0,
    "PNYX_LIVE_RETRY_MS": 3000,  # the browser's reconnection delay (SSE `retry:`)
    "PNYX_LIVE_POLL_SECONDS": 0.5,  # without Redis: how often a topic reads the database
    "PNYX_LIVE_SAFETY_SECONDS": 5.0,  # with Redis: how often it reads it anyway
    "PNYX_LIVE_STREAM_MAX_SECONDS": 3600.0,  # a stream ends then (the client resumes at once)
    "PNYX_LIVE_SYNC_STREAM_SECONDS": 25.0,  # under WSGI (runserver): a stream lasts that long
}


def setting(name: str):
    return getattr(settings, name, DEFAULTS[name])


def channel(convention_id: int) -> str:
    return f"{setting('PNYX_LIVE_CHANNEL')}:{convention_id}"


# --- publishing --------------------------------------------------------------------------------


def publish(convention, kind: str, state: dict | None = None) -> LiveEvent:
    """Store the state after a change (`state`, or `snapshot(convention)`) as the next event.

    Runs in the caller's transaction (or its own). The convention's row is locked first, so the
    events of one convention commit in the order of their ids (a client that has seen event N
    never misses an event < N committed later). On commit, the event is announced on Redis; a
    rolled-back transaction stores and announces nothing.
    """
    from pnyx.programme.models import Convention

    with transaction.atomic():
        Convention.objects.select_for_update().filter(pk=convention.pk).values_list("pk").first()
        if state is None:
            from .state import snapshot

            state = snapshot(convention)
        event = LiveEvent.objects.create(convention=convention, kind=kind, state=state)
        transaction.on_commit(partial(announce, event.convention_id, event.id, kind, state))
    return event


_redis_clients: dict[str, object] = {}


def _redis(url: str):
    client = _redis_clients.get(url)
    if client is None:
        import redis

        client = _redis_clients[url] = redis.Redis.from_url(
            url, socket_timeout=2, socket_connect_timeout=2
        )
    return client


def announce(convention_id: int, event_id: int, kind: str, state: dict) -> None:
    """Tell every server process (Redis pub/sub) that event `event_id` was committed."""
    url = setting("PNYX_LIVE_REDIS_URL")
    if not url:
        return  # the topics read the database every PNYX_LIVE_POLL_SECONDS
    payload = json.dumps({"id": event_id, "kind": kind, "state": state}, separators=(",", ":"))
    try:
        _redis(url).publish(channel(convention_id), payload)
    except Exception as exc:  # noqa: BLE001 - the event is stored; the safety read delivers it
        log.warning("live: could not announce event %s on Redis: %s", event_id, exc)


# --- the messages ------------------------------------------------------------------------------


def message(event_id: int, kind: str, state, reset: bool = False) -> dict:
    """The JSON object a client receives (stream and polling alike)."""
    out = {"id": event_id, "kind": kind, "state": state, "server_now": timezone.now().isoformat()}
    if reset:
        out["reset"] = True  # replaces whatever the client had, even with a smaller id
    return out


def frame(event_id: int, kind: str, state, reset: bool = False) -> bytes:
    """One server-sent event: its id, and the message as one line of JSON."""
    data = json.dumps(message(event_id, kind, state, reset), separators=(",", ":"))
    return f"id: {event_id}\ndata: {data}\n\n".encode()


def retry_frame() -> bytes:
    return f"retry: {int(setting('PNYX_LIVE_RETRY_MS'))}\n\n".encode()


HEARTBEAT = b": heartbeat\n\n"


def _initial_state(convention_id: int):
    """The state before any event (id 0): the console's snapshot, when it exists."""
    try:
        from pnyx.programme.models import Convention

        from .state import snapshot
    except ImportError:
        return None
    return snapshot(Convention.objects.get(pk=convention_id))


def latest(convention_id: int) -> tuple[int, str, object]:
    """(id, kind, state) of the latest event; (0, "initial", snapshot) before any."""
    row = (
        LiveEvent.objects.filter(convention_id=convention_id)
        .order_by("-id")
        .values_list("id", "kind", "state")
        .first()
    )
    if row is None:
        return 0, "initial", _initial_state(convention_id)
    return row


def latest_id(convention_id: int) -> int:
    return (
        LiveEvent.objects.filter(convention_id=convention_id)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    ) or 0


def events_after(convention_id: int, after: int, limit: int) -> list[tuple[int, str, object]]:
    return list(
        LiveEvent.objects.filter(convention_id=convention_id, id__gt=after)
        .order_by("id")
        .values_list("id", "kind", "state")[:limit]
    )


def backlog(convention_id: int, after: int | None) -> list[bytes]:
    """What a (re)connecting client receives first: exactly the events after `after`, in order;
    the latest state alone when it gave no id, missed too many, or has an id from the future."""
    if after is not None:
        missed_max = int(setting("PNYX_LIVE_MAX_MISSED"))
        missed = events_after(convention_id, after, missed_max + 1)
        if 0 < len(missed) <= missed_max:
            return [frame(*event) for event in missed]
        if not missed:
            if after <= latest_id(convention_id):
                return []  # up to date
            return [frame(*latest(convention_id), reset=True)]  # an id this log never had
    return [frame(*latest(convention_id))]


def _released(fn):
    """`fn`, then its database connection goes back (to the pool): a stream lasts for hours, and
    a connection held by each would exhaust PostgreSQL (or the pool). Not inside a transaction
    (the tests', or the caller's)."""

    def run(*args):
        from django.db import connection

        try:
            return fn(*args)
        finally:
            if not connection.in_atomic_block:
                connection.close()

    return sync_to_async(run)


# --- the fan-out in one process -----------------------------------------------------------------


@dataclass(eq=False)
class Listener:
    """One connected client: a bounded queue of (id, frame)."""

    topic: Topic
    queue: asyncio.Queue
    dropped: bool = False
    left: bool = False

    def offer(self, event_id: int, data: bytes) -> None:
        if self.dropped:
            return
        try:
            self.queue.put_nowait((event_id, data))
        except asyncio.QueueFull:
            self.dropped = True  # slow: its stream ends, it resumes from the database
            self.topic.hub.dropped += 1
            self.topic.listeners.discard(self)  # nothing more is queued for it


@dataclass(eq=False)
class Topic:
    """One convention followed in this process: one subscription, many listeners."""

    hub: Hub
    convention_id: int
    listeners: set = field(default_factory=set)
    last_id: int = 0
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task | None = None

    def receive(self, event_id: int, kind: str, state) -> None:
        """An event committed: to every listener, once, in order (duplicates are skipped)."""
        if event_id <= self.last_id:
            return
        self.last_id = event_id
        self.hub.events += 1
        data = frame(event_id, kind, state)
        for listener in list(self.listeners):
            listener.offer(event_id, data)

    async def catch_up(self) -> None:
        """Deliver what the database holds after the last event seen (no Redis, or lost)."""
        limit = int(setting("PNYX_LIVE_MAX_MISSED")) * 4
        for event in await _released(events_after)(self.convention_id, self.last_id, limit):
            self.receive(*event)

    async def run(self) -> None:
        while True:  # the database may be restarting: wait for it (clients wait for `ready`)
            try:
                self.last_id = await _released(latest_id)(self.convention_id)
                break
            except Exception as exc:  # noqa: BLE001
                log.warning("live: cannot read the event log (%s); trying again", exc)
                await asyncio.sleep(1.0)
        url = setting("PNYX_LIVE_REDIS_URL")
        poll = float(setting("PNYX_LIVE_POLL_SECONDS"))
        loop = asyncio.get_running_loop()
        while True:
            if url:
                try:
                    await self._follow_redis(url)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # noqa: BLE001 - Redis down: read the database
                    log.warning("live: Redis subscription lost (%s); reading the database", exc)
            self.ready.set()
            until = loop.time() + 5.0 if url else float("inf")  # then try Redis again
            while loop.time() < until:
                try:
                    await self.catch_up()
                except Exception as exc:  # noqa: BLE001 - the database is back soon
                    log.warning("live: cannot read the event log (%s)", exc)
                await asyncio.sleep(poll)

    async def _follow_redis(self, url: str) -> None:
        import redis.asyncio as aioredis

        client = aioredis.Redis.from_url(url, socket_connect_timeout=2)
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        subscribed = False
        try:
            await pubsub.subscribe(channel(self.convention_id))
            subscribed = True
            self.hub.subscriptions += 1
            await self.catch_up()  # what was committed before the subscription
            self.ready.set()
            safety = float(setting("PNYX_LIVE_SAFETY_SECONDS"))
            loop = asyncio.get_running_loop()
            checked = loop.time()
            while True:
                msg = await pubsub.get_message(timeout=safety)
                if msg and msg.get("type") == "message":
                    try:
                        data = json.loads(msg["data"])
                        self.receive(int(data["id"]), data["kind"], data["state"])
                    except (ValueError, KeyError, TypeError):
                        log.warning("live: malformed announcement on %s", msg.get("channel"))
                if loop.time() - checked >= safety:
                    await self.catch_up()
                    checked = loop.time()
        finally:
            self.hub.subscriptions -= subscribed
            try:
                await pubsub.aclose()
                await client.aclose()
            except Exception:  # noqa: BLE001,S110 - closing a broken connection
                pass


class Hub:
    """The clients of one process (one event loop), by convention."""

    def __init__(self):
        self.topics: dict[int, Topic] = {}
        self.dropped = 0  # clients dropped for being slow, since start
        self.events = 0  # events fanned out
        self.subscriptions = 0  # Redis subscriptions open
        self.listeners: set[Listener] = set()  # joined and not left (dropped ones included)

    @property
    def clients(self) -> int:
        return len(self.listeners)

    async def join(self, convention_id: int) -> Listener:
        topic = self.topics.get(convention_id)
        if topic is None:
            topic = self.topics[convention_id] = Topic(self, convention_id)
            # In a context of its own: not tied to the request that happened to start it.
            topic.task = asyncio.get_running_loop().create_task(
                topic.run(), context=contextvars.Context()
            )
        listener = Listener(topic, asyncio.Queue(maxsize=int(setting("PNYX_LIVE_QUEUE_SIZE"))))
        topic.listeners.add(listener)
        self.listeners.add(listener)
        global _connected
        _connected += 1
        # Registered before the topic reads the database: nothing committed from now on is
        # missed (the client's backlog is read after this, duplicates are skipped by id).
        try:
            await asyncio.wait_for(topic.ready.wait(), timeout=10)
        except TimeoutError:
            log.warning("live: topic %s not ready after 10 s", convention_id)
        return listener

    def leave(self, listener: Listener) -> None:
        global _connected
        if listener.left:
            return
        listener.left = True
        _connected -= 1
        self.listeners.discard(listener)
        topic = listener.topic
        topic.listeners.discard(listener)
        if not topic.listeners and self.topics.get(topic.convention_id) is topic:
            del self.topics[topic.convention_id]
            if topic.task is not None:
                topic.task.cancel()

    async def close(self) -> None:
        for listener in list(self.listeners):
            self.leave(listener)
        for topic in list(self.topics.values()):
            if topic.task is not None:
                topic.task.cancel()
                try:
                    await topic.task
                except (asyncio.CancelledError, Exception):  # noqa: BLE001,S110
                    pass
        self.topics.clear()


_connected = 0  # streams open in this process, all hubs together (read by the view's thread)


def connected() -> int:
    return _connected


_hubs: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def hub() -> Hub:
    """The hub of the running event loop (one per server process)."""
    loop = asyncio.get_running_loop()
    found = _hubs.get(loop)
    if found is None:
        found = _hubs[loop] = Hub()
    return found


# --- the streams -------------------------------------------------------------------------------


async def event_stream(convention_id: int, after: int | None, the_hub: Hub | None = None):
    """The server-sent events of one client under ASGI: retry, backlog, then pushed events."""
    the_hub = the_hub or hub()
    listener = await the_hub.join(convention_id)
    try:
        yield retry_frame()
        sent = after if after is not None else -1
        for data in await _released(backlog)(convention_id, after):
            yield data
            sent = int(data[4 : data.index(b"\n")])
        heartbeat = float(setting("PNYX_LIVE_HEARTBEAT_SECONDS"))
        loop = asyncio.get_running_loop()
        until = loop.time() + float(setting("PNYX_LIVE_STREAM_MAX_SECONDS"))
        while not listener.dropped and loop.time() < until:
            try:
                async with asyncio.timeout(heartbeat):
                    event_id, data = await listener.queue.get()
            except TimeoutError:
                yield HEARTBEAT
                continue
            if event_id > sent:
                sent = event_id
                yield data
    finally:
        the_hub.leave(listener)


def sync_stream(convention_id: int, after: int | None):
    """Under WSGI (runserver): the same messages, read from the database every
    PNYX_LIVE_POLL_SECONDS, for PNYX_LIVE_SYNC_STREAM_SECONDS; then the stream ends and the
    browser reconnects (Last-Event-ID). A worker thread is held meanwhile: fine for the demo;
    production runs `pnyx serve` with PNYX_SERVER=asgi."""
    yield retry_frame()
    sent = after
    for data in backlog(convention_id, after):
        yield data
        sent = int(data[4 : data.index(b"\n")])
    if sent is None:
        sent = latest_id(convention_id)
    poll = float(setting("PNYX_LIVE_POLL_SECONDS"))
    heartbeat = float(setting("PNYX_LIVE_HEARTBEAT_SECONDS"))
    start = beat = time.monotonic()
    while time.monotonic() - start < float(setting("PNYX_LIVE_SYNC_STREAM_SECONDS")):
        time.sleep(poll)
        for event in events_after(convention_id, sent, int(setting("PNYX_LIVE_MAX_MISSED"))):
            sent = event[0]
            yield frame(*event)
        if time.monotonic() - beat >= heartbeat:
            beat = time.monotonic()
            yield HEARTBEAT


# --- under ASGI: the stream without Django's request cycle --------------------------------------


def _current_convention_id() -> int | None:
    from pnyx.programme.models import current_convention

    convention = current_convention()
    return convention.pk if convention is not None else None


def _resume_id(scope) -> int | None | bool:
    """Last-Event-ID, else ?after=; False when malformed (Django's view then says why)."""
    from urllib.parse import parse_qs

    raw = dict(scope.get("headers") or []).get(b"last-event-id", b"").decode("latin-1").strip()
    if not raw:
        raw = (parse_qs(scope.get("query_string", b"").decode("latin-1")).get("after") or [""])[0]
    if not raw.strip():
        return None
    try:
        value = int(raw)
    except ValueError:
        return False
    return value if value >= 0 else False


class LiveStreamASGI:
    """Wraps the ASGI application: `GET /direct/flux/` is served here, straight from the event
    loop. Through Django's handler, each open stream would hold a thread for hours (its
    per-request thread, because some middleware is sync-only) and run the whole middleware
    chain. Anything unusual (another method, a bad id, no convention, the process full) goes to
    Django's view, which answers it (405, 400, 404, 503)."""

    def __init__(self, app, path: str = "/direct/flux/"):
        self.app = app
        self.path = path

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("method") != "GET":
            return await self.app(scope, receive, send)
        root = scope.get("root_path", "")
        path = (
            scope["path"][len(root) :] if root and scope["path"].startswith(root) else scope["path"]
        )
        after = _resume_id(scope) if path == self.path else False
        if after is False or connected() >= int(setting("PNYX_LIVE_MAX_CLIENTS")):
            return await self.app(scope, receive, send)
        convention_id = await _released(_current_convention_id)()
        if convention_id is None:
            return await self.app(scope, receive, send)
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"text/event-stream; charset=utf-8"),
                    (b"cache-control", b"no-cache, no-transform"),
                    (b"x-accel-buffering", b"no"),
                    (b"x-content-type-options", b"nosniff"),
                ],
            }
        )

        async def pump():
            async for data in event_stream(convention_id, after):
                await send({"type": "http.response.body", "body": data, "more_body": True})

        async def until_disconnect():
            while (await receive())["type"] != "http.disconnect":
                pass

        streaming = asyncio.ensure_future(pump())
        listening = asyncio.ensure_future(until_disconnect())
        try:
            done, _pending = await asyncio.wait(
                {streaming, listening}, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            for task in (streaming, listening):
                task.cancel()
            await asyncio.gather(streaming, listening, return_exceptions=True)
        if streaming in done and listening not in done:
            # The stream ended (time is up, or the client was too slow): the browser resumes.
            await send({"type": "http.response.body", "body": b"", "more_body": False})
