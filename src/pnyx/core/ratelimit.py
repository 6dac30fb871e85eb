"""Per-address rate limits, counted in a cache that every server process shares.

A limit is "N requests per window" (settings ``PNYX_RATE_LIMITS``, e.g. ``"20/10m"``), counted in
fixed windows: the key of a count names the scope, who is counted and the window's number, so a
count never needs resetting and an old one simply expires.

The count lives in Django's cache ``PNYX_RATE_LIMIT_CACHE`` (the default cache: the database
cache, or Redis when ``REDIS_URL`` is set), never in a process's memory. Redis increments
atomically; the database cache does not (its ``incr`` is a read then a write), so there the
read-and-write runs in one transaction that holds a lock on the key (PostgreSQL: an advisory
transaction lock; SQLite: the write lock every transaction of Pnyx takes at its start), and two
processes never lose each other's hits.

The client's address is ``REMOTE_ADDR``, unless a proxy in front of the servers is trusted to
set a header (``PNYX_CLIENT_IP_HEADER``, e.g. ``X-Forwarded-For``, with
``PNYX_TRUSTED_PROXIES`` the number of proxies that append to it). IPv6 addresses count per
/64 network: one machine usually holds a whole /64.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import wraps

from django.conf import settings
from django.core import checks
from django.core.cache import BaseCache, caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router, transaction
from django.shortcuts import render
from django.utils import timezone

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")


@dataclass(frozen=True)
class Rate:
    limit: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Rate:
        """``"20/10m"`` is 20 per 10 minutes; units s, m, h, d; ``"5/h"`` is 5 per hour."""
        match = _RATE.match(str(text))
        if not match or int(match.group(2) or 1) == 0:
            raise ValueError(
                f"rate {text!r}: expected N/<window>, e.g. '20/10m', '5/h', '30/m' (s, m, h, d)"
            )
        return cls(int(match.group(1)), int(match.group(2) or 1) * _UNITS[match.group(3)])


@checks.register(checks.Tags.security)
def check_rate_limits(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """A nonsense limit stops `migrate`, `runserver` and `check`, naming the setting."""
    errors = []
    for scope, text in settings.PNYX_RATE_LIMITS.items():
        try:
            Rate.parse(text)
        except ValueError as exc:
            errors.append(checks.Error(f"PNYX_RATE_LIMITS[{scope!r}]: {exc}", id="pnyx.E001"))
    return errors


def rate_for(scope: str) -> Rate:
    try:
        return Rate.parse(settings.PNYX_RATE_LIMITS[scope])
    except KeyError:
        raise ValueError(f"no rate limit named {scope!r} in PNYX_RATE_LIMITS") from None


def client_address(request) -> str:
    """The address a request comes from: REMOTE_ADDR, or the trusted proxy header's entry."""
    address = request.META.get("REMOTE_ADDR", "")
    header = getattr(settings, "PNYX_CLIENT_IP_HEADER", "")
    if header:
        meta_name = "HTTP_" + header.upper().replace("-", "_")
        hops = [h.strip() for h in request.META.get(meta_name, "").split(",") if h.strip()]
        # Each trusted proxy appends the address it saw: the client is that many from the end.
        trusted = max(1, int(getattr(settings, "PNYX_TRUSTED_PROXIES", 1)))
        if len(hops) >= trusted:
            address = hops[-trusted]
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address or "unknown"
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _now() -> datetime:
    """The one place the limits read the clock (tests set it)."""
    return timezone.now()


def _cache() -> BaseCache:
    return caches[getattr(settings, "PNYX_RATE_LIMIT_CACHE", "default")]


def _key(scope: str, who: str, window: int) -> str:
    digest = hashlib.sha256(who.encode()).hexdigest()[:32]
    return f"pnyx:rate:{scope}:{digest}:{window}"


def _window(rate: Rate, now: datetime) -> tuple[int, int]:
    """The window's number and the seconds left in it."""
    ts = now.timestamp()
    number = math.floor(ts / rate.seconds)
    return number, max(1, math.ceil((number + 1) * rate.seconds - ts))


def count(scope: str, who: str, rate: Rate, now: datetime, cache: BaseCache | None = None) -> int:
    """The hits counted so far in the current window."""
    cache = cache or _cache()
    number, _left = _window(rate, now)
    return int(cache.get(_key(scope, who, number), 0))


def hit(scope: str, who: str, rate: Rate, now: datetime, cache: BaseCache | None = None) -> int:
    """Count one hit and return the window's count including it (shared by every process)."""
    cache = cache or _cache()
    number, left = _window(rate, now)
    key = _key(scope, who, number)
    timeout = left + 1
    if isinstance(cache, DatabaseCache):
        db = router.db_for_write(cache.cache_model_class)
        with transaction.atomic(using=db):
            connection = connections[db]
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [key])
            value = int(cache.get(key, 0)) + 1
            cache.set(key, value, timeout)
            return value
    cache.add(key, 0, timeout)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout)
        return 1


def too_many(request, rate: Rate, now: datetime):
    _number, left = _window(rate, now)
    response = render(request, "429.html", {"minutes": math.ceil(left / 60)}, status=429)
    response["Retry-After"] = str(left)
    response["Cache-Control"] = "no-store"
    return response


def by_address(request) -> str:
    return client_address(request)


def by_address_and_user(request) -> str:
    """The address and the signed-in user: a hall's phones behind one NAT count apart."""
    return f"{client_address(request)}|{request.user.pk if request.user.is_authenticated else ''}"


def rate_limited(
    scope: str,
    *,
    key: Callable = by_address,
    methods: tuple[str, ...] = ("POST",),
    failures_only: bool = False,
):
    """Refuse with 429, before the view runs, the requests over the limit ``scope``.

    With ``failures_only``, only responses of status 400 or more count (a link that does not
    work), so that everyone using a good link passes while guessing links is bounded; once over
    the limit, even a good link waits for the window to end.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method not in methods:
                return view(request, *args, **kwargs)
            rate = rate_for(scope)
            now = _now()
            who = key(request)
            if failures_only:
                if count(scope, who, rate, now) >= rate.limit:
                    return too_many(request, rate, now)
                response = view(request, *args, **kwargs)
                if response.status_code >= 400:
                    hit(scope, who, rate, now)
                return response
            if hit(scope, who, rate, now) > rate.limit:
                return too_many(request, rate, now)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
