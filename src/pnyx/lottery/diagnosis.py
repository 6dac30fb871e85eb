"""Feasibility diagnosis: is there a panel meeting the quotas, and if not, what to change.

A MIP over counts per profile, where every quota may be relaxed: its min lowered by l[q] >= 0
and its max raised by u[q] >= 0. It minimises the total relaxation sum(l + u), then (as a tie
break) the number of quotas changed. Size and group limits are never relaxed.
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np

from ._solver import INF, add_rows, new_highs
from .model import Problem


@dataclass(frozen=True)
class QuotaChange:
    feature: str
    value: str
    bound: str  # "min" or "max"
    old: int
    new: int

    def __str__(self) -> str:
        verb = "lower" if self.bound == "min" else "raise"
        return f"{verb} {self.bound} of {self.feature}={self.value} from {self.old} to {self.new}"


@dataclass(frozen=True)
class Diagnosis:
    """`feasible` or not; when not, `changes` is a smallest fix (empty with a `reason` when no
    quota change can help, e.g. a pool smaller than the panel)."""

    feasible: bool
    changes: tuple[QuotaChange, ...] = ()
    reason: str = ""

    @property
    def total_relaxation(self) -> int:
        return sum(abs(c.new - c.old) for c in self.changes)

    def __str__(self) -> str:
        if self.feasible:
            return "the quotas can be met"
        if not self.changes:
            return f"no panel can be drawn: {self.reason}"
        return "no panel meets the quotas; smallest change: " + "; ".join(map(str, self.changes))


def diagnose(problem: Problem) -> Diagnosis:
    n, k = len(problem.pool), problem.k
    if n < k:
        return Diagnosis(False, (), f"the pool has {n} people for {k} seats")
    T, Q = problem.n_profiles, len(problem.quotas)
    h = new_highs()
    size = problem.profile_size.astype(float)
    mins = np.array([q.min for q in problem.quotas], dtype=float)
    # columns: c (T), l (Q), u (Q), b (Q)
    ncol = T + 3 * Q
    h.addVars(ncol, np.zeros(ncol), np.r_[size, mins, np.full(Q, float(k + n)), np.ones(Q)])
    h.changeColsIntegrality(ncol, np.arange(ncol, dtype=np.int32), np.ones(ncol, dtype=np.uint8))
    eps = 1.0 / (2 * Q + 2)
    h.changeColsCost(
        ncol, np.arange(ncol, dtype=np.int32), np.r_[np.zeros(T), np.ones(2 * Q), np.full(Q, eps)]
    )
    add_rows(h, [np.arange(T, dtype=np.int32)], [float(k)], [float(k)])
    for qi, (q, ts) in enumerate(zip(problem.quotas, problem.quota_profiles, strict=True)):
        ln, un, bn = T + qi, T + Q + qi, T + 2 * Q + qi
        m = len(ts)
        # sum c + l >= min ; sum c - u <= max
        h.addRow(float(q.min), INF, m + 1, np.r_[ts, ln].astype(np.int32), np.ones(m + 1))
        h.addRow(-INF, float(q.max), m + 1, np.r_[ts, un].astype(np.int32), np.r_[np.ones(m), -1.0])
        # l <= min * b ; u <= (k + n) * b
        h.addRow(-INF, 0.0, 2, np.array([ln, bn], np.int32), np.array([1.0, -max(q.min, 1)]))
        h.addRow(-INF, 0.0, 2, np.array([un, bn], np.int32), np.array([1.0, -float(k + n)]))
    if problem.group is not None:
        rows = [ts for _g, ts in problem.group_profiles]
        add_rows(h, rows, [-INF] * len(rows), [float(problem.group.max_per_group)] * len(rows))
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        reason = "the panel size cannot be reached"
        if problem.group is not None:
            reason += f" with at most {problem.group.max_per_group} per {problem.group.column}"
        return Diagnosis(False, (), reason)
    x = np.rint(np.array(h.getSolution().col_value)).astype(np.int64)
    changes = []
    for qi, q in enumerate(problem.quotas):
        lower, upper = int(x[T + qi]), int(x[T + Q + qi])
        if lower:
            changes.append(QuotaChange(q.feature, q.value, "min", q.min, q.min - lower))
        if upper:
            changes.append(QuotaChange(q.feature, q.value, "max", q.max, q.max + upper))
    return Diagnosis(not changes, tuple(changes))
