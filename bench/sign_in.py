"""Does the sign-in form's response time tell a member's address from an unknown one?

    .venv/bin/python bench/sign_in.py [--requests 200]

Posts the sign-in form, alternately with a member's address and an unknown one, ``--requests``
times each, through Django's test client (in process, no network), on a throw-away SQLite
database, and prints the median response time of each, their difference and their ratio:

- before: the email is sent inside the request (the immediate task backend runs the task at
  once: look the member up, write the link's token, render and send the email; what the view
  did itself before sign-in emails became a task);
- after: the request enqueues one task, the same for both addresses (the database backend of
  django_tasks_db, as production runs it; a worker sends the email later).

Mail goes to Django's in-memory backend, the fastest there is: with a real SMTP server, the
"before" gap grows by the server's round trips (tens of milliseconds or more), the "after"
figures do not change. Rate limits and the per-member limit of links are lifted for the run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="per address and per mode")
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="pnyx-bench-sign-in-")
    os.environ.update(
        DJANGO_SETTINGS_MODULE="pnyx.settings",
        PNYX_VAR_DIR=tmp,
        PNYX_SQLITE_PATH=str(Path(tmp) / "bench.sqlite3"),
        PNYX_TASKS_BACKEND="database",  # installs django_tasks_db; "before" overrides TASKS
        SECRET_KEY="bench-only-not-secret",
    )
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, str(ROOT / "src"))

    import django

    django.setup()
    from django.core import mail
    from django.core.management import call_command
    from django.test import Client, override_settings
    from django.test.utils import setup_test_environment

    from pnyx.members.models import Member, SignInToken

    setup_test_environment()  # the in-memory mail backend, and the test client's host
    call_command("migrate", verbosity=0)
    Member.objects.create(
        external_id="B1",
        first_name="Léa",
        last_name="Martin",
        email="lea@example.org",
        gender="F",
        region="Bretagne",
        birth_year=1990,
        joined_on="2017-01-01",
    )
    lifted = {"sign_in": "1000000/m", "sign_in_link": "1000000/m", "cast": "1000000/m"}
    backends = {
        "before": {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}},
        "after": {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}},
    }
    print(f"sign-in form, {args.requests} POSTs per address and mode, SQLite, in-memory mail")
    print(f"{'mode':8} {'known ms':>9} {'unknown ms':>11} {'diff ms':>8} {'ratio':>6}  mails")
    for mode, tasks in backends.items():
        with override_settings(
            TASKS=tasks, PNYX_RATE_LIMITS=lifted, PNYX_SIGN_IN_LINKS_PER_HOUR=10**9
        ):
            client = Client()
            times: dict[str, list[float]] = {"known": [], "unknown": []}
            addresses = {"known": "lea@example.org", "unknown": "nobody@example.org"}
            for i in range(args.requests + 10):
                for who in ("known", "unknown") if i % 2 else ("unknown", "known"):
                    start = time.perf_counter()
                    r = client.post("/connexion/", {"email": addresses[who]})
                    elapsed = time.perf_counter() - start
                    assert r.status_code == 200, r.status_code
                    if i >= 10:  # the first ten rounds warm caches up
                        times[who].append(elapsed * 1000)
            known = statistics.median(times["known"])
            unknown = statistics.median(times["unknown"])
            print(
                f"{mode:8} {known:9.2f} {unknown:11.2f} {known - unknown:8.2f} "
                f"{known / unknown:6.2f}  {len(mail.outbox)}"
            )
            mail.outbox.clear()
    print(
        f"(links written: {SignInToken.objects.count()}; ratio = known / unknown, 1.00 = no tell)"
    )


if __name__ == "__main__":
    main()
