"""The benchmark of issue 10 ("Speed"): verifiable votes side by side with plaintext ones (run by
hand, never in tests).

    .venv/bin/python bench/verifiable.py [--only browser|cast|verify|tally] [--ballots 100000]
        [--voters 3000] [--ff-voters 800] [--workers 4] [--concurrency 16] [--machines-for 550000]

Every figure is printed with what it compares, the sizes, both timings and their ratio against a
named baseline measured in the same run:

1. browser: booth.js encrypting in headless Chromium, CPU throttled 4x (bench/verifiable_browser.py,
   served on a port in 8500-8599): approval 30 options (up to 3) and majority judgment 30 x 6, in
   RISTRETTO255 (targets < 1 s and < 3 s) and BELENIOS-2048. Baseline: building the plaintext
   ballot in the same page.
2. cast: the real server (`pnyx serve`, gunicorn, on a throw-away PostgreSQL database
   ``pnyx_bench_verif_<pid>``, port 8500-8599) and signed-in members. Baseline: today's
   plaintext cast (a published-ballot approval vote, 3 of 30, POST /votes/<id>/voter/). Then an
   open verifiable approval vote (3 of 30) in each group, its election set up as on the site
   (three trustees, 2-of-3 threshold key ceremony by pnyx.crypto, frozen, public credentials of
   a credential authority uploaded); ballots encrypted beforehand (``ballots.encrypt`` in a
   process pool, not timed); each voter POSTs its ballot text as the booth does (JSON body,
   X-CSRFToken, session cookie) to /votes/<id>/voter-chiffre/. Prints ballots/s, p50, p99;
   target >= 60 ballots/s and p99 < 1 s in RISTRETTO255; then checks that the ballots on the
   board == the acknowledged casts (same receipts).
3. verify: `pnyx verify-election` (every core) on --ballots approval ballots (default 100,000;
   the record is made with pnyx.crypto.simulate on every core and cached in
   $BENCH_CACHE or /var/tmp/pnyx-bench-verifiable, so reruns skip it): wall and CPU time,
   target < 15 min on 2 cores. Baseline: reading the record and parsing every ballot's JSON.
   Then the split across machines for --machines-for ballots: one part (`--part 1/K`) is
   verified and timed, and the plan is printed.
4. tally: on the same record, the encrypted tally (the product of the ballots' ciphertexts,
   in processes) and the trustees' decryption (Single trustee + 2 of the 3 threshold trustees:
   partial decryptions with proofs, checked and combined, dlog). Baseline: counting the same
   votes in plaintext.

The machine is shared (other processes, the client, the server and the database compete for the
same cores): every part prints the load average.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.server
import json
import math
import multiprocessing
import os
import random
import resource
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import cast as plain_bench  # noqa: E402  (bench/cast.py: database, server, client)

PG = plain_bench.PG
OPTIONS, MAX_CHOICES = 30, 3
PORTS = range(8500, 8600)


def load() -> str:
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def cpu_times() -> float:
    """CPU seconds of this process and of its finished children."""
    me, ch = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + ch.ru_utime + ch.ru_stime


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 8500-8599")


def fork_pool(processes: int, initializer=None, initargs=()):
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    return ctx.Pool(processes, initializer, initargs)


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b else "n/a"


# --- 1. the browser ----------------------------------------------------------------------


def browser_part(args) -> bool:
    import verifiable_browser as vb

    @contextlib.contextmanager
    def serve():  # the same server as vb.serve, on this bench's ports
        server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), vb._Handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            server.shutdown()
            server.server_close()

    vb.serve = serve
    print(f"1. Browser encryption: booth.js in headless Chromium, CPU throttled {args.throttle:g}x")
    print(f"   ({load()})")
    rows = vb.measure(args.runs, args.throttle)
    targets = {"approval": 1000, "majority": 3000}
    ok = True
    for r in rows:
        target = targets[r["case"].split()[0]]
        met = r["median_ms"] < target
        if r["group"] == "RISTRETTO255":
            ok &= met
        print(
            f"   {r['case']:32} {r['group']:13} {r['size']:>7} B: median {r['median_ms']:6.0f} ms"
            f" (first {r['first_ms']:.0f}, cold {r['cold_ms']:.0f}, prepare {r['prepare_ms']:.0f},"
            f" unthrottled {r['median_unthrottled_ms']:.0f}); baseline plaintext ballot"
            f" {r['baseline_ms'] * 1000:.0f} µs, ratio {r['ratio_baseline']:.0f};"
            f" target < {target / 1000:g} s"
            + ("" if r["group"] == "RISTRETTO255" else " (RISTRETTO255's)")
            + f": {'met' if met else 'NOT met'}"
        )
    print(
        "   median of --runs encryptions in a page that prepared the election (as the ballot"
        " page does on load); cold: the first one in a page that did not."
    )
    return ok


# --- 2. casting on the real server ---------------------------------------------------------

_ENC: dict = {}


def _enc_init(election_text: str) -> None:
    from pnyx.crypto import election

    _ENC["e"] = election.Election.from_json(election_text)


def _enc_one(job: tuple[list[list[int]], str]) -> str:
    from pnyx.crypto import ballots

    return ballots.encrypt(_ENC["e"], job[0], job[1])


def chosen(i: int) -> list[int]:
    """Voter i's options (1 to 3 of 30, spread)."""
    return sorted({(i * 7 + k * 11) % OPTIONS for k in range(1 + i % MAX_CHOICES)})


