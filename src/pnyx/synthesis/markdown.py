"""A Markdown rendering of a synthesis, for organizers to read on screen or print."""

from __future__ import annotations

import re
from collections.abc import Mapping

from .model import Cluster, Group, Synthesis, TableId

_STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Synthesis of the table outputs",
        "caveat": (
            "Automatic grouping of the ideas by the words they share: an aid for reading "
            "the outputs, not a vote. Read the excerpts, and the outputs themselves."
        ),
        "step": "step",
        "summary": "{units} ideas from {tables} tables: {clusters} raised by several tables, "
        "{unique} by one table.",
        "cluster": "{size} tables ({ideas} ideas): tables {tables}",
        "table": "table",
        "unique": "Raised by one table",
        "none": "No output yet.",
    },
    "fr": {
        "title": "Synthèse des contributions des tables",
        "caveat": (
            "Regroupement automatique des idées selon les mots qu'elles partagent : une aide "
            "à la lecture des contributions, pas un vote. Lisez les extraits et les "
            "contributions elles-mêmes."
        ),
        "step": "étape",
        "summary": "{units} idées de {tables} tables : {clusters} soulevées par plusieurs "
        "tables, {unique} par une seule table.",
        "cluster": "{size} tables ({ideas} idées) : tables {tables}",
        "table": "table",
        "unique": "Soulevées par une seule table",
        "none": "Aucune contribution pour l'instant.",
    },
}

_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")


def escape(text: str) -> str:
    """`text` on one line, with the characters Markdown would interpret escaped."""
    return _SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _tables(tables: tuple[TableId, ...]) -> str:
    return ", ".join(escape(str(t)) for t in tables)


def to_markdown(
    synthesis: Synthesis,
    *,
    names: Mapping[str, str] | None = None,
    language: str = "en",
    title: str | None = None,
) -> str:
    """The synthesis as Markdown: one section per campaign and step, one per field.

    `names` maps campaign and field keys to the names shown (keys are shown otherwise);
    `language` ("en" or "fr") chooses the fixed words; `title` replaces the main title.
    """
    s = _STRINGS.get(language, _STRINGS["en"])
    names = names or {}
    out = [f"# {escape(title or s['title'])}", "", f"_{s['caveat']}_", ""]
    if not synthesis.groups:
        out += [s["none"], ""]
    section: tuple[str, int] | None = None
    for g in synthesis.groups:
        if (g.campaign, g.step) != section:
            section = (g.campaign, g.step)
            name = escape(names.get(g.campaign, g.campaign))
            out += [f"## {name} — {s['step']} {g.step}", ""]
        out += _group(g, names, s)
    return "\n".join(out).rstrip() + "\n"


def _group(g: Group, names: Mapping[str, str], s: dict[str, str]) -> list[str]:
    out = [f"### {escape(names.get(g.field, g.field))}", ""]
    out += [
        s["summary"].format(
            units=g.units, tables=len(g.tables), clusters=len(g.clusters), unique=len(g.unique)
        ),
        "",
    ]
    for n, c in enumerate(g.clusters, 1):
        out += _cluster(n, c, s)
    if g.unique:
        out += [f"#### {s['unique']}", ""]
        for c in g.unique:
            for idea in c.ideas:
                out.append(f"- {escape(idea.text)} ({s['table']} {escape(str(idea.table))})")
        out.append("")
    return out


def _cluster(n: int, c: Cluster, s: dict[str, str]) -> list[str]:
    label = escape(", ".join(c.label_terms)) if c.label_terms else "…"
    count = s["cluster"].format(size=c.size, ideas=len(c.ideas), tables=_tables(c.tables))
    out = [f"{n}. **{label}** — {count}", ""]
    for e in c.excerpts:
        out.append(f"   > {escape(e.text)} ({s['table']} {escape(str(e.table))})")
        out.append("   >")
    if c.excerpts:
        out.pop()
    out.append("")
    return out
