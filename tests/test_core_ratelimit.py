"""Per-address rate limits: sign-in (asking for a link, using a link) and casting a ballot.

Counts live in the shared cache (the database cache by default, Redis with REDIS_URL), so every
server process sees the same count; the clock is fixed in each test.
"""

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.core.cache import caches
from django.db import connection
from django.test import override_settings

from pnyx.core import ratelimit
from pnyx.core.ratelimit import Rate, client_address
from pnyx.members.models import SignInToken

pytestmark = pytest.mark.django_db

T0 = datetime(2030, 3, 4, 10, 0, 5, tzinfo=UTC)  # 5 s into a minute: no window ends mid-test


@pytest.fixture(autouse=True)
def _frozen(monkeypatch):
    monkeypatch.setattr(ratelimit, "_now", lambda: T0)


@pytest.fixture
def limits(settings):
    settings.PNYX_RATE_LIMITS = {"sign_in": "3/10m", "sign_in_link": "2/10m", "cast": "2/m"}
    return settings


def test_rates_parse_and_nonsense_is_named():
    assert Rate.parse("20/10m") == Rate(20, 600)
    assert Rate.parse("5/h") == Rate(5, 3600)
    for bad in ("", "5", "x/m", "5/0m", "5/w", "-1/m"):
        with pytest.raises(ValueError, match="expected N/<window>"):
            Rate.parse(bad)


def test_a_nonsense_limit_is_a_check_error_naming_the_setting(settings):
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    call_command("check")
    default = dict(settings.PNYX_RATE_LIMITS)
    settings.PNYX_RATE_LIMITS = {**default, "cast": "lots"}
    with pytest.raises(SystemCheckError, match=r"PNYX_RATE_LIMITS\['cast'\]: rate 'lots'"):
        call_command("check")
    # every limit is checked, those of the apps added later too
    for scope in ("amend", "assembly_answer"):
        settings.PNYX_RATE_LIMITS = {**default, scope: "10 per minute"}
        with pytest.raises(SystemCheckError, match=rf"PNYX_RATE_LIMITS\['{scope}'\]"):
            call_command("check")


def test_default_cache_is_shared_not_process_memory(settings):
    backend = settings.CACHES["default"]["BACKEND"]
    assert backend in {
        "django.core.cache.backends.db.DatabaseCache",
        "django.core.cache.backends.redis.RedisCache",
    }


def test_asking_for_links_over_the_limit_is_429_and_sends_nothing(
    client, limits, make_member, monkeypatch
):
    make_member(email="lea@example.org")
    for _ in range(3):
        assert client.post("/connexion/", {"email": "lea@example.org"}).status_code == 200
    assert len(mail.outbox) == 3
    r = client.post("/connexion/", {"email": "lea@example.org"})
    assert r.status_code == 429
    assert int(r["Retry-After"]) == 600 - 5
    assert "Trop de tentatives" in r.content.decode()  # French first
    assert len(mail.outbox) == 3 and SignInToken.objects.count() == 3  # nothing done
    # Another address is unaffected.
    r = client.post("/connexion/", {"email": "lea@example.org"}, REMOTE_ADDR="192.0.2.7")
    assert r.status_code == 200 and len(mail.outbox) == 4
    # The next window starts afresh.
    monkeypatch.setattr(ratelimit, "_now", lambda: T0 + timedelta(minutes=10))
    assert client.post("/connexion/", {"email": "lea@example.org"}).status_code == 200


