"""The live stream: SSE framing, resume, the polling fallback, publish on commit, the fan-out
(in one process, and across two through Redis), the bound on a slow client's queue."""

import asyncio
import datetime as dt
import json
import os
import uuid

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.core import signals
from django.db import close_old_connections, transaction

from pnyx.live import stream as live
from pnyx.live.models import LiveEvent

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"


@pytest.fixture
def conv(db):
    from pnyx.programme.models import Convention

    return Convention.objects.create(
        slug="c",
        name="C",
        starts_on=dt.date(2030, 1, 5),
        ends_on=dt.date(2030, 1, 6),
        is_current=True,
    )


@pytest.fixture
def no_redis(settings):
    settings.PNYX_LIVE_REDIS_URL = ""
    settings.PNYX_LIVE_POLL_SECONDS = 0.01
    settings.PNYX_LIVE_SYNC_STREAM_SECONDS = 0  # under WSGI: the backlog, then the end
    return settings


@pytest.fixture
def redis_url(settings):
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    settings.PNYX_LIVE_REDIS_URL = REDIS_URL
    settings.PNYX_LIVE_CHANNEL = f"pnyx-test:{uuid.uuid4().hex}"  # Redis is shared
    return REDIS_URL


def events(conv, n, start=0):
    return [live.publish(conv, "message", state={"n": start + i}) for i in range(n)]


def parse(body: bytes) -> list[dict]:
    """The SSE messages of a body: each a dict of its fields (comments as ':')."""
    out = []
    for block in body.decode().split("\n\n"):
        if not block:
            continue
        fields = {}
        for line in block.split("\n"):
            key, _, value = line.partition(":")
            fields[key or ":"] = value.strip()
        out.append(fields)
    return out


def data_ids(messages):
    return [int(m["id"]) for m in messages if "data" in m]


# --- the stream under WSGI (runserver, the test client) ----------------------------------------


def test_stream_frames_each_event_with_its_id_and_sets_retry(client, conv, no_redis):
    e1, e2 = events(conv, 2)
    response = client.get("/direct/flux/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/event-stream")
    assert response["Cache-Control"].startswith("no-cache")
    messages = parse(b"".join(response.streaming_content))
    assert messages[0] == {"retry": "3000"}
    # Without an id: the latest state only, with its id, as one line of JSON.
    assert data_ids(messages) == [e2.id]
    data = json.loads(messages[1]["data"])
    assert data["id"] == e2.id and data["state"] == {"n": 1} and data["kind"] == "message"
    assert "server_now" in data


def test_resume_sends_exactly_the_missed_events_in_order(client, conv, no_redis):
    e = events(conv, 4)
    body = b"".join(client.get(f"/direct/flux/?after={e[0].id}").streaming_content)
    assert data_ids(parse(body)) == [e[1].id, e[2].id, e[3].id]
    # Last-Event-ID (the browser's reconnection) wins over the first connection's ?after=.
    body = b"".join(
        client.get(
            f"/direct/flux/?after={e[0].id}", HTTP_LAST_EVENT_ID=str(e[2].id)
        ).streaming_content
    )
    assert data_ids(parse(body)) == [e[3].id]
    body = b"".join(client.get(f"/direct/flux/?after={e[3].id}").streaming_content)
    assert data_ids(parse(body)) == []  # up to date


def test_resume_too_far_behind_or_from_another_log_gets_the_latest(client, conv, no_redis):
    no_redis.PNYX_LIVE_MAX_MISSED = 2
    e = events(conv, 4)
    body = b"".join(client.get(f"/direct/flux/?after={e[0].id}").streaming_content)
    assert data_ids(parse(body)) == [e[3].id]
    body = b"".join(client.get("/direct/flux/", HTTP_LAST_EVENT_ID="999999").streaming_content)
    (latest,) = [json.loads(m["data"]) for m in parse(body) if "data" in m]
    assert latest["id"] == e[3].id and latest["reset"] is True


def test_a_bad_event_id_is_refused_by_name(client, conv, no_redis):
    response = client.get("/direct/flux/?after=abc")
    assert response.status_code == 400
    assert "Last-Event-ID" in response.content.decode()
    assert client.post("/direct/flux/", "", content_type="text/plain").status_code == 405


def test_the_wsgi_stream_reads_new_events_until_its_time_is_up(conv, no_redis):
    no_redis.PNYX_LIVE_SYNC_STREAM_SECONDS = 5
    no_redis.PNYX_LIVE_HEARTBEAT_SECONDS = 0
    (e1,) = events(conv, 1)
    gen = live.sync_stream(conv.pk, None)
    assert next(gen).startswith(b"retry:")
    assert data_ids(parse(next(gen))) == [e1.id]
    (e2,) = events(conv, 1, start=1)
    assert data_ids(parse(next(gen))) == [e2.id]  # read from the database
    assert next(gen) == live.HEARTBEAT
    gen.close()


