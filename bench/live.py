"""The live stream under load: 2,000 phones following the day, pushed vs polled (by hand).

    .venv/bin/python bench/live.py [--clients 2000] [--events 30] [--every 0.5] [--browsers 3]
                                   [--database pnyx_live_stream] [--ports 8720,8721]

What it does:
1. migrates the PostgreSQL database given (127.0.0.1:5432; default pnyx_live_stream), makes a
   current convention there and empties its event log;
2. starts two server processes, `pnyx serve --server asgi` (gunicorn + uvicorn, one worker
   each) on two ports, with REDIS_URL (127.0.0.1:6379, a channel of its own) against it;
3. pushed: opens --clients SSE streams (raw asyncio sockets, half on each server), plus
   --browsers headless Chromium pages that follow the stream with live.js and write each
   state's id into the DOM; waits until every stream received its first state;
4. the operator publishes --events events (advance an item, call a speaker, show a message:
   `pnyx.live.stream.publish` with explicit states, ~1.5 KB each), one every --every seconds;
   the commit time is taken in an on_commit callback that runs right after COMMIT;
5. prints, from commit to receipt: p50/p95/p99 latency at the stream clients and to the DOM in
   Chromium, events lost, clients dropped, the servers' RSS per client (RSS after the clients
   connected - before, divided by clients), and the servers' CPU seconds per minute;
6. polled, the baseline: the same clients poll /direct/etat.json?after=N every 5 s (the
   interval of Decidim's live polls; each client starts at a random phase; one connection per
   poll), the same events: latency from commit to the poll that saw it, requests/s and the
   servers' CPU;
7. prints both side by side, with the load average;
8. between the two (unless --no-restart): kills the second server (SIGKILL) while the operator
   publishes, starts it again, and counts what its clients lost once they resumed.

The clients, Chromium, the servers, Redis and PostgreSQL share the machine: on 2 cores the
figures are a floor.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = "postgres://postgres@127.0.0.1:5432"
REDIS = "redis://127.0.0.1:6379/0"


# --- the servers -------------------------------------------------------------------------------


def start_server(env: dict, port: int, log) -> subprocess.Popen:
    server = subprocess.Popen(
        [ROOT / ".venv" / "bin" / "pnyx", "serve", "--server", "asgi"],
        env={**env, "PORT": str(port), "PNYX_WORKERS": "1", "PNYX_TIMEOUT": "120"},
        cwd=ROOT,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    for _ in range(300):
        if server.poll() is not None:
            raise SystemExit(f"pnyx serve exited with {server.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"pnyx serve did not answer on port {port}")


def stop_server(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGINT)
    try:
        server.wait(timeout=5)
    except subprocess.TimeoutExpired:  # open streams hold a graceful stop: the bench is done
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)


def family(pid: int) -> list[int]:
    """The server's processes: gunicorn's master and its workers."""
    out = [pid]
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            out += [int(c) for c in (task / "children").read_text().split()]
    except OSError:
        pass
    return out


def rss_kib(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


def cpu_seconds(pids: list[int]) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except OSError:
            pass
    return total / ticks


# --- the operator ------------------------------------------------------------------------------


def prepare(database_url: str) -> int:
    import django

    django.setup()
    import datetime as dt

    from django.utils import timezone

    from pnyx.live.models import LiveEvent
    from pnyx.programme.models import Convention

    start = timezone.localdate() + dt.timedelta(days=14)
    Convention.objects.update(is_current=False)
    convention, _ = Convention.objects.update_or_create(
        slug="bench-live",
        defaults={
            "name": "Bench live",
            "starts_on": start,
            "ends_on": start + dt.timedelta(days=1),
            "is_current": True,
        },
    )
    LiveEvent.objects.filter(convention=convention).delete()
    from pnyx.live.stream import publish

    publish(convention, "initial", state=state_for(0, convention.pk)[1])  # what pages show first
    from django.db import connections

    connections.close_all()
    return convention.pk


def state_for(n: int, convention_id: int) -> tuple[str, dict]:
    """A state of the contract's shape (pnyx.live.state), ~1.5 KB."""
    kind = ("advance", "call_speaker", "message")[n % 3]
    queue = [
        {"intervention": 100 + i, "name": f"Speaker {i}", "title": f"Testimony {i}",
         "kind": "speech", "status": "done" if i < n % 8 else "waiting"}
        for i in range(8)
    ]  # fmt: skip
    return kind, {
        "convention": convention_id,
        "now": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime()),
        "driven": True,
        "offset_seconds": 60 * (n % 5),
        "blackout": False,
        "message": {"text": f"Message {n}", "target": "stage"} if kind == "message" else None,
        "current": {
            "item": 10 + n // 3,
            "title": f"Item {n // 3}",
            "kind": "testimonies",
            "planned_seconds": 2700,
            "started_at": None,
        },  # fmt: skip
        "speaker": {
            "intervention": 100 + n % 8,
            "name": f"Speaker {n % 8}",
            "title": "T",
            "kind": "speech",
            "seconds": 180,
            "started_at": None,
            "video": None,
            "playing": False,
        },  # fmt: skip
        "on_deck": None,
        "queue": queue,
        "upcoming": [{"item": 20 + i, "title": f"Next {i}", "kind": "talk"} for i in range(4)],
        "vote": None,
        "announcement": None,
        "seq": n,
    }


