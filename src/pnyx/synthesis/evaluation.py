"""Evaluation of the grouping methods against the labelled development set.

Protocol (docs/synthesis.md): each (campaign, step, field) of the development set is one
grouping problem; a method's score on a set of campaigns is the mean, over their groups, of
the adjusted Rand index (ARI) and of the V-measure between its clusters and the labels
(scikit-learn's metrics). A method's threshold is the one of `GRID` with the best mean ARI on
the TUNE campaigns (ties: the lower threshold); it is then reported on HELD_OUT, which played
no part in the choice. The similarity matrix of a group is computed once per method and cut
at every threshold of the grid.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from . import devset
from .engine import _unit_key, partition
from .methods import SIMILARITY
from .model import Idea
from .text import numbered_ideas, terms

#: Thresholds tried: 0.05, 0.075, ..., 0.9.
GRID: tuple[float, ...] = tuple(round(0.05 + 0.025 * k, 3) for k in range(35))


@dataclass(frozen=True)
class Problem:
    """One (campaign, step, field) of the development set: its sorted units and labels."""

    key: tuple[str, int, str]
    texts: tuple[str, ...]
    labels: tuple[str, ...]
    alone: np.ndarray


@dataclass(frozen=True)
class Score:
    threshold: float
    ari: float
    v_measure: float


@dataclass(frozen=True)
class Report:
    method: str
    threshold: float
    tune: Score
    held_out: Score


def problems(campaigns: Sequence[str]) -> list[Problem]:
    """The development set's groups for `campaigns`, units sorted as the engine sorts them."""
    cs, labels = devset.contributions(devset.rows(tuple(campaigns)))
    units: dict[tuple[str, int, str], list[tuple[Idea, str]]] = {}
    for c in cs:
        for line, text in numbered_ideas(c.text):
            label = labels[c.campaign, c.step, c.field, c.table, line]
            units.setdefault((c.campaign, c.step, c.field), []).append(
                (Idea(c.table, text, line), label)
            )
    out = []
    for key in sorted(units):
        pairs = sorted(units[key], key=lambda p: _unit_key(p[0]))
        texts = tuple(i.text for i, _ in pairs)
        alone = np.array([not terms(t) for t in texts], dtype=bool)
        out.append(Problem(key, texts, tuple(label for _, label in pairs), alone))
    return out


def scores(
    method: str, ps: Sequence[Problem], thresholds: Sequence[float] = GRID
) -> dict[float, Score]:
    """Mean ARI and V-measure over `ps` of `method` cut at each of `thresholds`."""
    from sklearn.metrics import adjusted_rand_score, v_measure_score

    per: dict[float, list[tuple[float, float]]] = {t: [] for t in thresholds}
    for p in ps:
        sim = SIMILARITY[method](list(p.texts))
        for t in thresholds:
            pred = partition(sim, t, p.alone)
            per[t].append((adjusted_rand_score(p.labels, pred), v_measure_score(p.labels, pred)))
    return {
        t: Score(t, float(np.mean([a for a, _ in v])), float(np.mean([b for _, b in v])))
        for t, v in per.items()
    }


def evaluate(
    method: str,
    tune: Sequence[Problem],
    held_out: Sequence[Problem],
    thresholds: Sequence[float] = GRID,
) -> Report:
    """Tune `method`'s threshold on `tune` (best mean ARI), report it on `held_out`."""
    on_tune = scores(method, tune, thresholds)
    best = max(on_tune.values(), key=lambda s: (round(s.ari, 12), -s.threshold))
    on_held_out = scores(method, held_out, [best.threshold])[best.threshold]
    return Report(method, best.threshold, best, on_held_out)