def prepare_members(voters: int):
    """The demo convention, N members with signed-in sessions. Returns (convention, organizer
    actor, members, cookies)."""
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.backends.db import SessionStore

    from pnyx.members.models import Member
    from pnyx.programme import demo

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
    members = list(Member.objects.filter(external_id__startswith="B").order_by("external_id"))
    cookies = []
    for u in users:
        s = SessionStore()
        s["_auth_user_id"] = str(u.pk)
        s["_auth_user_backend"] = "pnyx.members.backends.MemberAwareBackend"
        s["_auth_user_hash"] = u.get_session_auth_hash()
        s.create()
        cookies.append((s.session_key, secrets.token_hex(16)))  # session, CSRF secret
    return convention, members, cookies


def plaintext_vote(convention):
    from pnyx.votes import actions

    vote = actions.create_vote(
        convention,
        "bench",
        question="Bench (plaintext)",
        method="approval",
        mode="published",
        max_choices=MAX_CHOICES,
        seats=MAX_CHOICES,
    )
    for i in range(OPTIONS):
        actions.add_option(vote, "bench", title=f"Proposition {i + 1}")
    vote = actions.open_vote(vote, "bench")
    return vote, list(vote.options.order_by("code").values_list("code", flat=True))


def verifiable_vote(convention, group_name: str, members):
    """An open verifiable approval vote (3 of 30), its election set up as on the site: three
    trustees and their 2-of-3 threshold key ceremony, the election frozen, the credential
    authority's public credentials uploaded. Returns (vote, election text, {member pk: private
    credential})."""
    from pnyx.crypto import credentials, groups, trustees
    from pnyx.votes import actions
    from pnyx.votes.models import Trustee, Vote

    vote = actions.create_vote(
        convention,
        "bench",
        question=f"Bench ({group_name})",
        method="approval",
        mode="verifiable",
        group=group_name,
        threshold=2,
        max_choices=MAX_CHOICES,
        seats=MAX_CHOICES,
    )
    for i in range(OPTIONS):
        actions.add_option(vote, "bench", title=f"Proposition {i + 1}")
    group = groups.get(group_name)
    ts = [actions.add_trustee(vote, "bench", name=f"Garant {i + 1}") for i in range(3)]
    seeds = {}
    for t in ts:
        seeds[t.pk], cert = trustees.step1(group)
        actions.trustee_upload_key(t, cert)
    certs = actions.ceremony_certs(vote)
    for t in ts:
        actions.trustee_upload_polynomial(t, trustees.step3(group, certs, seeds[t.pk], 2))
    for t in Trustee.objects.filter(pk__in=seeds):
        vinput = actions.trustee_vinput(t)
        actions.trustee_upload_voutput(t, trustees.step5(group, certs, seeds[t.pk], vinput))
    actions.freeze_election(vote, "bench")
    vote = Vote.objects.select_related("election").get(pk=vote.pk)
    ids = actions.electorate_file(vote).split()
    pairs = credentials.generate(vote.election.uuid, group_name, len(ids))
    actions.upload_public_credentials(vote, "bench", json.dumps([p for _, p in pairs]))
    by_id = {m.external_id: m.pk for m in members}
    creds = {by_id[i]: priv for i, (priv, _pub) in zip(ids, pairs, strict=True) if i in by_id}
    vote = actions.open_vote(Vote.objects.get(pk=vote.pk), "bench")
    return vote, vote.election.text, creds


