"""`pnyx serve`: the production server (gunicorn), configured from the environment.

    PNYX_SERVER   wsgi (default: sync workers, the fastest for casting) or asgi (uvicorn's
                  worker under gunicorn, for server-sent events)
    PNYX_BIND     address to listen on (default 127.0.0.1:$PORT, PORT default 8000)
    PNYX_WORKERS  worker processes (default 2 x cores + 1)
    PNYX_TIMEOUT  seconds a worker may spend on one request before it is restarted (default 30)
    PNYX_GRACEFUL_TIMEOUT  seconds to finish requests on restart (default 30)
    PNYX_KEEPALIVE         seconds to keep an idle connection open (default 5)
    PNYX_MAX_REQUESTS      restart a worker after that many requests (default 0: never)

Flags override the environment. On PostgreSQL the workers pool their connections
(pnyx.core.dbpool; PNYX_DB_POOL=0 to turn it off), and the command refuses to start when
workers x PNYX_DB_POOL_MAX would pass the server's max_connections.
"""

from __future__ import annotations

import os
import sys

from django.core.management.base import BaseCommand, CommandError

from pnyx.core.dbpool import pool_enabled, pool_options

APPS = {"wsgi": "pnyx.wsgi:application", "asgi": "pnyx.asgi:application"}
WORKER_CLASSES = {"wsgi": "sync", "asgi": "uvicorn_worker.UvicornWorker"}


def _int(value, name: str) -> int:
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise CommandError(f"{name} must be a whole number, not {value!r}.") from None
    if n < 0:
        raise CommandError(f"{name} must not be negative, not {n}.")
    return n


def server_config(options: dict | None = None, environ=None) -> dict:
    """What `pnyx serve` runs, from the flags (options) over the environment over defaults."""
    env = os.environ if environ is None else environ
    options = {k: v for k, v in (options or {}).items() if v is not None}
    kind = options.get("server") or env.get("PNYX_SERVER", "wsgi")
    if kind not in APPS:
        raise CommandError(f"PNYX_SERVER must be one of {', '.join(APPS)}, not {kind!r}.")
    port = _int(options.get("port") or env.get("PORT", 8000), "PORT")
    bind = options.get("bind") or env.get("PNYX_BIND") or f"127.0.0.1:{port}"
    workers = _int(
        options.get("workers") or env.get("PNYX_WORKERS") or 2 * (os.cpu_count() or 1) + 1,
        "PNYX_WORKERS",
    )
    if workers < 1:
        raise CommandError("PNYX_WORKERS must be at least 1.")
    return {
        "kind": kind,
        "app": APPS[kind],
        "worker_class": WORKER_CLASSES[kind],
        "bind": bind,
        "workers": workers,
        "timeout": _int(options.get("timeout") or env.get("PNYX_TIMEOUT", 30), "PNYX_TIMEOUT"),
        "graceful_timeout": _int(env.get("PNYX_GRACEFUL_TIMEOUT", 30), "PNYX_GRACEFUL_TIMEOUT"),
        "keepalive": _int(env.get("PNYX_KEEPALIVE", 5), "PNYX_KEEPALIVE"),
        "max_requests": _int(env.get("PNYX_MAX_REQUESTS", 0), "PNYX_MAX_REQUESTS"),
    }


def gunicorn_argv(config: dict) -> list[str]:
    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        config["app"],
        "--bind",
        config["bind"],
        "--workers",
        str(config["workers"]),
        "--worker-class",
        config["worker_class"],
        "--timeout",
        str(config["timeout"]),
        "--graceful-timeout",
        str(config["graceful_timeout"]),
        "--keep-alive",
        str(config["keepalive"]),
        "--backlog",
        "2048",
        "--log-level",
        os.environ.get("PNYX_LOG_LEVEL", "warning").lower(),
    ]
    if config["max_requests"]:
        argv += ["--max-requests", str(config["max_requests"]), "--max-requests-jitter", "50"]
    return argv


def check_connection_budget(workers: int, environ=None) -> str | None:
    """On PostgreSQL with the pool: refuse when workers x pool max would exhaust the server."""
    env = os.environ if environ is None else environ
    url = env.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")) or not pool_enabled(env):
        return None
    try:
        pool_max = pool_options(env)["max_size"]
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    import psycopg

    with psycopg.connect(url, connect_timeout=10) as conn:
        max_connections = int(conn.execute("SHOW max_connections").fetchone()[0])
        reserved = int(conn.execute("SHOW superuser_reserved_connections").fetchone()[0])
    budget = max_connections - reserved
    needed = workers * pool_max
    if needed >= budget:
        raise CommandError(
            f"{workers} workers x a pool of {pool_max} connections = {needed}, but PostgreSQL "
            f"accepts {budget} (max_connections {max_connections} - {reserved} reserved): "
            "lower PNYX_WORKERS or PNYX_DB_POOL_MAX, or raise max_connections."
        )
    return f"database pool: at most {needed} of {budget} PostgreSQL connections"


class Command(BaseCommand):
    help = "Run the production server (gunicorn): workers, timeouts, WSGI or ASGI."

    def add_arguments(self, parser):
        parser.add_argument("--server", choices=sorted(APPS), help="wsgi (default) or asgi")
        parser.add_argument("--bind", help="address:port (default 127.0.0.1:$PORT)")
        parser.add_argument("--port", type=int)
        parser.add_argument("--workers", type=int)
        parser.add_argument("--timeout", type=int)
        parser.add_argument(
            "--print", action="store_true", help="print the gunicorn command, do not run it"
        )

    def handle(self, *args, **options):
        config = server_config(options)
        argv = gunicorn_argv(config)
        if options["print"]:
            self.stdout.write(" ".join(argv))
            return
        # The workers pool their PostgreSQL connections unless told not to (PNYX_DB_POOL=0).
        os.environ.setdefault("PNYX_DB_POOL", "1")
        budget = check_connection_budget(config["workers"])
        self.stdout.write(
            f"Pnyx on http://{config['bind']} ({config['kind']}, {config['workers']} workers, "
            f"timeout {config['timeout']} s{', ' + budget if budget else ''})"
        )
        self.stdout.flush()
        sys.stdout.flush()
        os.execv(sys.executable, argv)