def operate(convention_id: int, events: int, every: float, commits: dict, start_n: int) -> None:
    """Publish `events` events, one every `every` seconds; commits[id] = time right after COMMIT."""
    from django.db import connections, transaction

    from pnyx.live.stream import publish
    from pnyx.programme.models import Convention

    convention = Convention.objects.get(pk=convention_id)
    for n in range(start_n, start_n + events):
        t_next = time.time() + every
        kind, state = state_for(n, convention_id)
        box = {}
        with transaction.atomic():
            transaction.on_commit(lambda box=box: box.setdefault("t", time.time()))
            event = publish(convention, kind, state=state)
        commits[event.id] = box["t"]
        time.sleep(max(0.0, t_next - time.time()))
    connections.close_all()


# --- the clients -------------------------------------------------------------------------------


class StreamClient:
    def __init__(self, port: int):
        self.port = port
        self.received: dict[int, float] = {}
        self.first = asyncio.Event()
        self.last_id: int | None = None
        self.drops = 0
        self.stopped = False

    async def run(self):
        while not self.stopped:
            try:
                await self._once()
            except (OSError, asyncio.IncompleteReadError, ValueError):
                pass
            if self.stopped:
                return
            self.drops += 1
            await asyncio.sleep(1.0)

    async def _once(self):
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        resume = f"Last-Event-ID: {self.last_id}\r\n" if self.last_id is not None else ""
        writer.write(
            f"GET /direct/flux/ HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
            f"{resume}\r\n".encode()
        )
        try:
            status = await reader.readline()
            if b" 200 " not in status:
                raise ValueError(status)
            while (await reader.readline()) not in (b"\r\n", b""):
                pass
            chunked_len = None
            buffer = b""
            while not self.stopped:
                # chunked transfer encoding: size line, data, CRLF
                size_line = await reader.readline()
                if not size_line:
                    return
                chunked_len = int(size_line.strip() or b"0", 16)
                if chunked_len == 0:
                    return
                buffer += await reader.readexactly(chunked_len)
                await reader.readexactly(2)
                while b"\n\n" in buffer:
                    block, buffer = buffer.split(b"\n\n", 1)
                    if block.startswith(b"id: "):
                        now = time.time()
                        event_id = int(block[4 : block.index(b"\n")])
                        self.received.setdefault(event_id, now)
                        self.last_id = event_id
                        self.first.set()
        finally:
            writer.close()


async def poll_client(port: int, stop: asyncio.Event, seen: list, stats: dict, every: float):
    """Poll every `every` s; seen gets (time, id) of each state received (200)."""
    await asyncio.sleep(random.uniform(0, every))
    last = None
    while not stop.is_set():
        t0 = time.time()
        query = f"?after={last}" if last is not None else ""
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(
                f"GET /direct/etat.json{query} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                "Connection: close\r\n\r\n".encode()
            )
            data = await reader.read()
            writer.close()
            stats["requests"] += 1
            if data.startswith(b"HTTP/1.1 200"):
                body = json.loads(data.split(b"\r\n\r\n", 1)[1])
                last = body["id"]
                seen.append((time.time(), last))
            elif not data.startswith(b"HTTP/1.1 304"):
                stats["errors"] += 1
        except OSError:
            stats["errors"] += 1
        await asyncio.sleep(max(0.0, every - (time.time() - t0)))


PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>bench</title>
<script src="/static/live/live.js"></script></head><body><p id="n">-</p><script>
window.__dom = {};
new MutationObserver(() => { const id = document.getElementById("n").textContent;
  if (!(id in window.__dom)) window.__dom[id] = Date.now(); })
  .observe(document.getElementById("n"), {childList: true, characterData: true, subtree: true});
window.__status = [];
PnyxLive.follow({stream: "/direct/flux/", poll: "/direct/etat.json",
  onState: (state, id) => { document.getElementById("n").textContent = String(id); },
  onStatus: (s) => window.__status.push(s)});
