"""French typography in every French catalogue: a non-breaking space before ":" and inside « »,
a (narrow) non-breaking space before ";", "!" and "?" — never an ordinary space, never none."""

import glob
import re
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[1]
CATALOGUES = sorted(
    glob.glob(str(ROOT / "src/pnyx/**/locale/fr/LC_MESSAGES/django.po"), recursive=True)
)
RULES = [
    (re.compile(r"[ \t]:"), "ordinary space before ':'"),
    (re.compile(r"[^\s\u00a0\u202f]:(?=[ \t\n]|$)"), "no space before ':'"),
    (re.compile(r"[ \t][;!?]"), "ordinary space before ';', '!' or '?'"),
    (re.compile(r"«(?!\u00a0)|(?<!\u00a0)»"), "« » without non-breaking spaces"),
]


def test_catalogues_are_found():
    assert len(CATALOGUES) >= 7


def test_french_punctuation_has_non_breaking_spaces():
    bad = []
    for path in CATALOGUES:
        for entry in polib.pofile(path):
            for text in [entry.msgstr, *entry.msgstr_plural.values()]:
                for rule, why in RULES:
                    if rule.search(text):
                        bad.append(f"{Path(path).parts[-5]}: {why}: {text[:70]!r}")
    assert not bad, "\n".join(bad[:40]) + f"\n({len(bad)} in all)"