# --- the polling fallback ----------------------------------------------------------------------


def test_poll_returns_the_latest_state_or_304(client, conv, no_redis):
    e1, e2 = events(conv, 2)
    response = client.get("/direct/etat.json")
    assert response.status_code == 200
    assert response.json()["id"] == e2.id and response.json()["state"] == {"n": 1}
    assert client.get(f"/direct/etat.json?after={e2.id}").status_code == 304
    assert client.get(f"/direct/etat.json?after={e1.id}").json()["id"] == e2.id
    assert client.get("/direct/etat.json", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    assert client.get("/direct/etat.json?after=-1").status_code == 400
    assert client.post("/direct/etat.json", "", content_type="text/plain").status_code == 405
    # A body is refused before anything reads it (GET only).
    refused = client.generic("GET", "/direct/etat.json", data=b"x" * 10)
    assert refused.status_code == 413


# --- publish: only on commit -------------------------------------------------------------------


def test_a_rolled_back_publish_stores_and_announces_nothing(conv, redis_url):
    import redis

    pubsub = redis.Redis.from_url(redis_url).pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe(live.channel(conv.pk))
    try:
        with pytest.raises(RuntimeError), transaction.atomic():
            live.publish(conv, "message", state={"n": "rolled back"})
            raise RuntimeError
        assert LiveEvent.objects.count() == 0
        assert pubsub.get_message(timeout=0.2) is None
        with transaction.atomic():  # inside the test's transaction: a savepoint
            event = live.publish(conv, "message", state={"n": "kept"})
        assert pubsub.get_message(timeout=0.05) is None  # not committed yet
        live.announce(event.convention_id, event.id, event.kind, event.state)  # what commit runs
        msg = pubsub.get_message(timeout=2)
        assert json.loads(msg["data"]) == {
            "id": event.id,
            "kind": "message",
            "state": {"n": "kept"},
        }
    finally:
        pubsub.close()


def test_publish_announces_on_commit(conv, no_redis, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            live.publish(conv, "message", state={})
            raise RuntimeError
    assert callbacks == [] and LiveEvent.objects.count() == 0
    with django_capture_on_commit_callbacks() as callbacks:
        live.publish(conv, "message", state={})
    assert len(callbacks) == 1 and callbacks[0].func is live.announce


# --- the fan-out, under ASGI -------------------------------------------------------------------


async def take(listener, n, timeout=5):
    out = []
    async with asyncio.timeout(timeout):
        while len(out) < n:
            out.append((await listener.queue.get())[0])
    return out


def test_two_processes_receive_one_publish_through_redis(conv, redis_url):
    async def run():
        hub_a, hub_b = live.Hub(), live.Hub()  # two server processes, one subscription each
        try:
            a = await hub_a.join(conv.pk)
            b = await hub_b.join(conv.pk)
            await hub_a.join(conv.pk)  # a second client of process A: same subscription
            assert hub_a.subscriptions == 1 and hub_b.subscriptions == 1
            live.announce(conv.pk, 10**9, "message", {"n": "pushed"})
            assert await take(a, 1) == [10**9]
            assert await take(b, 1) == [10**9]
        finally:
            await hub_a.close()
            await hub_b.close()

    async_to_sync(run)()


def test_without_redis_a_topic_reads_new_events_from_the_database(conv, no_redis):
    async def run():
        the_hub = live.Hub()
        try:
            listener = await the_hub.join(conv.pk)
            e = await sync_to_async(events)(conv, 2)
            assert await take(listener, 2) == [e[0].id, e[1].id]
        finally:
            await the_hub.close()

    async_to_sync(run)()


def test_while_redis_is_unreachable_the_topic_reads_the_database(conv, no_redis):
    no_redis.PNYX_LIVE_REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there

    async def run():
        the_hub = live.Hub()
        try:
            listener = await the_hub.join(conv.pk)
            assert the_hub.subscriptions == 0
            e = await sync_to_async(events)(conv, 1)
            assert await take(listener, 1) == [e[0].id]
        finally:
            await the_hub.close()

    async_to_sync(run)()


def test_a_slow_client_is_dropped_not_buffered(conv, no_redis):
    no_redis.PNYX_LIVE_QUEUE_SIZE = 3

    async def run():
        the_hub = live.Hub()
        try:
            slow = await the_hub.join(conv.pk)
            fast = await the_hub.join(conv.pk)
            topic = slow.topic
            for i in range(1, 6):
                topic.receive(topic.last_id + 1, "message", {"n": i})
                await take(fast, 1)
            assert slow.queue.qsize() == 3  # bounded
            assert slow.dropped and slow not in topic.listeners and the_hub.dropped == 1
            assert fast in topic.listeners
            assert the_hub.clients == 2  # until the slow one's stream ends (it resumes later)
        finally:
            await the_hub.close()

    async_to_sync(run)()


def test_a_dropped_client_s_stream_ends_so_that_it_resumes(conv, no_redis):
    no_redis.PNYX_LIVE_QUEUE_SIZE = 2
    (e1,) = events(conv, 1)

    async def run():
        the_hub = live.Hub()
        try:
            stream = live.event_stream(conv.pk, None, the_hub)
            assert (await anext(stream)).startswith(b"retry:")
            assert data_ids(parse(await anext(stream))) == [e1.id]
            (listener,) = the_hub.listeners
            for i in range(3):  # the client reads nothing meanwhile
                listener.topic.receive(listener.topic.last_id + 1, "message", {"n": i})
            with pytest.raises(StopAsyncIteration):
                await anext(stream)
            assert the_hub.clients == 0 and the_hub.dropped == 1
        finally:
            await the_hub.close()

    async_to_sync(run)()


def call_asgi(path, headers=(), until=None):
    """Run the ASGI application on one GET until `until(body)` holds, then disconnect."""
    from pnyx.asgi import application

    async def run():
        sent = {"status": None, "headers": {}, "body": b""}
        done = asyncio.Event()
        disconnect = asyncio.Event()
        requested = False

        async def receive():
            nonlocal requested
            if not requested:
                requested = True
                return {"type": "http.request", "body": b"", "more_body": False}
            await disconnect.wait()
            return {"type": "http.disconnect"}

        async def send(message):
            if message["type"] == "http.response.start":
                sent["status"] = message["status"]
                sent["headers"] = {k.decode().lower(): v.decode() for k, v in message["headers"]}
            elif message["type"] == "http.response.body":
                sent["body"] += message.get("body", b"")
                if until is None or until(sent["body"]) or not message.get("more_body"):
                    done.set()

        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": path.split("?")[0],
            "raw_path": path.encode(),
            "query_string": path.partition("?")[2].encode(),
            "root_path": "",
            "headers": [(b"host", b"testserver"), *headers],
            "client": ("127.0.0.1", 1),
            "server": ("testserver", 80),
        }
        task = asyncio.ensure_future(application(scope, receive, send))
        waiting = asyncio.ensure_future(done.wait())
        async with asyncio.timeout(10):
            await asyncio.wait({task, waiting}, return_when=asyncio.FIRST_COMPLETED)
        waiting.cancel()
        if task.done():
            task.result()  # the application's error, if any
        disconnect.set()
        async with asyncio.timeout(10):
            await task
        return sent

    # As Django's test client does: the test's transaction must survive the request.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        return async_to_sync(run)()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def test_asgi_stream_resumes_pushes_and_beats(conv, no_redis):
    no_redis.PNYX_LIVE_HEARTBEAT_SECONDS = 0.05
    e = events(conv, 3)
    before = live.connected()
    requests = []

    def started(**kwargs):
        requests.append(kwargs)

    signals.request_started.connect(started)
    try:
        sent = call_asgi(
            "/direct/flux/",
            headers=[(b"last-event-id", str(e[0].id).encode())],
            until=lambda body: live.HEARTBEAT in body,
        )
    finally:
        signals.request_started.disconnect(started)
    assert requests == []  # served from the event loop, not through Django's request cycle
    assert sent["status"] == 200
    assert sent["headers"]["content-type"].startswith("text/event-stream")
    messages = parse(sent["body"])
    assert messages[0] == {"retry": "3000"}
    assert data_ids(messages) == [e[1].id, e[2].id]
    assert {":": "heartbeat"} in messages
    assert live.connected() == before  # the client left: nothing kept for it


def test_asgi_stream_refuses_when_full_or_asked_nonsense(conv, no_redis):
    no_redis.PNYX_LIVE_MAX_CLIENTS = 0
    sent = call_asgi("/direct/flux/")
    assert sent["status"] == 503 and sent["headers"]["retry-after"] == "30"
    no_redis.PNYX_LIVE_MAX_CLIENTS = 10
    assert call_asgi("/direct/flux/?after=x")["status"] == 400  # Django's view says why
