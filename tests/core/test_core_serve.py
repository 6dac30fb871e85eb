"""The production command (`pnyx serve`) and the PostgreSQL connection pool settings."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from pnyx.core.dbpool import pool_options
from pnyx.core.management.commands.serve import (
    check_connection_budget,
    gunicorn_argv,
    server_config,
)

SHOW_DATABASE = (
    "import json, django; django.setup(); from django.conf import settings; "
    "d = settings.DATABASES['default']; "
    "print(json.dumps({k: d.get(k) for k in ('ENGINE', 'NAME', 'HOST', 'PORT', 'CONN_MAX_AGE', "
    "'OPTIONS')}))"
)


def database_settings(**env):
    """settings.DATABASES['default'] as a fresh process builds it from this environment."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "PNYX_DB"))}
    out = subprocess.run(
        [sys.executable, "-c", SHOW_DATABASE],
        env={**base, "DJANGO_SETTINGS_MODULE": "pnyx.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    if out.returncode:
        return out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_settings_build_the_pool_from_database_url():
    db = database_settings(
        DATABASE_URL="postgres://pnyx:secret@db.example.org:5433/convention",
        PNYX_DB_POOL="1",
        PNYX_DB_POOL_MAX="7",
        PNYX_DB_POOL_TIMEOUT="2.5",
    )
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["HOST"], db["PORT"]) == ("convention", "db.example.org", 5433)
    assert db["OPTIONS"]["pool"] == {"min_size": 1, "max_size": 7, "timeout": 2.5}
    assert db["CONN_MAX_AGE"] == 0  # Django refuses persistent connections with a pool


def test_without_the_pool_switch_connections_are_persistent_per_thread():
    db = database_settings(DATABASE_URL="postgres://pnyx@db.example.org/convention")
    assert "pool" not in db["OPTIONS"] and db["CONN_MAX_AGE"] == 60
    db = database_settings(DATABASE_URL="postgres://pnyx@h/c", PNYX_DB_POOL="0")
    assert "pool" not in db["OPTIONS"]
    db = database_settings(PNYX_DB_POOL="1")  # SQLite: nothing to pool
    assert db["ENGINE"] == "django.db.backends.sqlite3" and "pool" not in db["OPTIONS"]


def test_nonsense_pool_sizes_are_named():
    err = database_settings(DATABASE_URL="postgres://h/c", PNYX_DB_POOL="1", PNYX_DB_POOL_MAX="x")
    assert isinstance(err, str) and "PNYX_DB_POOL_MAX must be a number" in err
    with pytest.raises(ValueError, match="PNYX_DB_POOL_MIN .5. is above PNYX_DB_POOL_MAX .2."):
        pool_options({"PNYX_DB_POOL_MIN": "5", "PNYX_DB_POOL_MAX": "2"})
    with pytest.raises(ValueError, match="PNYX_DB_POOL_TIMEOUT must be positive"):
        pool_options({"PNYX_DB_POOL_TIMEOUT": "0"})
    assert pool_options({}) == {"min_size": 1, "max_size": 4, "timeout": 20.0}


def test_serve_reads_workers_port_and_timeout_from_the_environment():
    config = server_config(environ={"PNYX_WORKERS": "3", "PORT": "9123", "PNYX_TIMEOUT": "45"})
    argv = gunicorn_argv(config)
    assert argv[1:4] == ["-m", "gunicorn", "pnyx.wsgi:application"]
    joined = " ".join(argv)
    assert "--bind 127.0.0.1:9123" in joined and "--workers 3" in joined
    assert "--timeout 45" in joined and "--worker-class sync" in joined
    config = server_config({"server": "asgi", "workers": 2}, environ={"PNYX_WORKERS": "9"})
    argv = " ".join(gunicorn_argv(config))
    assert "pnyx.asgi:application" in argv and "uvicorn_worker.UvicornWorker" in argv
    assert "--workers 2" in argv  # the flag wins over the environment
    assert server_config(environ={"PNYX_BIND": "0.0.0.0:80"})["bind"] == "0.0.0.0:80"
    assert server_config(environ={})["workers"] == 2 * (os.cpu_count() or 1) + 1


def test_serve_names_a_bad_setting():
    with pytest.raises(CommandError, match="PNYX_SERVER must be one of wsgi, asgi, not 'uwsgi'"):
        server_config(environ={"PNYX_SERVER": "uwsgi"})
    with pytest.raises(CommandError, match="PNYX_WORKERS must be a whole number, not 'many'"):
        server_config(environ={"PNYX_WORKERS": "many"})
    with pytest.raises(CommandError, match="PNYX_WORKERS must be at least 1"):
        server_config(environ={"PNYX_WORKERS": "0"})


def test_serve_print_shows_the_gunicorn_command(capsys, monkeypatch):
    monkeypatch.setenv("PNYX_WORKERS", "2")
    call_command("serve", "--print", "--port", "8765")
    out = capsys.readouterr().out
    assert "gunicorn pnyx.wsgi:application --bind 127.0.0.1:8765 --workers 2" in out


PG = os.environ.get("DATABASE_URL", "")


@pytest.mark.postgres
@pytest.mark.skipif(not PG.startswith("postgres"), reason="needs PostgreSQL (DATABASE_URL)")
def test_serve_refuses_more_pooled_connections_than_postgresql_accepts():
    env = {"DATABASE_URL": PG, "PNYX_DB_POOL": "1", "PNYX_DB_POOL_MAX": "4"}
    assert "at most 8 of" in check_connection_budget(2, env)
    with pytest.raises(CommandError, match=r"1000 workers x a pool of 4 connections = 4000"):
        check_connection_budget(1000, env)
    assert check_connection_budget(1000, {**env, "PNYX_DB_POOL": "0"}) is None
