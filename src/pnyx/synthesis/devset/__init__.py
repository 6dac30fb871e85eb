"""The labelled French development set of the synthesis (see docs/synthesis.md).

One CSV per campaign, columns ``campaign,step,field,table,label,text``: one idea unit a row,
``label`` naming the idea it expresses within its (campaign, step, field). Written for Pnyx
(texts of our own, realistic table outputs: paraphrases, synonyms, typos, near-misses that
share words but not meaning, and ideas raised by one table only).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from importlib import resources

from ..model import Contribution
from ..text import numbered_ideas

CAMPAIGNS = ("logement", "salaires", "services-publics", "climat")
#: The protocol's split: methods and thresholds are chosen on TUNE, reported on HELD_OUT.
TUNE = ("logement", "salaires")
HELD_OUT = ("services-publics", "climat")
FIELD_ORDER = ("impacts", "proposals", "arguments", "axes")


@dataclass(frozen=True)
class Row:
    campaign: str
    step: int
    field: str
    table: int
    label: str
    text: str


def rows(campaigns: tuple[str, ...] = CAMPAIGNS) -> list[Row]:
    """Every labelled idea unit of `campaigns`, in file order."""
    out = []
    for campaign in campaigns:
        path = resources.files(__package__) / f"{campaign}.csv"
        with path.open(encoding="utf-8", newline="") as f:
            for number, r in enumerate(csv.DictReader(f), start=2):
                row = Row(
                    r["campaign"],
                    int(r["step"]),
                    r["field"],
                    int(r["table"]),
                    r["label"],
                    r["text"],
                )
                if row.campaign != campaign or len(numbered_ideas(row.text)) != 1:
                    raise ValueError(f"{campaign}.csv, line {number}: not one idea of {campaign}")
                out.append(row)
    return out


def contributions(rs: list[Row]) -> tuple[list[Contribution], dict[tuple, str]]:
    """The rows as table outputs (one contribution per table and field, one idea a line), and
    the label of each unit by (campaign, step, field, table, line)."""
    lines: dict[tuple, list[Row]] = {}
    for r in rs:
        lines.setdefault((r.campaign, r.step, r.field, r.table), []).append(r)
    cs, labels = [], {}
    for (campaign, step, field, table), group in lines.items():
        cs.append(Contribution(table, campaign, step, field, "\n".join(r.text for r in group)))
        for line, r in enumerate(group, start=1):
            labels[campaign, step, field, table, line] = r.label
    return cs, labels
