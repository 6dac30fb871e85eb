"""HiGHS models over counts per profile (internal)."""

from __future__ import annotations

import os
import sys

import highspy
import numpy as np
from highspy._core import _Highs

from .model import Problem

INF = highspy.kHighsInf


_banner_shown = False


def new_highs() -> _Highs:
    """A silent HiGHS instance (the low-level class: no callback machinery). HiGHS prints a
    banner on stdout at its first construction in a process; it is swallowed here so that
    `pnyx draw --json` prints only JSON."""
    global _banner_shown
    if not _banner_shown:
        _banner_shown = True
        sys.stdout.flush()
        saved = os.dup(1)
        try:
            with open(os.devnull, "w") as devnull:
                os.dup2(devnull.fileno(), 1)
                h = _Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
    else:
        h = _Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("random_seed", 0)
    return h


def constraint_rows(problem: Problem) -> tuple[list[np.ndarray], list[float], list[float]]:
    """Rows (profile indices, lower, upper) of a valid panel: size, quotas, group limits."""
    rows = [np.arange(problem.n_profiles, dtype=np.int32)]
    lo, hi = [float(problem.k)], [float(problem.k)]
    for q, ts in zip(problem.quotas, problem.quota_profiles, strict=True):
        rows.append(ts)
        lo.append(float(q.min))
        hi.append(float(q.max))
    if problem.group is not None:
        for _g, ts in problem.group_profiles:
            rows.append(ts)
            lo.append(-INF)
            hi.append(float(problem.group.max_per_group))
    return rows, lo, hi


def add_rows(h: _Highs, rows: list[np.ndarray], lo: list[float], hi: list[float]) -> None:
    starts = np.zeros(len(rows), dtype=np.int32)
    pos = 0
    for r, ts in enumerate(rows):
        starts[r] = pos
        pos += len(ts)
    index = np.concatenate(rows).astype(np.int32) if rows else np.zeros(0, np.int32)
    h.addRows(len(rows), np.array(lo), np.array(hi), len(index), starts, index, np.ones(len(index)))


class CountModel:
    """Integer program over c[t] in [0, size[t]] with the panel constraints.

    `best(weights)` maximises sum(weights * c); `completion(lower)` finds a panel with
    c >= lower, or None.
    """

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.T = problem.n_profiles
        self.h = new_highs()
        self.h.setOptionValue("mip_rel_gap", 1e-9)
        self.h.setOptionValue("mip_abs_gap", 1e-12)
        size = problem.profile_size.astype(float)
        self.h.addVars(self.T, np.zeros(self.T), size)
        self.h.changeColsIntegrality(
            self.T, np.arange(self.T, dtype=np.int32), np.ones(self.T, dtype=np.uint8)
        )
        add_rows(self.h, *constraint_rows(problem))
        self.h.changeObjectiveSense(highspy.ObjSense.kMaximize)
        self.all = np.arange(self.T, dtype=np.int32)
        self.size = size

    def _solve(self) -> np.ndarray | None:
        self.h.run()
        status = self.h.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            return None
        return np.rint(np.array(self.h.getSolution().col_value)).astype(np.int64)

    def best(self, weights: np.ndarray) -> np.ndarray | None:
        self.h.changeColsCost(self.T, self.all, np.asarray(weights, dtype=float))
        return self._solve()

    def completion(self, lower: np.ndarray) -> np.ndarray | None:
        self.h.changeColsCost(self.T, self.all, np.zeros(self.T))
        self.h.changeColsBounds(self.T, self.all, np.asarray(lower, dtype=float), self.size)
        try:
            return self._solve()
        finally:
            self.h.changeColsBounds(self.T, self.all, np.zeros(self.T), self.size)
