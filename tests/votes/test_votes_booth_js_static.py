"""The booth's static files without a browser: Django's finders serve them, every ES-module
import resolves to a shipped file (no bare specifier, no import map needed), nothing needs eval,
and the vendored packages are the ones VENDORED.md names."""

import re
from pathlib import Path

from django.contrib.staticfiles import finders

ROOT = Path(__file__).resolve().parents[2]
DIR = ROOT / "src/pnyx/votes/static/votes/verifiable"
IMPORT = re.compile(
    r"""^\s*(?:import\s*|(?:import|export)\b[^;'"]*?\bfrom\s*)['"]([^'"]+)['"]""", re.M
)


def test_django_serves_the_booth():
    for name in ("booth.js", "booth-worker.js", "groups.js", "vendor/noble-curves/ed25519.js"):
        assert finders.find(f"votes/verifiable/{name}"), name


def test_every_import_resolves_to_a_shipped_file():
    seen = 0
    for f in DIR.rglob("*.js"):
        for spec in IMPORT.findall(f.read_text()):
            assert spec.startswith("./") or spec.startswith("../"), (f, spec)
            target = (f.parent / spec).resolve()
            assert target.is_file() and target.is_relative_to(DIR), (f, spec)
            seen += 1
    assert seen > 20


def test_no_eval_in_the_booth():
    for name in ("booth.js", "booth-worker.js", "groups.js"):
        text = (DIR / name).read_text()
        assert not re.search(r"\beval\s*\(|new\s+Function\b|importScripts", text), name


def test_vendored_md_names_versions_integrity_and_files():
    text = (DIR / "vendor/VENDORED.md").read_text()
    rows = re.findall(
        r"^\| (@noble/\w+) \| ([\d.]+) \| `(sha512-[A-Za-z0-9+/=]{88})` \|", text, re.M
    )
    assert {r[0] for r in rows} == {"@noble/curves", "@noble/hashes"}
    listed = re.findall(r"^- (noble-[\w/.-]+\.js)$", text, re.M)
    shipped = sorted(str(p.relative_to(DIR / "vendor")) for p in (DIR / "vendor").rglob("*.js"))
    assert sorted(listed) == shipped
    for folder in ("noble-curves", "noble-hashes"):
        assert "MIT License" in (DIR / "vendor" / folder / "LICENSE").read_text()
    assert "scripts/vendor_noble.py" in text
