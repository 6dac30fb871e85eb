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

    `best(weights)` maximises sum(weights * c) exactly (MIP); `improving(weights, threshold)`
    returns a panel whose value exceeds `threshold` if one exists, trying cheap steps first
    (LP relaxation, then a MIP over its fractional coordinates only) and proving that none
    exists when the LP bound is at most `threshold`. `completion(lower)` finds a panel with
    c >= lower, or None.
    """

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.T = problem.n_profiles
        self.all = np.arange(self.T, dtype=np.int32)
        self.size = problem.profile_size.astype(float)
        rows = constraint_rows(problem)
        self.h = self._model(rows, integer=True)
        self.h.setOptionValue("mip_rel_gap", 1e-9)
        self.h.setOptionValue("mip_abs_gap", 1e-12)
        self.lp = self._model(rows, integer=False)
        self.stats = {"lp": 0, "rounded": 0, "mip": 0}
        self.size_lo = np.zeros(self.T)

    def _model(self, rows, integer: bool) -> _Highs:
        h = new_highs()
        h.addVars(self.T, np.zeros(self.T), self.size)
        if integer:
            h.changeColsIntegrality(self.T, self.all, np.ones(self.T, dtype=np.uint8))
        add_rows(h, *rows)
        h.changeObjectiveSense(highspy.ObjSense.kMaximize)
        return h

    def _solve(self, h: _Highs | None = None) -> np.ndarray | None:
        h = h or self.h
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        return np.array(h.getSolution().col_value)

    def best(self, weights: np.ndarray) -> np.ndarray | None:
        self.stats["mip"] += 1
        self.h.changeColsCost(self.T, self.all, np.asarray(weights, dtype=float))
        x = self._solve()
        return None if x is None else np.rint(x).astype(np.int64)

    def first(self, weights: np.ndarray) -> np.ndarray | None:
        """Some panel within the current bounds: the first one HiGHS finds (its heuristics are
        guided by `weights`), or None when there is none. Much cheaper than `best` on tight
        faces."""
        self.stats["mip"] += 1
        self.h.changeColsCost(self.T, self.all, np.asarray(weights, dtype=float))
        self.h.setOptionValue("mip_max_improving_sols", 1)
        try:
            self.h.run()
        finally:
            self.h.setOptionValue("mip_max_improving_sols", 2**31 - 1)  # HiGHS's default
        status = self.h.getModelStatus()
        ok = (highspy.HighsModelStatus.kOptimal, highspy.HighsModelStatus.kSolutionLimit)
        sol = self.h.getSolution()
        if status not in ok or not sol.value_valid:
            return None
        c = np.rint(np.array(sol.col_value)).astype(np.int64)
        return None if self.problem.check_counts(c) else c

    def improving(
        self, weights: np.ndarray, threshold: float, lp_only: bool = False
    ) -> np.ndarray | None:
        weights = np.asarray(weights, dtype=float)
        self.stats["lp"] += 1
        self.lp.changeColsCost(self.T, self.all, weights)
        x = self._solve(self.lp)
        if x is None:
            return None if lp_only else self.best(weights)
        r = np.rint(x)
        frac = np.abs(x - r) > 1e-7
        if lp_only:  # only an integral LP vertex (a valid panel), no MIP
            return None if frac.any() else r.astype(np.int64)
        if float(x @ weights) <= threshold:
            return None  # the LP bound proves that no panel beats the threshold
        if not frac.any():
            return r.astype(np.int64)
        # round: keep the integral coordinates, solve a small MIP over the fractional ones
        self.stats["rounded"] += 1
        fixed = self.all[~frac]
        self.h.changeColsCost(self.T, self.all, weights)
        self.h.changeColsBounds(len(fixed), fixed, r[~frac], r[~frac])
        try:
            y = self._solve()
        finally:
            self.h.changeColsBounds(len(fixed), fixed, self.size_lo[~frac], self.size[~frac])
        if y is not None and float(np.rint(y) @ weights) > threshold:
            return np.rint(y).astype(np.int64)
        # any improving panel will do: let HiGHS stop at the first one beating the threshold
        self.stats["mip"] += 1
        self.h.setOptionValue("objective_target", float(threshold) + 1e-12)
        try:
            self.h.run()
        finally:
            self.h.setOptionValue("objective_target", -INF)
        sol = self.h.getSolution()
        if sol.value_valid:
            c = np.rint(np.array(sol.col_value)).astype(np.int64)
            if float(c @ weights) > threshold and not self.problem.check_counts(c):
                return c
        c = self.best(weights)
        if c is None or float(c @ weights) <= threshold:
            return None
        return c

    def restrict_to_face(self, x: np.ndarray, tol: float = 1e-7) -> None:
        """Only panels on the smallest face of the relaxation containing `x`: bounds and
        rows tight at `x` become equalities (every panel of a lottery with expectation `x`
        must meet them with equality)."""
        lo = np.where(x >= self.size - tol, self.size, 0.0)
        hi = np.where(x <= tol, 0.0, self.size)
        for h in (self.h, self.lp):
            h.changeColsBounds(self.T, self.all, lo, hi)
        self.size_lo, self.size = lo, hi
        rows, rlo, rhi = constraint_rows(self.problem)
        for r, (ts, a, b) in enumerate(zip(rows, rlo, rhi, strict=True)):
            v = float(x[ts].sum())
            if abs(v - a) <= tol or abs(v - b) <= tol:
                exact = float(round(v))
                for h in (self.h, self.lp):
                    h.changeRowBounds(r, exact, exact)

    def completion(self, lower: np.ndarray) -> np.ndarray | None:
        self.h.changeColsCost(self.T, self.all, np.zeros(self.T))
        self.h.changeColsBounds(self.T, self.all, np.asarray(lower, dtype=float), self.size)
        try:
            x = self._solve()
            return None if x is None else np.rint(x).astype(np.int64)
        finally:
            self.h.changeColsBounds(self.T, self.all, np.zeros(self.T), self.size)
