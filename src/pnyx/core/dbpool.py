"""PostgreSQL connection pool options (psycopg's pool, through Django), from the environment.

    PNYX_DB_POOL          1 to pool (`pnyx serve` turns it on unless it is set), 0 not to
    PNYX_DB_POOL_MIN      connections each process keeps open (default 1)
    PNYX_DB_POOL_MAX      connections each process opens at most (default 4)
    PNYX_DB_POOL_TIMEOUT  seconds a request waits for a free connection (default 20)

With the pool, a process never opens more than PNYX_DB_POOL_MAX connections however many
requests it serves at once (an ASGI worker serves each in its own thread): the others wait for
one. Without it, Django opens one per thread. PNYX_WORKERS x PNYX_DB_POOL_MAX must stay below
PostgreSQL's max_connections; `pnyx serve` checks it. The pool is off by default elsewhere
(commands, tests): tests that start many threads at a barrier would wait for each other.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

DEFAULT_MIN = 1
DEFAULT_MAX = 4
DEFAULT_TIMEOUT = 20.0


def pool_enabled(environ: Mapping[str, str] | None = None) -> bool:
    env = os.environ if environ is None else environ
    return env.get("PNYX_DB_POOL", "0").strip().lower() in {"1", "true", "yes", "on"}


def pool_options(environ: Mapping[str, str] | None = None) -> dict:
    env = os.environ if environ is None else environ

    def number(name, default, kind):
        raw = env.get(name)
        if raw is None or raw == "":
            return default
        try:
            value = kind(raw)
        except ValueError:
            raise ValueError(f"{name} must be a number, not {raw!r}") from None
        if value <= 0:
            raise ValueError(f"{name} must be positive, not {raw!r}")
        return value

    options = {
        "min_size": number("PNYX_DB_POOL_MIN", DEFAULT_MIN, int),
        "max_size": number("PNYX_DB_POOL_MAX", DEFAULT_MAX, int),
        "timeout": number("PNYX_DB_POOL_TIMEOUT", DEFAULT_TIMEOUT, float),
    }
    if options["min_size"] > options["max_size"]:
        raise ValueError(
            f"PNYX_DB_POOL_MIN ({options['min_size']}) is above PNYX_DB_POOL_MAX "
            f"({options['max_size']})"
        )
    return options