def test_429_page_in_english(client, limits):
    for _ in range(3):
        client.post("/connexion/", {"email": "x@example.org"})
    r = client.post("/connexion/", {"email": "x@example.org"}, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 429 and "Too many attempts" in r.content.decode()
    assert "try again in 10 minutes" in r.content.decode()


def test_showing_the_form_is_not_counted(client, limits):
    for _ in range(10):
        assert client.get("/connexion/").status_code == 200


def test_links_that_fail_are_counted_good_ones_pass_until_the_limit(client, limits, make_member):
    member = make_member(email="lea@example.org")
    assert client.get("/connexion/guess-1/").status_code == 410
    assert client.post("/connexion/guess-2/").status_code == 410
    # Over the limit of failed links: even a good link waits, and is not used up.
    client.post("/connexion/", {"email": "lea@example.org"}, REMOTE_ADDR="192.0.2.8")
    link = mail.outbox[-1].body.split("http://testserver")[1].split()[0]
    r = client.post(link)
    assert r.status_code == 429
    assert "_auth_user_id" not in client.session
    assert SignInToken.objects.get().used_at is None
    # From another address the same link works.
    r = client.post(link, REMOTE_ADDR="192.0.2.9")
    assert r.status_code == 302
    member.refresh_from_db()
    assert int(client.session["_auth_user_id"]) == member.user_id


def test_badge_links_that_fail_are_counted_too(client, limits, convention, make_member):
    from pnyx.programme.models import Participant

    participant = Participant.objects.create(convention=convention, member=make_member())
    good = participant.badge_path()
    assert client.get(good).status_code == 200  # a good badge is not counted
    assert client.get(f"/badge/{participant.pk}/guess-1/").status_code == 404
    assert client.post(f"/badge/{participant.pk}/guess-2/").status_code == 404
    r = client.post(good)
    assert r.status_code == 429 and "_auth_user_id" not in client.session
    participant.refresh_from_db()
    assert participant.checked_in_at is None  # nothing done
    assert client.post(good, REMOTE_ADDR="192.0.2.10").status_code == 302


def test_good_links_are_not_counted(client, limits, make_member):
    """A hall behind one address signs in by link: only failures count."""
    for i in range(4):
        make_member(email=f"p{i}@example.org")
        client.post("/connexion/", {"email": f"p{i}@example.org"}, REMOTE_ADDR=f"192.0.2.{20 + i}")
    for message in mail.outbox:
        link = message.body.split("http://testserver")[1].split()[0]
        assert client.get(link).status_code == 200
        assert client.post(link).status_code == 302
        client.logout()


def test_client_address_from_remote_addr_unless_a_proxy_header_is_trusted(rf, settings):
    r = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 192.0.2.1")
    assert client_address(r) == "10.0.0.1"  # a client cannot choose its address
    settings.PNYX_CLIENT_IP_HEADER = "X-Forwarded-For"
    assert client_address(r) == "192.0.2.1"  # the entry our proxy appended
    settings.PNYX_TRUSTED_PROXIES = 2
    assert client_address(r) == "6.6.6.6"
    settings.PNYX_CLIENT_IP_HEADER = ""
    v6 = rf.get("/", REMOTE_ADDR="2001:db8:1:2:aaaa::1")
    assert client_address(v6) == "2001:db8:1:2::/64"  # one machine holds a /64
    assert client_address(rf.get("/", REMOTE_ADDR="::ffff:192.0.2.5")) == "192.0.2.5"


def _fresh_cache_client(alias="default"):
    """A second cache client, as another server process would build it (nothing in common with
    the first but the configuration)."""
    from django.core.cache.backends import locmem

    locmem._caches.clear()
    locmem._expire_info.clear()
    locmem._locks.clear()
    return caches.create_connection(alias)


def test_two_cache_clients_share_the_count():
    rate = Rate(3, 60)
    first = caches.create_connection("default")
    assert ratelimit.hit("t", "192.0.2.1", rate, T0, cache=first) == 1
    assert ratelimit.hit("t", "192.0.2.1", rate, T0, cache=first) == 2
    second = _fresh_cache_client()
    assert ratelimit.hit("t", "192.0.2.1", rate, T0, cache=second) == 3
    assert ratelimit.count("t", "192.0.2.1", rate, T0, cache=first) == 3
    assert ratelimit.count("t", "192.0.2.2", rate, T0, cache=second) == 0


@override_settings(
    CACHES={
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ.get("PNYX_TEST_REDIS_URL", "redis://127.0.0.1:6379/15"),
            "KEY_PREFIX": f"pnyx-test-{os.getpid()}",
        }
    }
)
def test_two_redis_clients_share_the_count():
    first = caches.create_connection("default")
    try:
        first.clear()
    except Exception as exc:  # no Redis on this machine
        pytest.skip(f"Redis unreachable: {exc}")
    rate = Rate(3, 60)
    assert [ratelimit.hit("t", "a", rate, T0, cache=first) for _ in range(2)] == [1, 2]
    second = caches.create_connection("default")
    assert ratelimit.hit("t", "a", rate, T0, cache=second) == 3
    first.clear()


_WORKER = """
import sys, django
django.setup()
from datetime import datetime, UTC
from pnyx.core import ratelimit
t0 = datetime(2030, 3, 4, 10, 0, 5, tzinfo=UTC)
for _ in range(int(sys.argv[1])):
    ratelimit.hit("proc", "192.0.2.1", ratelimit.Rate(1000, 60), t0)
"""


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_processes_hitting_at_once_lose_no_count():
    """Four processes count 50 hits each on one key at the same time: the count is 200."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: a SQLite test database lives in this process")
    s = connection.settings_dict
    url = f"postgres://{s['USER']}@{s['HOST']}:{s['PORT']}/{s['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "pnyx.settings"}
    env.pop("REDIS_URL", None)
    procs = [subprocess.Popen([sys.executable, "-c", _WORKER, "50"], env=env) for _ in range(4)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0, 0]
    assert ratelimit.count("proc", "192.0.2.1", Rate(1000, 60), T0) == 200
    caches["default"].clear()
