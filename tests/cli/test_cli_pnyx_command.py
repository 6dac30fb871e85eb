"""The installed `pnyx` command, run as a user would, on a throw-away SQLite database."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HEADER = "id,first_name,last_name,email,gender,region,birth_year,action_group,joined_on,volunteer\n"


def pnyx(*args, env, check=True):
    exe = shutil.which("pnyx", path=str(Path(sys.executable).parent)) or "pnyx"
    return subprocess.run(
        [exe, *args], env=env, capture_output=True, text=True, check=check, timeout=120
    )


@pytest.fixture
def env(tmp_path):
    e = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    e["PNYX_VAR_DIR"] = str(tmp_path / "var")
    return e


def test_import_members_and_journal_verify_from_the_command_line(tmp_path, env):
    pnyx("migrate", "--noinput", "-v", "0", env=env)
    csv = tmp_path / "members.csv"
    csv.write_text(
        HEADER + "A1,Camille,Dupont,camille@example.org,F,Bretagne,1985,GA,2017-03-01,1\n"
    )
    out = pnyx("import-members", str(csv), env=env).stdout
    assert "1 created" in out
    out = pnyx("import-members", str(csv), env=env).stdout
    assert "0 created, 0 updated, 1 unchanged" in out
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "A2,Léa,Roux,lea@example.org,Q,Bretagne,1985,,2017-03-01,1\n")
    r = pnyx("import-members", str(bad), env=env, check=False)
    assert r.returncode != 0 and "line 2, field 'gender'" in r.stderr
    ok = pnyx("journal", "verify", env=env)
    assert "1 entr" in ok.stdout  # exactly one import changed something
    # Tamper with the journal behind the application's back: the database refuses, until its
    # owner drops the trigger.
    import sqlite3

    db = sqlite3.connect(tmp_path / "var" / "pnyx.sqlite3")
    tamper = "UPDATE journal_journalentry SET payload = '{\"created\": 99}' WHERE seq = 1"
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute(tamper)
    db.execute("DROP TRIGGER journal_entry_no_update")
    db.execute(tamper)
    db.commit()
    db.close()
    r = pnyx("journal", "verify", env=env, check=False)
    assert r.returncode == 1 and "#1" in r.stderr
