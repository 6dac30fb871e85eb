"""Load the real server with concurrent voters casting ballots (run by hand, not in tests).

    .venv/bin/python bench/cast.py [--voters 3000] [--workers 4] [--concurrency 16] [--server asgi]
    .venv/bin/python bench/cast.py --pool-burst [--burst 200] [--workers 4]

What it does:
1. creates a throw-away PostgreSQL database (``pnyx_bench_<pid>`` on 127.0.0.1:5432, dropped at
   the end), migrates it, and prepares N members, each with a signed-in session (sessions are
   written beforehand, as if every voter had followed their sign-in link), and an open vote:
   approval, 3 of 30 options;
2. starts the production server, `pnyx serve` (gunicorn; sync workers unless --server asgi;
   127.0.0.1 only, no access log) on that database;
3. baseline: the same server answering a trivial page (GET the anonymous receipt-check page of
   the vote: one template, two queries), with the same client and concurrency;
4. casts: each voter POSTs one ballot (CSRF token and session cookie, as a browser does) to
   /votes/<id>/voter/; bounded concurrency (asyncio, at most --concurrency requests in flight),
   a time limit;
5. prints requests per second, p50 and p99 latency of both, and their ratio; then checks that
   ballots == participations == successful casts.

--pool-burst instead fires --burst requests at once (200 ballots, each from another voter, then
200 GETs of the receipt-check page) at the ASGI server (`--server wsgi` to try the sync
workers), first without the connection pool (PNYX_DB_POOL=0, the baseline: Django opens one
connection per request thread), then with it (PNYX_DB_POOL=1, at most PNYX_DB_POOL_MAX a
worker), and prints errors, "too many clients" refusals in the server's log, p50/p99 latency
and the ratios pool/no pool.

The load generator runs on the same machine as the server and the database: on a 2-core
machine the three compete for the CPU, so the figures are a floor, not a ceiling.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = "postgres://postgres@127.0.0.1:5432"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def admin_sql(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def prepare(voters: int) -> tuple[int, list[str], list[tuple[str, str]]]:
    """Members, their sessions, an open vote. Returns (vote id, option codes, cookies)."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.backends.db import SessionStore

    from pnyx.members.models import Member
    from pnyx.programme import demo
    from pnyx.votes import actions

    convention = demo.load()
    User = get_user_model()
    users = User.objects.bulk_create(
        [User(username=f"bench-{i}", password="!") for i in range(voters)], batch_size=2000
    )
    Member.objects.bulk_create(
        [
            Member(
                external_id=f"B{i:07d}",
                first_name="Bench",
                last_name=f"Voter{i}",
                email=f"bench{i}@example.org",
                gender="X",
                region="Bretagne",
                birth_year=1980,
                joined_on="2017-01-01",
                user=u,
            )
            for i, u in enumerate(users)
        ],
        batch_size=2000,
    )
    cookies = []
    for u in users:
        s = SessionStore()
        s["_auth_user_id"] = str(u.pk)
        s["_auth_user_backend"] = "pnyx.members.backends.MemberAwareBackend"
        s["_auth_user_hash"] = u.get_session_auth_hash()
        s.create()
        cookies.append((s.session_key, secrets.token_hex(16)))  # session, CSRF secret
    # The plaintext cast (published-ballot mode); bench/verifiable.py measures the encrypted one.
    vote = actions.create_vote(
        convention,
        "bench",
        question="Bench",
        method="approval",
        max_choices=3,
        seats=3,
        mode="published",
    )
    for i in range(30):
        actions.add_option(vote, "bench", title=f"Proposition {i + 1}")
    vote = actions.open_vote(vote, "bench")
    codes = list(vote.options.values_list("code", flat=True))
    from django.db import connections

    connections.close_all()
    return vote.pk, codes, cookies


async def request(port: int, raw: bytes) -> tuple[int, float]:
    t0 = time.perf_counter()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(raw)
    await writer.drain()
    data = await reader.read()
    writer.close()
    status = int(data[9:12]) if data.startswith(b"HTTP/1.") else 0
    return status, time.perf_counter() - t0


async def run(port: int, requests: list[bytes], concurrency: int, limit_s: float):
    sem = asyncio.Semaphore(concurrency)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    deadline = time.perf_counter() + limit_s

    async def one(raw: bytes):
        async with sem:
            if time.perf_counter() > deadline:
                return
            try:
                status, dt = await request(port, raw)
            except OSError:
                status, dt = -1, 0.0
            statuses[status] = statuses.get(status, 0) + 1
            if status > 0:
                latencies.append(dt)

    t0 = time.perf_counter()
    await asyncio.gather(*(one(r) for r in requests))
    return time.perf_counter() - t0, latencies, statuses


