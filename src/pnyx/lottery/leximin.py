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

from ._solver import INF, CountModel, add_rows, constraint_rows, new_highs
from .model import Problem

Progress = Callable[[int, int, str], None]
"""progress(done, total, message): profiles fixed so far out of all profiles."""

PRICE_EPS = 1e-9  # a panel enters when it beats mu by more than this
FIX_EPS = 1e-7  # dual values above this fix their profile
DECOMPOSE_TOL = 1e-6  # total shortfall (expected seats) accepted when decomposing x*
LEVEL_SLACK = 1e-9  # if a stage LP turns unbounded (levels a hair too high), lower them by this


def leximin_panels(
    problem: Problem, progress: Progress | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Leximin distribution for `problem` (assumed feasible).

    Returns (panels, probabilities): panels is an int array (P, T) of counts per profile and
    probabilities a float array (P,) summing to 1.

    Shortcut first: the leximin over the LP relaxation R of the panel constraints (fractional
    counts) needs no column generation. Its expected counts x* are an upper bound in the
    leximin order; if x* is a convex combination of integer panels (checked by column
    generation, see `decompose`), it is the exact answer. Otherwise the staged algorithm runs,
    starting from the panels already found.
    """
    pricing = CountModel(problem)
    levels = relaxed_leximin(problem)
    if progress:
        progress(0, problem.n_profiles, "decomposing the relaxed leximin")
    target = levels * problem.profile_size
    face = CountModel(problem)
    face.restrict_to_face(target)
    panels, lam, shortfall = decompose(problem, target, face, progress)
    if shortfall <= DECOMPOSE_TOL:
        if progress:
            progress(problem.n_profiles, problem.n_profiles, f"{len(panels)} panels")
        return panels, lam
    return staged_leximin(problem, progress, pricing, list(panels))


def staged_leximin(
    problem: Problem,
    progress: Progress | None = None,
    pricing: CountModel | None = None,
    initial: list[np.ndarray] | None = None,
    max_initial: int = 30,
) -> tuple[np.ndarray, np.ndarray]:
    """The exact staged column generation (Flanigan et al.'s algorithm, on profiles)."""
    T = problem.n_profiles
    size = problem.profile_size.astype(float)
    pricing = pricing or CountModel(problem)
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
    for c in initial or []:
        add(c)
    for _ in range(0 if initial else min(max_initial, T)):
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
            c = pricing.improving(y / size, mu + PRICE_EPS)
            if c is None or not add(c):
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


def relaxed_leximin(problem: Problem) -> np.ndarray:
    """Leximin selection probability per profile over the LP relaxation (fractional counts).

    LPs over x[t] in [0, size[t]] (the panel rows) and z: maximise z with x[t] >= size[t] z
    for profiles not yet fixed; profiles whose row has a non-zero dual are fixed at z (their
    lower bound becomes size[t] z), until all are fixed.
    """
    T = problem.n_profiles
    size = problem.profile_size.astype(float)
    h = new_highs()
    h.setOptionValue("primal_feasibility_tolerance", 1e-10)
    h.setOptionValue("dual_feasibility_tolerance", 1e-10)
    h.addVars(T + 1, np.zeros(T + 1), np.r_[size, 1.0])
    h.changeColsCost(1, np.array([T], np.int32), np.array([1.0]))
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    add_rows(h, *constraint_rows(problem))
    first_link = h.getNumRow()
    for t in range(T):  # x[t] - size[t] z >= 0
        h.addRow(0.0, INF, 2, np.array([t, T], np.int32), np.array([1.0, -size[t]]))
    levels = np.full(T, np.nan)
    while np.isnan(levels).any():
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            raise RuntimeError("relaxed leximin LP failed")
        sol = h.getSolution()
        z = float(sol.col_value[T])
        dual = np.abs(np.array(sol.row_dual)[first_link : first_link + T])
        free = np.isnan(levels)
        to_fix = free & (dual > FIX_EPS)
        if not to_fix.any():
            to_fix[np.argmax(np.where(free, dual, -1.0))] = True
        idx = np.flatnonzero(to_fix).astype(np.int32)
        levels[idx] = z
        for t in idx:  # drop z from the row, keep x[t] >= size[t] z as a bound
            h.changeCoeff(first_link + int(t), T, 0.0)
            h.changeRowBounds(first_link + int(t), max(0.0, size[t] * z - 1e-10), INF)
    return levels


def decompose(
    problem: Problem,
    target: np.ndarray,
    pricing: CountModel,
    progress: Progress | None = None,
    max_panels: int | None = None,
    batch: int = 8,
    n_spread: int = 0,
    greedy_batch: int = 0,
) -> tuple[np.ndarray, np.ndarray, float]:
    """Write expected counts `target` as a lottery over integer panels, by column generation.

    Master LP: minimise sum_t d[t] s.t. sum_p lambda_p c_p[t] + d[t] >= target[t],
    sum_p lambda_p = 1. Pricing: a panel c with pi . c + sigma > 0 (pi, sigma the duals).
    Returns (panels, lambda, shortfall); shortfall 0 means target lies in the integer hull.

    Opt-in heuristics (off by default, see docs/lottery.md "Performance"): `n_spread` greedy
    panels sampled around `target` before the first master solve, and up to `greedy_batch`
    greedy panels by decreasing duals per master solve, the exact pricing running only when
    none improves. Heuristic panels do not count against the budget `max_panels`.
    """
    T = problem.n_profiles
    h = new_highs()
    h.setOptionValue("primal_feasibility_tolerance", 1e-10)
    h.setOptionValue("dual_feasibility_tolerance", 1e-10)
    h.setOptionValue("simplex_strategy", 4)  # primal simplex: columns keep the basis feasible
    h.addVars(T, np.zeros(T), np.full(T, INF))  # d
    h.changeColsCost(T, np.arange(T, dtype=np.int32), np.ones(T))
    for t in range(T):
        h.addRow(float(target[t]), INF, 1, np.array([t], np.int32), np.array([1.0]))
    h.addRow(1.0, 1.0, 0, np.array([], np.int32), np.array([]))
    panels: list[np.ndarray] = []
    known: set[bytes] = set()
    if max_panels is None:
        max_panels = 4 * T + 100
    rng = np.random.default_rng(0)  # solver stage only; sampling never uses NumPy's RNG
    extra_pricings, idle = batch - 1, 0

    def add(c: np.ndarray) -> bool:
        key = c.tobytes()
        if key in known:
            return False
        known.add(key)
        panels.append(c)
        nz = np.flatnonzero(c).astype(np.int32)
        h.addCol(0.0, 0.0, INF, len(nz) + 1, np.r_[nz, T].astype(np.int32), np.r_[c[nz], 1.0])
        return True

    first = pricing.best(target / problem.profile_size)
    if first is None:  # e.g. the face restriction is numerically empty: let the caller fall back
        return np.zeros((0, T), dtype=np.int64), np.zeros(0), float("inf")
    add(first)
    # Cheap candidates first: greedy panels taking profiles in a random order biased by the
    # target levels (a weighted sample without replacement), so that the panels spread
    # like `target`; the exact pricing below only has to finish the job.
    level = np.clip(target / problem.profile_size, 1e-12, None)
    n_greedy = 0
    for _ in range(n_spread):
        key = -np.log(rng.random(T)) / level
        c = pricing.greedy(np.argsort(key, kind="stable"), -key)
        if c is not None and add(c):
            n_greedy += 1
    while True:
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            raise RuntimeError("decomposition LP failed")
        sol = h.getSolution()
        duals = np.array(sol.row_dual)
        pi, sigma = np.maximum(duals[:T], 0.0), duals[T]
        shortfall = float(h.getInfo().objective_function_value)
        if progress and len(panels) % 25 == 0:
            progress(0, T, f"decomposing: {len(panels)} panels, shortfall {shortfall:.2e}")
        if shortfall <= 1e-9:
            break
        if len(panels) - n_greedy > max_panels:
            break  # budget spent (deterministic, not timed): the caller falls back
        # greedy panels by decreasing (perturbed) duals; the exact pricing only when none of
        # them improves (it alone proves that no improving panel exists)
        greedy_added = 0
        if greedy_batch:
            for j in range(greedy_batch):
                noise = 0.0 if j == 0 else 0.5 * j / greedy_batch
                w = pi * (1.0 + noise * rng.random(T)) + 1e-9 * rng.random(T)
                g = pricing.greedy(np.argsort(-w, kind="stable"), w)
                if g is not None and float(g @ pi) + sigma > PRICE_EPS and add(g):
                    greedy_added += 1
            n_greedy += greedy_added
            if greedy_added:
                continue
            greedy_batch //= 2  # it stopped paying: leave the rest to the exact pricing
        c = pricing.improving(pi, -sigma + PRICE_EPS)
        if c is None or not add(c):
            break
        # a few more columns per master solve: price perturbed duals, keep the improving ones;
        # the batch shrinks when it stops paying (LP vertices rarely integral) and grows back
        added = 0
        for _ in range(extra_pricings):
            w = pi * (1.0 + 0.2 * rng.random(T))
            extra = pricing.improving(w, float("inf"), lp_only=True)
            if extra is not None and float(extra @ pi) + sigma > PRICE_EPS and add(extra):
                added += 1
        if added == 0:
            extra_pricings = extra_pricings // 2
            idle += 1
            if extra_pricings == 0 and idle % 16 == 0:
                extra_pricings = 1  # try again now and then
        else:
            extra_pricings = min(batch - 1, 2 * extra_pricings)
    lam = np.maximum(np.array(sol.col_value)[T:], 0.0)
    arr = np.array(panels)
    keep = lam > 1e-12
    lam = lam[keep] / lam[keep].sum()
    return arr[keep] if shortfall <= DECOMPOSE_TOL else arr, lam, shortfall
