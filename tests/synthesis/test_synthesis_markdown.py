"""The Markdown rendering organizers read or print."""

from __future__ import annotations

from hypothesis import given, settings
from synthesis_helpers import all_units, contributions

from pnyx.synthesis import Contribution, synthesise, to_markdown
from pnyx.synthesis.markdown import escape

OUTPUTS = [
    Contribution(1, "climat", 1, "proposals", "- Baisser les factures d'électricité\n- bus"),
    Contribution(2, "climat", 1, "proposals", "Factures d'électricité trop chères"),
    Contribution(3, "climat", 1, "proposals", "Réduire la facture d'électricité"),
    Contribution(3, "climat", 2, "axes", "Une *campagne* sur <l'eau> #1"),
]


def test_sections_clusters_excerpts_and_unique_ideas_in_english():
    md = to_markdown(synthesise(OUTPUTS), names={"climat": "Climat et énergie"})
    assert md.startswith("# Synthesis of the table outputs\n")
    assert "not a vote" in md
    assert "## Climat et énergie — step 1" in md
    assert "### proposals" in md
    assert "4 ideas from 3 tables: 1 raised by several tables, 1 by one table." in md
    assert "1. **électricité, factures, baisser** — 3 tables (3 ideas): tables 1, 2, 3" in md
    assert "   > Baisser les factures d'électricité (table 1)" in md
    assert "#### Raised by one table\n\n- bus (table 1)" in md
    assert "## Climat et énergie — step 2" in md
    # Markdown in the outputs is shown, not interpreted.
    assert r"- Une \*campagne\* sur \<l'eau\> \#1 (table 3)" in md
    assert md.endswith("\n") and not md.endswith("\n\n")


def test_french_words_and_title():
    md = to_markdown(synthesise(OUTPUTS), language="fr", title="Samedi")
    assert md.startswith("# Samedi\n")
    assert "## climat — étape 1" in md
    assert "3 tables (3 idées) : tables 1, 2, 3" in md
    assert "#### Soulevées par une seule table" in md


def test_empty_synthesis():
    assert "No output yet." in to_markdown(synthesise([]))


def test_escape_puts_text_on_one_line():
    assert escape("a\n  b_c [d]") == r"a b\_c \[d\]"


@settings(max_examples=50, deadline=None)
@given(contributions)
def test_every_unit_appears_in_the_markdown_or_the_json(cs):
    s = synthesise(cs)
    md = to_markdown(s)
    for g in s.groups:
        for c in g.unique:
            for i in c.ideas:
                assert escape(i.text) in md
        for c in g.clusters:
            for e in c.excerpts:
                assert escape(e.text) in md
    assert sum(all_units(cs).values()) == s.units