def start_server(env: dict, port: int, kind: str, workers: int, log=None) -> subprocess.Popen:
    """`pnyx serve` on 127.0.0.1:port; returns once it answers."""
    server = subprocess.Popen(
        [ROOT / ".venv" / "bin" / "pnyx", "serve", "--server", kind],
        env={**env, "PORT": str(port), "PNYX_WORKERS": str(workers), "PNYX_TIMEOUT": "120"},
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
            break
        except OSError:
            time.sleep(0.1)
    return server


def stop_server(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=30)


def cast_request(port: int, vote: int, codes: list[str], session: str, csrf: str, i: int) -> bytes:
    chosen = [codes[(i * 7 + k * 11) % len(codes)] for k in range(3)]
    body = "&".join([f"csrfmiddlewaretoken={csrf}", *(f"choice={c}" for c in chosen)])
    return (
        f"POST /votes/{vote}/voter/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Cookie: sessionid={session}; csrftoken={csrf}; django_language=fr\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n{body}"
    ).encode()


def page_request(port: int, vote: int) -> bytes:
    return (
        f"GET /votes/{vote}/recu/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    ).encode()


def summary(name: str, n_ok: int, seconds: float, lat: list[float]) -> dict:
    lat = sorted(lat)
    p50 = statistics.median(lat) * 1000 if lat else float("nan")
    p99 = lat[min(len(lat) - 1, int(0.99 * len(lat)))] * 1000 if lat else float("nan")
    rate = n_ok / seconds if seconds else 0.0
    print(f"  {name:<44} {n_ok:>6} ok  {rate:8.1f}/s  p50 {p50:7.1f} ms  p99 {p99:7.1f} ms")
    return {"rate": rate, "p50": p50, "p99": p99}


def burst_phase(name: str, port: int, reqs: list[bytes]) -> dict:
    secs, lat, st = asyncio.run(run(port, reqs, len(reqs), 120))
    res = summary(name, st.get(200, 0), secs, lat)
    res["errors"] = sum(n for code, n in st.items() if code != 200)
    res["statuses"] = st
    print(f"    errors {res['errors']} of {len(reqs)}; statuses {dict(sorted(st.items()))}")
    return res


def pool_burst(args, env, vote, codes, cookies) -> int:
    """The same burst of requests, without then with the connection pool."""
    import tempfile

    from django.db import connections

    connections.close_all()
    results = {}
    for i, pool in enumerate(("0", "1")):
        label = "pool off (baseline)" if pool == "0" else "pool on"
        port = free_port()
        with tempfile.TemporaryFile(mode="w+") as log:
            server = start_server(
                {**env, "PNYX_DB_POOL": pool}, port, args.server, args.workers, log
            )
            try:
                # Warm up each worker (imports), a few requests at a time.
                asyncio.run(run(port, [page_request(port, vote)] * (args.workers * 5), 4, 60))
                print(
                    f"{label}: pnyx serve, {args.workers} {args.server} workers, "
                    f"PNYX_DB_POOL={pool}, {args.burst} requests at once"
                )
                start = i * args.burst
                casts = [
                    cast_request(port, vote, codes, s, c, start + j)
                    for j, (s, c) in enumerate(cookies[start : start + args.burst])
                ]
                cast = burst_phase("burst: POST a ballot each", port, casts)
                page = burst_phase(
                    "burst: GET receipt-check page", port, [page_request(port, vote)] * args.burst
                )
            finally:
                stop_server(server)
            log.seek(0)
            refused = log.read().count("too many clients")
            print(f"    lines with 'too many clients' in the server's log: {refused}")
        results[pool] = (cast, page, refused)
    (c0, p0, r0), (c1, p1, r1) = results["0"], results["1"]
    print(f"pool on / pool off (baseline), {args.burst} requests at once:")
    for name, a, b in (("cast", c0, c1), ("page", p0, p1)):
        ratio = b["p99"] / a["p99"] if a["p99"] == a["p99"] and a["p99"] else float("nan")
        print(
            f"  {name}: errors {a['errors']} -> {b['errors']}; "
            f"p50 {a['p50']:.0f} -> {b['p50']:.0f} ms; p99 {a['p99']:.0f} -> {b['p99']:.0f} ms "
            f"(ratio {ratio:.2f})"
        )
    print(f"  'too many clients': {r0} -> {r1}")
    from pnyx.votes.models import Ballot, Participation

    b = Ballot.objects.filter(vote_id=vote).count()
    p = Participation.objects.filter(vote_id=vote).count()
    ok_casts = c0["statuses"].get(200, 0) + c1["statuses"].get(200, 0)
    ok = b == p == ok_casts
    print(
        f"  check: ballots {b}, participations {p}, successful casts {ok_casts}: "
        f"{'consistent' if ok else 'INCONSISTENT'}"
    )
    connections.close_all()
    return 0 if ok and c1["errors"] == 0 and p1["errors"] == 0 else 1


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--voters", type=int, default=3000)
    ap.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    ap.add_argument("--server", choices=["wsgi", "asgi"], default=None, help="default wsgi")
    ap.add_argument("--pool-burst", action="store_true", help="pool off vs on, --burst at once")
    ap.add_argument("--burst", type=int, default=200, help="requests at once (--pool-burst)")
    ap.add_argument("--concurrency", type=int, default=16, help="requests in flight at most")
    ap.add_argument("--time-limit", type=float, default=60.0, help="seconds per phase")
    args = ap.parse_args()
    args.server = args.server or ("asgi" if args.pool_burst else "wsgi")
    if args.pool_burst:
        args.voters = max(args.voters, 2 * args.burst)

    db = f"pnyx_bench_{os.getpid()}"
    url = f"{PG}/{db}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "pnyx.settings",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(40),
        "PNYX_LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    admin_sql(f'CREATE DATABASE "{db}"')
    server = None
    try:
        venv = ROOT / ".venv" / "bin"
        subprocess.run([venv / "pnyx", "migrate", "-v0"], env=env, check=True)
        t0 = time.perf_counter()
        vote, codes, cookies = prepare(args.voters)
        print(
            f"Prepared {args.voters} signed-in voters and a vote (3 of 30) in "
            f"{time.perf_counter() - t0:.1f} s; database {db}"
        )
        port = free_port()
        server = start_server(env, port, args.server, args.workers)
        if args.pool_burst:
            return pool_burst(args, env, vote, codes, cookies)
        # Warm up every worker (imports, connections), outside the measurement.
        asyncio.run(
            run(port, [page_request(port, vote)] * (args.workers * 20), args.concurrency, 30)
        )

        print(
            f"pnyx serve: gunicorn, {args.workers} {args.server} workers, PostgreSQL, "
            f"{os.cpu_count()} CPU cores "
            f"(shared with the client and the database); concurrency {args.concurrency}"
        )
        n_base = args.voters
        secs, lat, st = asyncio.run(
            run(port, [page_request(port, vote)] * n_base, args.concurrency, args.time_limit)
        )
        base = summary("baseline: GET receipt-check page (anonymous)", st.get(200, 0), secs, lat)
        if set(st) - {200}:
            print(f"    statuses: {st}")
        reqs = [cast_request(port, vote, codes, s, c, i) for i, (s, c) in enumerate(cookies)]
        secs, lat, st = asyncio.run(run(port, reqs, args.concurrency, args.time_limit))
        cast = summary("cast: POST a ballot (signed-in member)", st.get(200, 0), secs, lat)
        if set(st) - {200}:
            print(f"    statuses: {st}")
        print(
            f"  ratio cast/baseline: throughput {cast['rate'] / base['rate']:.2f}, "
            f"p99 {cast['p99'] / base['p99']:.2f}"
        )
        target = cast["rate"] >= 300 and cast["p99"] < 300
        print(f"  target (>= 300 ballots/s, p99 < 300 ms): {'met' if target else 'NOT met'}")

        from pnyx.votes.models import Ballot, Participation

        b = Ballot.objects.filter(vote_id=vote).count()
        p = Participation.objects.filter(vote_id=vote).count()
        ok = b == p == st.get(200, 0)
        print(
            f"  check: ballots {b}, participations {p}, successful casts {st.get(200, 0)}: "
            f"{'consistent' if ok else 'INCONSISTENT'}"
        )
        from django.db import connections

        connections.close_all()
        return 0 if ok else 1
    finally:
        if server is not None:
            stop_server(server)
        admin_sql(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


if __name__ == "__main__":
    sys.exit(main())
