"""Time the voter's browser booth (booth.js) in headless Chromium (run by hand, or imported).

    .venv/bin/python bench/verifiable_browser.py [--runs 3] [--throttle 4]

What it does: serves src/pnyx/votes/static/votes/verifiable/ and the test-only harness
(tests/votes/booth_js/) from a tiny local HTTP server (port 8400-8499, strict CSP header:
script-src 'self', no eval, nothing inline), opens the harness in Debian's Chromium
(/usr/bin/chromium, Playwright; no browser download) and encrypts, in both groups:

- approval: one question of 30 options, up to 3 choices (0..3), 3 chosen;
- majority judgment: 30 questions of 6 grades each, exactly one grade (min = max = 1);

with the CPU throttled 4x (CDP Emulation.setCPUThrottlingRate, as the issue's phone targets
say: approval < 1 s, majority judgment < 3 s in RISTRETTO255) and unthrottled. Prints the
ballot's size; the first encryption in a fresh page ("cold"); in another fresh page,
prepareElection (the tables of g and of the election key, which the ballot page builds on load),
then the first and the median of --runs encryptions; the ratio throttled/unthrottled and the
ratio to a named baseline: building the plaintext ballot (parse the election, JSON of the
answers) in the same page.

``measure()`` returns the figures as a list of dicts (bench/verifiable.py imports it); the
helpers ``serve()``, ``browser()``, ``open_harness()``, ``make_election()`` are shared with
tests/votes/test_votes_booth_js.py.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import json
import queue
import secrets
import statistics
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATIC_DIR = ROOT / "src/pnyx/votes/static/votes/verifiable"
HARNESS_DIR = ROOT / "tests/votes/booth_js"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-dev-shm-usage"]
CSP = "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'"
B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
TYPES = {".js": "text/javascript", ".html": "text/html; charset=utf-8", ".md": "text/plain"}


class _Handler(http.server.BaseHTTPRequestHandler):
    routes = {"/static/votes/verifiable/": STATIC_DIR, "/harness/": HARNESS_DIR}

    def do_GET(self):  # noqa: N802 - http.server's name
        path = self.path.split("?", 1)[0]
        for prefix, folder in self.routes.items():
            if path.startswith(prefix):
                f = (folder / path[len(prefix) :]).resolve()
                if f.is_file() and f.is_relative_to(folder):
                    body = f.read_bytes()
                    self.send_response(200)
                    self.send_header(
                        "Content-Type", TYPES.get(f.suffix, "application/octet-stream")
                    )
                    self.send_header("Content-Security-Policy", CSP)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
        self.send_error(404)

    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve():
    """A local HTTP server for the booth and the harness, on the first free port in 8400-8499;
    yields its base URL."""
    for port in range(8400, 8500):
        try:
            server = http.server.ThreadingHTTPServer(("127.0.0.1", port), _Handler)
            break
        except OSError:
            continue
    else:  # pragma: no cover
        raise RuntimeError("no free port in 8400-8499")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def browser():
    """Debian's headless Chromium through Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def open_harness(b, base_url: str, throttle: float = 1):
    """A new page on the harness, its modules loaded; CPU throttled ``throttle`` times."""
    page = b.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.goto(base_url + "/harness/harness.html")
    try:
        page.wait_for_function("window.harness !== undefined", timeout=15000)
    except Exception as e:
        raise RuntimeError(f"the harness did not load: {errors}") from e
    if throttle != 1:
        cdp = page.context.new_cdp_session(page)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": throttle})
        page._pnyx_cdp = cdp  # keep it alive
    page._pnyx_errors = errors
    return page


class ThreadedHarness:
    """The harness page driven from a thread of its own: Playwright's sync API refuses to start
    in a thread that already runs an asyncio loop (as pytest's e2e session browser does), so the
    tests talk to this page through a queue. ``evaluate(expression, arg)`` and
    ``text_content(selector)`` as on a Playwright page; ``errors`` the page's errors."""

    def __init__(self, throttle: float = 1):
        self.throttle = throttle
        self._jobs: queue.Queue = queue.Queue()
        self._ready = threading.Event()
        self._failure: BaseException | None = None
        self.errors: list[str] = []

    def _run(self):
        try:
            with serve() as base, browser() as b:
                page = open_harness(b, base, self.throttle)
                self.errors = page._pnyx_errors
                self._ready.set()
                while (job := self._jobs.get()) is not None:
                    name, args, box, done = job
                    try:
                        box.append(("ok", getattr(page, name)(*args)))
                    except BaseException as e:  # handed to the caller
                        box.append(("error", e))
                    done.set()
        except BaseException as e:
            self._failure = e
            self._ready.set()

    def __enter__(self):
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._failure:
            raise self._failure
        return self

    def __exit__(self, *exc):
        self._jobs.put(None)
        self._thread.join(30)

    def _call(self, name, *args):
        box: list = []
        done = threading.Event()
        self._jobs.put((name, args, box, done))
        done.wait()
        kind, value = box[0]
        if kind == "error":
            raise value
        return value

    def evaluate(self, expression, arg=None):
        return self._call("evaluate", expression, arg)

    def text_content(self, selector):
        return self._call("text_content", selector)


