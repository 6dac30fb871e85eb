"""Running belenios-tool (Debian's 2.0) for interoperability tests: skipped cleanly when it is
not installed, unless PNYX_REQUIRE_BELENIOS=1."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

QUESTIONS = {
    "description": "Description of the election.",
    "name": "Name of the election",
    "questions": [
        {"answers": ["Answer 1", "Answer 2"], "min": 0, "max": 1, "question": "Question 1?"},
        {
            "answers": ["Answer 1", "Answer 2"],
            "blank": True,
            "min": 1,
            "max": 1,
            "question": "Question 2?",
        },
        {
            "answers": [f"Option {i}" for i in range(6)],
            "min": 1,
            "max": 3,
            "question": "Approval 3 of 6?",
        },
        {
            "answers": ["Yes", "No", "Abstain"],
            "blank": True,
            "min": 1,
            "max": 1,
            "question": "Yes or no?",
        },
    ],
}


def require_tool():
    if shutil.which("belenios-tool"):
        return
    if os.environ.get("PNYX_REQUIRE_BELENIOS") == "1":
        pytest.fail("belenios-tool is not on PATH and PNYX_REQUIRE_BELENIOS=1")
    pytest.skip("belenios-tool is not on PATH (Debian package belenios-tool)")


def run(d: Path, *args: str, stdin: str | None = None) -> str:
    env = dict(os.environ, BELENIOS_USE_URANDOM="1")
    p = subprocess.run(
        ["belenios-tool", *args],
        cwd=d,
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    if p.returncode:
        raise AssertionError(f"belenios-tool {' '.join(args)} failed: {p.stderr}{p.stdout}")
    return p.stdout


def setup_election(d: Path, count: int = 2) -> dict:
    """A fresh election in ``d`` as /tmp/bel/run.sh makes it, with one (non-threshold) trustee;
    returns election text, public credentials, private credentials."""
    uuid = run(d, "setup", "generate-token").strip()
    group = ["--group", "BELENIOS-2048"]
    run(d, "setup", "generate-credentials", "--uuid", uuid, *group, "--count", str(count))
    (pub,) = d.glob("*.pubcreds")
    (priv,) = d.glob("*.privcreds")
    pub.rename(d / "public_creds.json")
    privs = [line.split()[1] for line in priv.read_text().splitlines()]
    priv.unlink()
    run(d, "setup", "generate-trustee-key", *group)
    (d / "public_keys.jsons").write_text("".join(p.read_text() for p in d.glob("*.pubkey")))
    run(d, "setup", "make-trustees")
    (d / "questions.json").write_text(json.dumps(QUESTIONS))
    run(d, "setup", "make-election", "--uuid", uuid, *group, "--template", "questions.json")
    text = (d / "election.json").read_text().strip()
    pubs = [x.split(",")[0] for x in json.loads((d / "public_creds.json").read_text())]
    run(d, "archive", "init")
    for f in ("election.json", "trustees.json", "public_creds.json"):
        (d / f).unlink()
    return {"election": text, "public": pubs, "private": privs}