async def post(port: int, raw: bytes) -> tuple[int, float, bytes]:
    t0 = time.perf_counter()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(raw)
    await writer.drain()
    data = await reader.read()
    writer.close()
    status = int(data[9:12]) if data.startswith(b"HTTP/1.") else 0
    return status, time.perf_counter() - t0, data.partition(b"\r\n\r\n")[2]


async def run_posts(port: int, reqs: list[bytes], concurrency: int, limit_s: float):
    sem = asyncio.Semaphore(concurrency)
    lat: list[float] = []
    statuses: dict[int, int] = {}
    bodies: list[bytes] = []
    deadline = time.perf_counter() + limit_s

    async def one(raw: bytes):
        async with sem:
            if time.perf_counter() > deadline:
                return
            try:
                status, dt, body = await post(port, raw)
            except OSError:
                status, dt, body = -1, 0.0, b""
            statuses[status] = statuses.get(status, 0) + 1
            if status == 200:
                lat.append(dt)
                bodies.append(body)

    t0 = time.perf_counter()
    await asyncio.gather(*(one(r) for r in reqs))
    return time.perf_counter() - t0, lat, statuses, bodies


def encrypted_request(port: int, vote: int, session: str, csrf: str, ballot: str) -> bytes:
    body = ballot.encode()
    return (
        f"POST /votes/{vote}/voter-chiffre/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Cookie: sessionid={session}; csrftoken={csrf}; django_language=fr\r\n"
        f"X-CSRFToken: {csrf}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode() + body


def session_cpu(sid: int) -> float:
    """CPU seconds used so far by the processes of session ``sid`` (the server's workers)."""
    total, tick = 0, os.sysconf("SC_CLK_TCK")
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            rest = Path(f"/proc/{d}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if int(rest[3]) == sid:
            total += int(rest[11]) + int(rest[12])
    return total / tick


def cast_phase(name, port, reqs, args, server) -> dict:
    s0 = session_cpu(server.pid)
    secs, lat, st, bodies = asyncio.run(run_posts(port, reqs, args.concurrency, args.time_limit))
    res = plain_bench.summary(name, st.get(200, 0), secs, lat)
    n = max(1, st.get(200, 0))
    res |= {"statuses": st, "bodies": bodies, "cpu_ms": (session_cpu(server.pid) - s0) / n * 1e3}
    cores = os.cpu_count() or 1
    print(
        f"    server CPU {res['cpu_ms']:.1f} ms per request (gunicorn workers only, whatever the"
        f" load): {cores} cores of its own would serve at most {cores / res['cpu_ms'] * 1e3:.0f}/s"
    )
    if set(st) - {200}:
        print(f"    statuses: {dict(sorted(st.items()))}")
    return res


def cast_part(args) -> bool:
    db = f"pnyx_bench_verif_{os.getpid()}"
    env = {
        **os.environ,
        "DATABASE_URL": f"{PG}/{db}",
        "DJANGO_SETTINGS_MODULE": "pnyx.settings",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(40),
        "PNYX_LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    plain_bench.admin_sql(f'CREATE DATABASE "{db}"')
    server = None
    try:
        subprocess.run([ROOT / ".venv/bin/pnyx", "migrate", "-v0"], env=env, check=True)
        import django

        django.setup()
        from django.db import connections

        from pnyx.crypto import ballots

        t0 = time.perf_counter()
        # One more member than voters: the last one only warms the workers up.
        convention, members, cookies = prepare_members(args.voters + 1)
        pvote, codes = plaintext_vote(convention)
        groups_ = [("RISTRETTO255", args.voters), ("BELENIOS-2048", args.ff_voters)]
        texts: dict[str, tuple[int, list[str]]] = {}
        for group_name, n in groups_:
            t1 = time.perf_counter()
            vote, etext, creds = verifiable_vote(convention, group_name, members)
            jobs = [
                ([[1 if j in chosen(i) else 0 for j in range(OPTIONS)]], creds[m.pk])
                for i, m in enumerate(members[:n])
            ]
            with fork_pool(os.cpu_count() or 1, _enc_init, (etext,)) as pool:
                texts[group_name] = (vote.pk, pool.map(_enc_one, jobs, chunksize=16))
            print(
                f"   {group_name}: election set up (3 trustees, 2-of-3 key ceremony, credentials"
                f" uploaded) and {n} ballots encrypted beforehand in"
                f" {time.perf_counter() - t1:.0f} s (not timed), {len(texts[group_name][1][0])}"
                " bytes each"
            )
        connections.close_all()
        print(
            f"   prepared {args.voters} signed-in voters and the votes (3 of 30) in"
            f" {time.perf_counter() - t0:.0f} s; database {db}"
        )
        port = free_port()
        server_log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - the warm-up's 400s
        server = plain_bench.start_server(env, port, args.server, args.workers, server_log)
        warm = [plain_bench.page_request(port, pvote.pk)] * (args.workers * 20)
        asyncio.run(plain_bench.run(port, warm, args.concurrency, 30))
        print(
            f"2. Casting on the real server: pnyx serve (gunicorn, {args.workers} {args.server}"
            f" workers, port {port}), PostgreSQL, {os.cpu_count()} cores shared with the client"
            f" and the database; concurrency {args.concurrency}, at most {args.time_limit:g} s"
            f" per phase ({load()})"
        )
        reqs = [
            plain_bench.cast_request(port, pvote.pk, codes, s, c, i)
            for i, (s, c) in enumerate(cookies[:-1])
        ]
        base = cast_phase("baseline: plaintext cast (POST choices)", port, reqs, args, server)
        results = {}
        for group_name, _n in groups_:
            vote_pk, ballot_texts = texts[group_name]
            # Warm the workers' parsed election (cached per process) outside the measurement:
            # a ballot of another vote would not do; a refused empty ballot parses it.
            bad = encrypted_request(port, vote_pk, *cookies[-1], "{}")
            asyncio.run(run_posts(port, [bad] * (args.workers * 4), args.workers, 30))
            reqs = [
                encrypted_request(port, vote_pk, s, c, b)
                for (s, c), b in zip(cookies[:-1], ballot_texts, strict=False)
            ]
            results[group_name] = r = cast_phase(
                f"verifiable {group_name} (POST ballot, proofs checked)", port, reqs, args, server
            )
            print(
                f"    ratio verifiable/plaintext: throughput {ratio(r['rate'], base['rate'])},"
                f" p50 {ratio(r['p50'], base['p50'])}, p99 {ratio(r['p99'], base['p99'])},"
                f" server CPU per request {ratio(r['cpu_ms'], base['cpu_ms'])}"
            )
        r = results["RISTRETTO255"]
        met = r["rate"] >= 60 and r["p99"] < 1000
        print(
            f"   target RISTRETTO255 >= 60 ballots/s, p99 < 1 s: {'met' if met else 'NOT met'}"
            f" ({load()})"
        )
        # Counted == acknowledged: the board holds exactly the acknowledged receipts.
        from pnyx.votes.models import Ballot, EncryptedBallot, Participation

        ok = True
        nb = Ballot.objects.filter(vote_id=pvote.pk).count()
        np_ = Participation.objects.filter(vote_id=pvote.pk).count()
        good = nb == np_ == base["statuses"].get(200, 0)
        ok &= good
        print(
            f"   check plaintext: ballots {nb}, participations {np_}, acknowledged"
            f" {base['statuses'].get(200, 0)}: {'consistent' if good else 'INCONSISTENT'}"
        )
        for group_name, _n in groups_:
            vote_pk, ballot_texts = texts[group_name]
            res = results[group_name]
            receipts = {json.loads(b)["hash"] for b in res["bodies"]}
            board = set(
                EncryptedBallot.objects.filter(vote_id=vote_pk).values_list("hash", flat=True)
            )
            sent = {ballots.hash(t) for t in ballot_texts}
            parts = Participation.objects.filter(vote_id=vote_pk).count()
            good = board == receipts and len(board) == parts and receipts <= sent
            ok &= good
            print(
                f"   check {group_name}: ballots on the board {len(board)}, participations"
                f" {parts}, acknowledged receipts {len(receipts)}, board == receipts:"
                f" {'consistent' if good else 'INCONSISTENT'}"
            )
        if args.profile:
            profile_casts(texts["RISTRETTO255"], members, results["RISTRETTO255"])
        connections.close_all()
        return ok and met
    finally:
        if server is not None:
            plain_bench.stop_server(server)
        plain_bench.admin_sql(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


def profile_casts(vote_texts, members, res, n: int = 40) -> None:
    """Where a verifiable cast's time goes: cProfile of ``actions.cast_encrypted`` in this
    process on ballots the timed phase did not reach (no HTTP, session or middleware)."""
    import cProfile
    import pstats

    from pnyx.votes import actions
    from pnyx.votes.models import Vote

    vote_pk, ballot_texts = vote_texts
    start = len(res["bodies"])
    todo = list(zip(members[start:], ballot_texts[start:], strict=False))[:n]
    if not todo:
        print("   profile: no ballot left to cast (raise --voters)")
        return
    vote = Vote.objects.get(pk=vote_pk)
    actions.election_of(vote)  # parsed once per process, as in a warm worker
    prof = cProfile.Profile()
    t = time.perf_counter()
    prof.enable()
    for m, text in todo:
        actions.cast_encrypted(vote, m, text)
    prof.disable()
    total = (time.perf_counter() - t) / len(todo) * 1e3
    stats = pstats.Stats(prof)
    cum = {f"{Path(k[0]).name}:{k[2]}": v[3] for k, v in stats.stats.items()}
    verify = cum.get("ballots.py:verify", 0) / len(todo) * 1e3
    print(
        f"   profile (cProfile, {len(todo)} casts in-process by actions.cast_encrypted):"
        f" {total:.1f} ms per cast (profiled), of which ballots.verify {verify:.1f} ms"
        f" ({verify / total:.0%}), the rest (eligibility, transaction, rows) {total - verify:.1f} ms;"
        " top functions by own time:"
    )
    top = sorted(stats.stats.items(), key=lambda kv: -kv[1][2])[:8]
    for (file, line, fn), (_cc, nc, tt, _ct, _callers) in top:
        print(
            f"     {tt / len(todo) * 1e3:6.2f} ms/cast  {nc // len(todo):>5} calls  "
            f"{Path(file).name}:{line} {fn}"
        )


# --- 3 and 4: the record of --ballots approval ballots ---------------------------------------


def cache_dir() -> Path:
    d = Path(os.environ.get("BENCH_CACHE") or "/var/tmp/pnyx-bench-verifiable")
    d.mkdir(parents=True, exist_ok=True)
    return d


def question() -> list[dict]:
    answers = [f"Proposition {i + 1}" for i in range(OPTIONS)]
    return [{"question": "Bench", "answers": answers, "min": 1, "max": MAX_CHOICES}]


def the_votes(n: int) -> list[list[list[int]]]:
    rnd = random.Random(10)
    votes = []
    for _ in range(n):
        c = set(rnd.sample(range(OPTIONS), rnd.randint(1, MAX_CHOICES)))
        votes.append([[1 if i in c else 0 for i in range(OPTIONS)]])
    return votes


def record(n: int, group: str = "RISTRETTO255") -> tuple[Path, dict]:
    """The cached record of n approval ballots and the trustees' secrets (kept beside it for
    part 4: a bench's own throw-away trustees)."""
    from pnyx.crypto import simulate

    path = cache_dir() / f"approval-{group}-{n}.bel"
    keys = path.with_suffix(".secrets.json")
    if path.exists() and keys.exists():
        print(f"   record: {path} (cached, {path.stat().st_size / 1e6:.0f} MB)")
        return path, json.loads(keys.read_text())
    kept = {}
    setup = simulate.setup_trustees

    def keep(*a, **k):
        kept["setup"] = st = setup(*a, **k)
        return st

    simulate.setup_trustees = keep
    t, c = time.time(), cpu_times()
    tmp = path.with_suffix(".tmp")
    try:
        out = simulate.run(tmp, group, question(), the_votes(n), processes=os.cpu_count() or 1)
    finally:
        simulate.setup_trustees = setup
    st = kept["setup"]
    secrets_ = {"single": str(st.single_secret), "shares": [str(s) for s in st.shares]}
    secrets_["result"] = out["result"]
    keys.write_text(json.dumps(secrets_))
    tmp.rename(path)
    print(
        f"   record: {n} ballots made by pnyx.crypto.simulate on {os.cpu_count()} cores in"
        f" {time.time() - t:.0f} s (CPU {cpu_times() - c:.0f} s; not part of any figure),"
        f" {path.stat().st_size / 1e6:.0f} MB, cached in {path}"
    )
    return path, secrets_


def ballot_texts(path: Path) -> tuple[str, list[str]]:
    """The election text and the ballots' texts of a record, in board order."""
    from pnyx.crypto import archive

    arch = archive.read(path)
    election, texts = None, []
    for e in arch.events:
        if e.type == "Setup":
            election = arch.get(arch.json(e.payload)["election"])
        elif e.type == "Ballot":
            texts.append(arch.get(e.payload))
    return election, texts


def baseline_parse(path: Path) -> tuple[float, int]:
    """Named baseline of parts 3 and 4: read the record and parse every ballot's JSON."""
    t = time.perf_counter()
    _e, texts = ballot_texts(path)
    for x in texts:
        json.loads(x)
    return time.perf_counter() - t, len(texts)


def pnyx_cmd(*argv) -> tuple[float, float, subprocess.CompletedProcess]:
    """Wall and CPU time (the command and its worker processes) of a `pnyx` command."""
    t, c = time.perf_counter(), cpu_times()
    proc = subprocess.run(
        [ROOT / ".venv/bin/pnyx", *map(str, argv)], capture_output=True, text=True
    )
    return time.perf_counter() - t, cpu_times() - c, proc


def verify_part(args) -> bool:
    cores = os.cpu_count() or 1
    print(f"3. pnyx verify-election on {args.ballots} approval ballots (3 of 30, RISTRETTO255)")
    path, _keys = record(args.ballots)
    base, n = baseline_parse(path)
    print(f"   baseline: read the record and parse every ballot's JSON: {base:.2f} s ({n} ballots)")
    print(f"   ({load()})")
    wall, cpu, proc = pnyx_cmd("verify-election", path, "--processes", cores)
    good = proc.returncode == 0
    print(
        f"   pnyx verify-election ({cores} processes): wall {wall:.1f} s = {wall / 60:.1f} min,"
        f" CPU {cpu:.0f} s ({cpu / n * 1000:.1f} CPU ms/ballot, {cpu / wall:.2f} cores busy);"
        f" exit {proc.returncode}; ratio to baseline {ratio(wall, base)}"
    )
    if not good:
        print("   " + (proc.stdout + proc.stderr).strip()[-2000:])
    at100k = wall * 100_000 / n
    met = at100k < 15 * 60
    print(
        f"   at 100,000 ballots: {at100k / 60:.1f} min (measured{'' if n == 100_000 else ', scaled'});"
        f" target < 15 min on 2 cores: {'met' if met else 'NOT met'} ({load()}); with the"
        f" {cores} cores to itself (CPU / cores): {cpu * 100_000 / n / cores / 60:.1f} min"
    )
    # Split across machines: one part timed, the plan for --machines-for ballots.
    total = args.machines_for
    k = max(2, args.split_parts)
    pw, pc, pproc = pnyx_cmd(
        "verify-election",
        path,
        "--processes",
        cores,
        "--part",
        f"1/{k}",
        "--output",
        tempfile.mktemp(suffix=".json"),
    )
    share = n // k
    per_ballot = pw / share
    machines = max(1, math.ceil(total * per_ballot / (15 * 60)))
    per_machine = math.ceil(total / machines)
    print(
        f"   split: part 1/{k} ({share} ballots) verified in {pw:.1f} s wall, CPU {pc:.0f} s,"
        f" exit {pproc.returncode}; {per_ballot * 1000:.2f} ms/ballot on this {cores}-core"
        f" machine (whole-record run: {wall / n * 1000:.2f} ms/ballot)"
    )
    print(
        f"   plan for {total:,} ballots: one machine alike would take"
        f" {total * per_ballot / 60:.0f} min; {machines} machines of {cores} cores, each"
        f" ~{per_machine:,} ballots in ~{per_machine * per_ballot / 60:.1f} min:"
    )
    dedicated = pc / share / cores  # seconds per ballot with the cores to itself
    m2 = max(1, math.ceil(total * dedicated / (15 * 60)))
    print(
        f"   with the {cores} cores to itself (CPU / cores, {pc / share * 1000:.1f} CPU ms/ballot):"
        f" one machine {total * dedicated / 60:.0f} min; {m2} machines of ~{math.ceil(total / m2):,}"
        f" ballots, ~{math.ceil(total / m2) * dedicated / 60:.1f} min each"
    )
    print(
        f"     machine i of M ({machines} shared as here, {m2} dedicated): pnyx verify-election"
        " RECORD.bel --part i/M --output part-i.json"
    )
    print(
        "     then anywhere: pnyx verify-election RECORD.bel --combine part-*.json"
        " (chain, setup, the product of the parts' products against the tally, decryptions)"
    )
    return good and met


_T: dict = {}


def _tally_init(election_text: str) -> None:
    from pnyx.crypto import election

    _T["e"] = election.Election.from_json(election_text)


def _tally_range(r: tuple[int, int]):
    """The product of the ballots lo..hi of the record (inherited by the forked workers)."""
    return _tally_chunk(_T["texts"][r[0] : r[1]])


def _tally_chunk(texts: list[str]):
    """The product of a chunk of ballots' ciphertexts (each element checked by from_str), as
    texts."""
    g = _T["e"].group
    fs, mul = g.from_str, g.mul
    acc = None
    for text in texts:
        rows = [
            [(fs(c["alpha"]), fs(c["beta"])) for c in a["choices"]]
            for a in json.loads(text)["answers"]
        ]
        if acc is None:
            acc = rows
        else:
            acc = [
                [(mul(x[0], y[0]), mul(x[1], y[1])) for x, y in zip(qa, qb, strict=True)]
                for qa, qb in zip(acc, rows, strict=True)
            ]
    return [[(g.to_str(a), g.to_str(b)) for a, b in q] for q in acc]


def tally_part(args) -> bool:
    from pnyx.crypto import election as election_mod
    from pnyx.crypto import tally, trustees

    cores = os.cpu_count() or 1
    print(f"4. Tally and decryption of {args.ballots} approval ballots (3 of 30, RISTRETTO255)")
    path, keys = record(args.ballots)
    etext, texts = ballot_texts(path)
    el = election_mod.Election.from_json(etext)
    g = el.group
    n = len(texts)
    votes = the_votes(n)
    print(f"   ({load()})")
    t = time.perf_counter()
    plain = [sum(v[0][i] for v in votes) for i in range(OPTIONS)]
    base = time.perf_counter() - t
    print(f"   baseline: counting the {n} votes in plaintext: {base * 1000:.1f} ms")
    t, c = time.perf_counter(), cpu_times()
    _T["texts"] = texts  # the workers inherit them (fork): only ranges and products travel
    with fork_pool(cores, _tally_init, (etext,)) as pool:
        partials = pool.map(_tally_range, [(i, i + 500) for i in range(0, n, 500)], chunksize=1)
    et = tally.multiply(
        el, [[[(g.from_str(a), g.from_str(b)) for a, b in q] for q in p] for p in partials]
    )
    et_text = tally.to_json(el, et)
    t_tally, c_tally = time.perf_counter() - t, cpu_times() - c
    print(
        f"   encrypted tally (product of {n} x {OPTIONS} ciphertexts, {cores} processes):"
        f" {t_tally:.1f} s wall, CPU {c_tally:.1f} s; ratio to baseline {ratio(t_tally, base)}"
    )
    # What the server's closing does (votes.actions.compute_encrypted_tally): the same parse
    # and product of the board's ballots, in one process.
    sample = texts[: min(n, 3000)]
    _tally_init(etext)
    t = time.perf_counter()
    _tally_chunk(sample)
    per = (time.perf_counter() - t) / len(sample)
    print(
        f"   the same product in one process (as compute_encrypted_tally on the server) on"
        f" {len(sample)} ballots: {per * 1e3:.2f} ms/ballot, i.e. {per * n:.0f} s for {n}"
        f" ({per * 100_000:.0f} s for 100,000); ratio to the {cores} processes"
        f" {ratio(per * n, t_tally)}"
    )
    fp = el.hash
    tr = trustees.Trustees.from_json(g, setup_part(path, "trustees"))
    t = time.perf_counter()
    pds = [(1, trustees.decryption_factors(g, fp, et_text, int(keys["single"])))]
    t_single = time.perf_counter() - t
    t = time.perf_counter()
    for i in (0, 1):
        pds.append((2 + i, trustees.decryption_factors(g, fp, et_text, int(keys["shares"][i]))))
    t_thr = (time.perf_counter() - t) / 2
    t = time.perf_counter()
    result = json.loads(tr.combine(fp, et_text, pds, total_weight=n))["result"]
    t_comb = time.perf_counter() - t
    total = t_tally + t_single + 2 * t_thr + t_comb
    good = result == [plain] == keys["result"]
    print(
        f"   decryption: a partial decryption with proofs {t_single * 1000:.0f} ms (the Single"
        f" trustee), {t_thr * 1000:.0f} ms each (threshold trustees 1 and 2 of 3); checking the"
        f" 3 and combining them (Lagrange), dlog of {OPTIONS} counts (bound {n}):"
        f" {t_comb:.2f} s"
    )
    print(
        f"   tally + decryption: {total:.1f} s; ratio to baseline {ratio(total, base)};"
        f" result == the plaintext count == the record's: {good} ({load()})"
    )
    return good


def setup_part(path: Path, key: str) -> str:
    """The Setup event's "trustees" or "credentials" text of a record."""
    from pnyx.crypto import archive

    arch = archive.read(path, lazy=True)
    setup = next(e for e in arch.events if e.type == "Setup")
    return arch.get(arch.json(setup.payload)[key])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", choices=["browser", "cast", "verify", "tally"], action="append")
    ap.add_argument("--runs", type=int, default=3, help="browser: encryptions per case")
    ap.add_argument("--throttle", type=float, default=4, help="browser: CPU throttling rate")
    ap.add_argument("--voters", type=int, default=3000, help="cast: voters (plaintext, ristretto)")
    ap.add_argument("--ff-voters", type=int, default=800, help="cast: BELENIOS-2048 ballots")
    ap.add_argument("--workers", type=int, default=4, help="cast: gunicorn workers")
    ap.add_argument("--server", choices=["wsgi", "asgi"], default="wsgi")
    ap.add_argument("--concurrency", type=int, default=16, help="cast: requests in flight")
    ap.add_argument("--profile", action="store_true", help="cast: profile verifiable casts")
    ap.add_argument("--time-limit", type=float, default=45.0, help="cast: seconds per phase")
    ap.add_argument("--ballots", type=int, default=100_000, help="verify, tally: record size")
    ap.add_argument("--machines-for", type=int, default=550_000, help="verify: split plan size")
    ap.add_argument("--split-parts", type=int, default=4, help="verify: time part 1 of K")
    args = ap.parse_args()
    parts = args.only or ["browser", "cast", "verify", "tally"]
    print(
        f"bench/verifiable.py on {os.uname().nodename}: {os.cpu_count()} cores, shared with"
        f" other work ({load()}); parts: {', '.join(parts)}",
        flush=True,
    )
    ok = True
    for part in parts:
        t = time.perf_counter()
        ok &= {"browser": browser_part, "cast": cast_part, "verify": verify_part}.get(
            part, tally_part
        )(args)
        print(f"   ({part}: {time.perf_counter() - t:.0f} s)", flush=True)
    print("all targets met" if ok else "some target NOT met (see above)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