def credential() -> str:
    """A random private credential as Belenios prints it (section "Credentials")."""
    digits = [secrets.randbelow(58) for _ in range(14)]
    n = functools.reduce(lambda a, d: a * 58 + d, digits, 0)
    raw = "".join(B58[d] for d in digits) + B58[53 - n % 53]
    return "-".join(raw[i : i + 3] for i in range(0, 15, 3))


def make_election(group_name: str, questions: list[dict], *, uuid: str | None = None) -> str:
    """An election text in Belenios's field order, with a random public key."""
    from pnyx.crypto import groups

    g = groups.get(group_name)
    y = g.to_str(g.g_pow(g.random_scalar()))
    uuid = uuid or "".join(secrets.choice(B58) for _ in range(14))
    qs = [
        {
            "answers": q["answers"],
            **({"blank": True} if q.get("blank") else {}),
            "min": q["min"],
            "max": q["max"],
            "question": q["question"],
        }
        for q in questions
    ]
    election = {
        "version": 1,
        "description": "Bench",
        "name": "Bench",
        "group": group_name,
        "public_key": y,
        "questions": qs,
        "uuid": uuid,
    }
    return json.dumps(election, separators=(",", ":"), ensure_ascii=False)


def approval_case():
    q = {"question": "Approval", "answers": [f"Option {i}" for i in range(30)], "min": 0, "max": 3}
    answers = [[1 if i in (2, 11, 27) else 0 for i in range(30)]]
    return "approval 30 options, up to 3", [q], answers


def majority_judgment_case():
    grades = ["Excellent", "Très bien", "Bien", "Assez bien", "Passable", "À rejeter"]
    qs = [{"question": f"Option {i}", "answers": grades, "min": 1, "max": 1} for i in range(30)]
    answers = [[1 if j == i % 6 else 0 for j in range(6)] for i in range(30)]
    return "majority judgment 30 x 6 grades", qs, answers


def measure(runs: int = 3, throttle: float = 4, groups=("RISTRETTO255", "BELENIOS-2048")):
    """Encryption times of the two cases in each group, CPU throttled and not. Each case runs in
    fresh pages: ``cold_ms`` is the first encryption of a page that did not prepare;
    ``prepare_ms`` is prepareElection (the key's and g's tables, as the ballot page does on
    load) in another fresh page, then ``first_ms`` its first encryption and ``median_ms`` the
    median of ``runs`` more. Returns a list of dicts {case, group, throttle, size, cold_ms,
    prepare_ms, first_ms, median_ms, median_unthrottled_ms, ratio_unthrottled, baseline_ms,
    ratio_baseline}."""
    results = []
    with serve() as base, browser() as b:
        for group in groups:
            for case in (approval_case, majority_judgment_case):
                name, qs, answers = case()
                text = make_election(group, qs)
                cred = credential()
                args = [text, cred, answers]
                row = {"case": name, "group": group, "throttle": throttle}
                page = open_harness(b, base, throttle)
                r = page.evaluate("([e, c, a]) => window.harness.timeEncrypt(e, c, a, 1)", args)
                row["cold_ms"] = r["times"][0]
                page.close()
                for t in (throttle, 1):
                    page = open_harness(b, base, t)
                    prep = page.evaluate("(e) => window.harness.timePrepare(e)", text)
                    r = page.evaluate(
                        "([e, c, a, n]) => window.harness.timeEncrypt(e, c, a, n)",
                        [*args, runs + 1],
                    )
                    page.close()
                    med = statistics.median(r["times"][1:])
                    if t == throttle:
                        row |= {
                            "size": r["size"],
                            "prepare_ms": prep,
                            "first_ms": r["times"][0],
                            "median_ms": med,
                            "baseline_ms": r["baseline"],
                            "ratio_baseline": med / r["baseline"] if r["baseline"] else None,
                        }
                    else:
                        row["median_unthrottled_ms"] = med
                row["ratio_unthrottled"] = row["median_ms"] / row["median_unthrottled_ms"]
                results.append(row)
    return results


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--throttle", type=float, default=4)
    args = ap.parse_args()
    rows = measure(args.runs, args.throttle)
    print(
        f"{'case':32} {'group':13} {'bytes':>7} {'cold':>6} {'prep.':>6} {'first':>6}"
        f" {'median':>6} {'unthr.':>6} {'ratio':>5} {'x base':>7}"
        f"   (ms; CPU throttled {args.throttle:g}x except 'unthr.')"
    )
    for r in rows:
        print(
            f"{r['case']:32} {r['group']:13} {r['size']:>7} {r['cold_ms']:>6.0f}"
            f" {r['prepare_ms']:>6.0f} {r['first_ms']:>6.0f} {r['median_ms']:>6.0f}"
            f" {r['median_unthrottled_ms']:>6.0f} {r['ratio_unthrottled']:>5.2f}"
            f" {r['ratio_baseline']:>7.0f}"
        )
    print(
        "cold: first encryption in a fresh page; prep.: prepareElection in another fresh page,"
        " then first and median (of --runs) encryptions; ratio: median / unthrottled median;"
        " x base: median / baseline = building the plaintext ballot (parse the election text,"
        f" JSON of the answers), {statistics.mean(r['baseline_ms'] for r in rows) * 1000:.0f} µs"
        " throttled."
    )


if __name__ == "__main__":
    main()
