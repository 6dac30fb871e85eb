"""Leximin distribution over panels, on profiles (Flanigan et al., Nature 596, 2021).

People with the same profile are interchangeable, and the leximin marginals are unique, so
they give equal probability to all members of a profile. We therefore look for a distribution
over *count vectors* c (c[t] seats for profile t) and a person of profile t is selected with
probability pi[t] = E[c[t]] / size[t]. Sampling then picks c[t] members of t uniformly.

Each stage solves, by column generation, the dual LP of "maximise the lowest pi over the
profiles not yet fixed, keeping fixed profiles at their level" (variables y[t] >= 0, mu):

    minimise  mu - sum_{t fixed} f[t] y[t]
    s.t.      mu >= sum_t y[t] c[t] / size[t]      for every known panel c
              sum_{t not fixed} y[t] = 1

The pricing problem maximises sum_t y[t] c[t] / size[t] over integer count vectors that meet
the quotas (a small MIP: one integer per profile); a panel beating mu becomes a new row. When
no panel does, the stage optimum z is proved; every profile with y[t] > 0 cannot exceed z in
any optimal distribution (complementary slackness) and is fixed at z. When every profile is
fixed, a final LP over the generated panels gives the panel probabilities.
"""

from __future__ import annotations

from collections.abc import Callable

import highspy
import numpy as np

from ._solver import INF, CountModel, new_highs
from .model import Problem

Progress = Callable[[int, int, str], None]
"""progress(done, total, message): profiles fixed so far out of all profiles."""

PRICE_EPS = 1e-9  # a panel enters when it beats mu by more than this
FIX_EPS = 1e-7  # dual values above this fix their profile
LEVEL_SLACK = 1e-9  # if a stage LP turns unbounded (levels a hair too high), lower them by this


def leximin_panels(
    problem: Problem, progress: Progress | None = None, max_initial: int = 30
) -> tuple[np.ndarray, np.ndarray]:
    """Leximin distribution for `problem` (assumed feasible).

    Returns (panels, probabilities): panels is an int array (P, T) of counts per profile and
    probabilities a float array (P,) summing to 1.
    """
    T = problem.n_profiles
    size = problem.profile_size.astype(float)
    pricing = CountModel(problem)
    panels: list[np.ndarray] = []
    known: set[bytes] = set()

    def add(c: np.ndarray | None) -> bool:
        if c is None:
            return False
        key = c.tobytes()
        if key in known:
            return False
        known.add(key)
        panels.append(c)
        lp.addRow(0.0, INF, T + 1, cols, np.concatenate([-c / size, [1.0]]))
        return True

    lp = new_highs()
    lp.setOptionValue("primal_feasibility_tolerance", 1e-9)
    lp.setOptionValue("dual_feasibility_tolerance", 1e-9)
    cols = np.arange(T + 1, dtype=np.int32)
    lp.addVars(T + 1, np.r_[np.zeros(T), -INF], np.full(T + 1, INF))
    lp.changeColsCost(T + 1, cols, np.r_[np.zeros(T), 1.0])  # minimise mu
    lp.addRow(1.0, 1.0, T, cols[:T], np.ones(T))  # row 0: sum of unfixed y = 1
    norm_coef = np.ones(T)

    # Initial panels: a few diverse ones (deterministic weights; solver stage only).
    rng = np.random.default_rng(0)
    first = pricing.best(np.ones(T) / size)
    if first is None:
        raise ValueError("no panel meets the quotas (run the diagnosis first)")
    add(first)
    for _ in range(min(max_initial, T)):
        add(pricing.best(rng.random(T) / size))

    fixed = np.full(T, np.nan)
    n_fixed = 0
    relaxed = 0
    if progress:
        progress(0, T, "")
    while n_fixed < T:
        while True:
            lp.run()
            if lp.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                # numerical trouble: fixed levels slightly above what the panels reach
                done = np.flatnonzero(~np.isnan(fixed)).astype(np.int32)
                if not len(done) or relaxed > 5:
                    status = lp.modelStatusToString(lp.getModelStatus())
                    raise RuntimeError(f"leximin LP: {status}")
                relaxed += 1
                fixed[done] = np.maximum(fixed[done] - LEVEL_SLACK, 0.0)
                lp.changeColsCost(len(done), done, -fixed[done])
                continue
            x = np.array(lp.getSolution().col_value)
            y, mu = np.maximum(x[:T], 0.0), x[T]
            c = pricing.best(y / size)
            if c is None:
                raise RuntimeError("pricing problem failed")
            value = float(c @ (y / size))
            if value <= mu + PRICE_EPS or not add(c):
                break
        z = float(lp.getInfo().objective_function_value)
        free = np.isnan(fixed)
        to_fix = free & (y > FIX_EPS)
        if not to_fix.any():
            to_fix = np.zeros(T, dtype=bool)
            to_fix[np.argmax(np.where(free, y, -1.0))] = True
        level = max(0.0, z)
        idx = np.flatnonzero(to_fix).astype(np.int32)
        fixed[idx] = level
        n_fixed += len(idx)
        norm_coef[idx] = 0.0
        for t in idx:
            lp.changeCoeff(0, int(t), 0.0)
        lp.changeColsCost(len(idx), idx, np.full(len(idx), -level))
        if progress:
            progress(n_fixed, T, f"level {z:.6f}, {len(panels)} panels")

    return _final_distribution(np.array(panels), size, fixed)


def _final_distribution(
    panels: np.ndarray, size: np.ndarray, fixed: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Probabilities of the panels reaching the fixed levels: minimise the weighted shortfall
    sum_t size[t] d[t] with pi[t] + d[t] >= fixed[t], lambda a distribution."""
    P, T = panels.shape
    h = new_highs()
    h.setOptionValue("primal_feasibility_tolerance", 1e-10)
    # columns: lambda_0..lambda_{P-1}, d_0..d_{T-1}
    h.addVars(P + T, np.zeros(P + T), np.full(P + T, INF))
    h.changeColsCost(P + T, np.arange(P + T, dtype=np.int32), np.r_[np.zeros(P), size])
    h.addRow(1.0, 1.0, P, np.arange(P, dtype=np.int32), np.ones(P))
    a = panels / size  # (P, T)
    for t in range(T):
        nz = np.flatnonzero(a[:, t]).astype(np.int32)
        h.addRow(
            float(fixed[t]),
            INF,
            len(nz) + 1,
            np.r_[nz, P + t].astype(np.int32),
            np.r_[a[nz, t], 1.0],
        )
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        raise RuntimeError("final leximin LP failed")
    lam = np.maximum(np.array(h.getSolution().col_value)[:P], 0.0)
    keep = lam > 1e-12
    lam = lam[keep] / lam[keep].sum()
    return panels[keep], lam