</script></body></html>"""


async def open_browsers(ports: list[int], n: int):
    if n <= 0:
        return None, None, []
    from playwright.async_api import async_playwright

    pw = await async_playwright().start()
    browser = await pw.chromium.launch(executable_path="/usr/bin/chromium")
    pages = []
    for i in range(n):
        page = await browser.new_page()
        await page.route(
            "**/bench-live/",
            lambda route: route.fulfill(status=200, content_type="text/html", body=PAGE),
        )
        await page.goto(f"http://127.0.0.1:{ports[i % len(ports)]}/bench-live/")
        pages.append(page)
    for page in pages:
        await page.wait_for_function("document.getElementById('n').textContent !== '-'")
    return pw, browser, pages


# --- figures -----------------------------------------------------------------------------------


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def line(name: str, lat_s: list[float], extra: str = "") -> None:
    ms = [x * 1000 for x in lat_s]
    print(
        f"  {name:<34} n={len(ms):>6}  p50 {pct(ms, 0.5):8.1f} ms  p95 {pct(ms, 0.95):8.1f} ms"
        f"  p99 {pct(ms, 0.99):8.1f} ms  max {max(ms) if ms else float('nan'):8.1f} ms  {extra}"
    )


async def main_async(args, env, ports, pids, convention_id, servers, log):
    load0 = os.getloadavg()
    rss0 = rss_kib(pids)
    print(f"servers: 2 x `pnyx serve --server asgi` (1 worker) on {ports}, Redis, PostgreSQL")
    print(f"load average before: {load0[0]:.2f} {load0[1]:.2f} {load0[2]:.2f}")

    # --- pushed ---
    clients = [StreamClient(ports[i % len(ports)]) for i in range(args.clients)]
    tasks = []
    t0 = time.perf_counter()
    for i, c in enumerate(clients):
        tasks.append(asyncio.create_task(c.run()))
        if i % 100 == 99:
            await asyncio.sleep(0.05)
    async with asyncio.timeout(180):
        for c in clients:
            await c.first.wait()
    connect_s = time.perf_counter() - t0
    pw, browser, pages = await open_browsers(ports, args.browsers)
    await asyncio.sleep(2)
    rss1 = rss_kib(pids)
    print(f"pushed: {args.clients} streams connected in {connect_s:.1f} s; {len(pages)} Chromium")
    per_client = (rss1 - rss0) / args.clients
    print(
        f"  servers' RSS {rss0 / 1024:.0f} MiB -> {rss1 / 1024:.0f} MiB: {per_client:.1f} KiB/client"
    )

    commits: dict[int, float] = {}
    drops0 = sum(c.drops for c in clients)
    cpu0, w0 = cpu_seconds(pids), time.perf_counter()
    await asyncio.to_thread(operate, convention_id, args.events, args.every, commits, 0)
    await asyncio.sleep(3)  # the last events arrive
    cpu_push = (cpu_seconds(pids) - cpu0) / (time.perf_counter() - w0) * 60
    load_push = os.getloadavg()
    latencies = []
    lost = 0
    for c in clients:
        for event_id, t in commits.items():
            if event_id in c.received:
                latencies.append(c.received[event_id] - t)
            else:
                lost += 1
    dropped = sum(c.drops for c in clients) - drops0
    dom = []
    for page in pages:
        marks = await page.evaluate("window.__dom")
        for event_id, t in commits.items():
            if str(event_id) in marks:
                dom.append(marks[str(event_id)] / 1000 - t)
    statuses = [await p.evaluate("window.__status") for p in pages]
    print(f"  {len(commits)} events, one every {args.every} s; load average {load_push[0]:.2f}")
    line("pushed: commit -> stream client", latencies, f"lost {lost}, dropped {dropped}")
    line("pushed: commit -> DOM (Chromium)", dom, f"statuses {statuses[:1]}")
    print(f"  servers' CPU: {cpu_push:.1f} s per minute")

    if args.restart:
        # A crash: the second server is killed (SIGKILL) while the operator publishes, then
        # started again. Its clients reconnect (1 s later, then every second) with
        # Last-Event-ID and must get every event from the database.
        commits3: dict[int, float] = {}
        drops1 = sum(c.drops for c in clients)
        operator = asyncio.create_task(
            asyncio.to_thread(operate, convention_id, args.events, args.every, commits3, 2000)
        )
        await asyncio.sleep(args.events * args.every / 3)
        os.killpg(servers[1].pid, signal.SIGKILL)
        servers[1].wait(timeout=10)
        servers[1] = await asyncio.to_thread(start_server, env, ports[1], log)
        await operator
        await asyncio.sleep(5)
        pids[:] = [p for srv in servers for p in family(srv.pid)]
        lat3, lost3 = [], 0
        for c in clients:
            for event_id, t in commits3.items():
                if event_id in c.received:
                    lat3.append(c.received[event_id] - t)
                else:
                    lost3 += 1
        reconnected = sum(c.drops for c in clients) - drops1
        print(
            f"restart: server 2 killed (SIGKILL) and started again during {len(commits3)} "
            f"events; {reconnected} reconnection attempts"
        )
        line("restart: commit -> stream client", lat3, f"lost {lost3}")
    for c in clients:
        c.stopped = True
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    if browser:
        await browser.close()
        await pw.stop()
    await asyncio.sleep(2)

    # --- polled ---
    stop = asyncio.Event()
    stats = {"requests": 0, "errors": 0}
    seen: list[list] = [[] for _ in range(args.clients)]
    pollers = [
        asyncio.create_task(poll_client(ports[i % len(ports)], stop, seen[i], stats, args.poll))
        for i in range(args.clients)
    ]
    await asyncio.sleep(args.poll + 1)  # every poller has its first state
    commits2: dict[int, float] = {}
    cpu0, w0, r0 = cpu_seconds(pids), time.perf_counter(), stats["requests"]
    await asyncio.to_thread(operate, convention_id, args.events, args.every, commits2, 1000)
    await asyncio.sleep(args.poll + 1)
    elapsed = time.perf_counter() - w0
    cpu_poll = (cpu_seconds(pids) - cpu0) / elapsed * 60
    rate = (stats["requests"] - r0) / elapsed
    load_poll = os.getloadavg()
    stop.set()
    await asyncio.gather(*pollers, return_exceptions=True)
    # A poller sees the newest state only: event N reaches a client with its first poll that
    # returns an id >= N (the screen then shows N or newer). Latency: commit -> that response.
    poll_lat, poll_lost = [], 0
    for client_seen in seen:
        for eid, tc in commits2.items():
            t = next((t for t, got in client_seen if got >= eid), None)
            if t is None:
                poll_lost += 1
            else:
                poll_lat.append(t - tc)
    print(f"polled every {args.poll} s (baseline): {args.clients} clients; load {load_poll[0]:.2f}")
    line(
        "polled: commit -> poll that saw it",
        poll_lat,
        f"errors {stats['errors']}, missed {poll_lost}",
    )
    print(f"  {rate:.0f} requests/s; servers' CPU: {cpu_poll:.1f} s per minute")
    print()
    p95_push = pct(latencies, 0.95) * 1000
    p95_poll = pct(poll_lat, 0.95) * 1000
    print(
        f"side by side: p95 pushed {p95_push:.0f} ms vs polled {p95_poll:.0f} ms "
        f"(x{p95_poll / p95_push:.1f}); server CPU {cpu_push:.1f} vs {cpu_poll:.1f} s/min; "
        f"lost {lost}, dropped {dropped}; target p95 <= 1000 ms: "
        f"{'met' if p95_push <= 1000 and lost == 0 and dropped == 0 else 'NOT met'}"
    )
    load = os.getloadavg()
    print(f"load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=2000)
    parser.add_argument("--events", type=int, default=30)
    parser.add_argument("--every", type=float, default=0.5)
    parser.add_argument("--poll", type=float, default=5.0)
    parser.add_argument("--browsers", type=int, default=3)
    parser.add_argument("--database", default="pnyx_live_stream")
    parser.add_argument("--ports", default="8720,8721")
    parser.add_argument(
        "--no-restart", dest="restart", action="store_false", help="skip the crash test"
    )
    args = parser.parse_args()
    ports = [int(p) for p in args.ports.split(",")]
    database_url = f"{PG}/{args.database}"
    channel = f"pnyx-bench-{os.getpid()}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS,
        "PNYX_LIVE_CHANNEL": channel,
        "DJANGO_SETTINGS_MODULE": "pnyx.settings",
    }
    os.environ.update(env)
    subprocess.run(
        [ROOT / ".venv" / "bin" / "pnyx", "migrate", "-v", "0"], env=env, check=True, cwd=ROOT
    )
    convention_id = prepare(database_url)
    log = open(ROOT / "var" / "bench-live.log", "w")  # noqa: SIM115
    servers = [start_server(env, port, log) for port in ports]
    try:
        time.sleep(1)
        pids = [p for s in servers for p in family(s.pid)]
        asyncio.run(main_async(args, env, ports, pids, convention_id, servers, log))
    finally:
        for s in servers:
            stop_server(s)
        log.close()


if __name__ == "__main__":
    main()
