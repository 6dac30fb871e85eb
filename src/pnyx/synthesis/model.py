"""Plain data in and out of the synthesis: contributions, idea units, clusters, groups."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

TableId = str | int


@dataclass(frozen=True)
class Contribution:
    """What one table wrote in one field of its output at one step, for one campaign.

    `field` is the name of the output's field ("impacts", "proposals", "axes"...). `text` may
    hold several ideas; see `split_ideas` for how it is cut into idea units.
    """

    table: TableId
    campaign: str
    step: int
    field: str
    text: str


@dataclass(frozen=True)
class Idea:
    """One idea unit: a line, bullet or sentence of one table's text, as written (trimmed).

    `line` is the 1-based number of the line of the contribution's text it was written on, so
    that (table, campaign, step, field, line) traces it back to the table's own words."""

    table: TableId
    text: str
    line: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"table": self.table, "line": self.line, "text": self.text}


@dataclass(frozen=True)
class Cluster:
    """Idea units that share their most characteristic words.

    `size` is the number of distinct tables that said something like it; `ideas` holds every
    unit of the cluster, `excerpts` the few closest to its centre (distinct tables first).
    `label_terms` are the cluster's top TF-IDF terms in their most frequent written form.
    """

    label_terms: tuple[str, ...]
    size: int
    tables: tuple[TableId, ...]
    excerpts: tuple[Idea, ...]
    ideas: tuple[Idea, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "label_terms": list(self.label_terms),
            "size": self.size,
            "tables": list(self.tables),
            "excerpts": [i.to_dict() for i in self.excerpts],
            "ideas": [i.to_dict() for i in self.ideas],
        }


@dataclass(frozen=True)
class Group:
    """The synthesis of one (campaign, step, field).

    `clusters` are the ideas raised by at least two tables, largest first; `unique` are the
    ideas only one table raised (each a cluster of that table's similar units), in table order.
    Every idea unit of the group is in exactly one of them.
    """

    campaign: str
    step: int
    field: str
    tables: tuple[TableId, ...]
    units: int
    clusters: tuple[Cluster, ...]
    unique: tuple[Cluster, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "campaign": self.campaign,
            "step": self.step,
            "field": self.field,
            "tables": list(self.tables),
            "units": self.units,
            "clusters": [c.to_dict() for c in self.clusters],
            "unique": [c.to_dict() for c in self.unique],
        }


@dataclass(frozen=True)
class Synthesis:
    """All groups, ordered by campaign, step, then field (given order, then alphabetical).

    `method` is the name of the grouping method used (`pnyx.synthesis.METHODS`),
    `description` says what it is; `fallback` is empty, or says why the default method could
    not be used and which one was used instead."""

    groups: tuple[Group, ...]
    threshold: float
    units: int = 0
    method: str = field(default="words")
    description: str = ""
    fallback: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "description": self.description,
            "fallback": self.fallback,
            "threshold": self.threshold,
            "units": self.units,
            "groups": [g.to_dict() for g in self.groups],
        }

    def group(self, campaign: str, step: int, field: str) -> Group | None:
        for g in self.groups:
            if (g.campaign, g.step, g.field) == (campaign, step, field):
                return g
        return None
