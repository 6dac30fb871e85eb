"""Leximin distribution over panels, on profiles (Flanigan et al., Nature 596, 2021).

People with the same profile are interchangeable, and the leximin marginals are unique, so
they give equal probability to all members of a profile. We therefore look for a distribution
over *count vectors* c (c[t] seats for profile t) and a person of profile t is selected with
probability pi[t] = E[c[t]] / size[t]. Sampling then picks c[t] members of t uniformly.

The usual path is short: the leximin over the LP relaxation of the panel constraints
(`relaxed_leximin`, a few LPs), written as a lottery over integer panels by a walk inside the
relaxation (`walk_decompose`); when that works, it is the leximin, with a proof. When the walk
gets stuck, column generation (`decompose`) tries to finish the decomposition, and when the
relaxed optimum is not a lottery over panels at all, the staged algorithm below runs.

In the staged algorithm, each stage solves, by column generation, the dual LP of "maximise
the lowest pi over the profiles not yet fixed, keeping fixed profiles at their level"
(variables y[t] >= 0, mu):

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
    leximin order; if x* is a convex combination of integer panels, it is the exact answer.
    That is checked by a walk inside the relaxation (`walk_decompose`), then, if the walk gets
    stuck, by column generation (`decompose`). Otherwise the staged algorithm runs, starting
    from the panels already found.
    """
    levels = relaxed_leximin(problem)
    target = levels * problem.profile_size
    if progress:
        progress(0, problem.n_profiles, "decomposing the relaxed leximin")
    panels, lam, shortfall = walk_decompose(problem, target, progress)
    if shortfall <= DECOMPOSE_TOL:
        if progress:
            progress(problem.n_profiles, problem.n_profiles, f"{len(panels)} panels")
        return panels, lam
    # the walk left the integer hull: column generation, started from the walk's panels
    face = CountModel(problem)
    face.restrict_to_face(target)
    panels, lam, shortfall = decompose(problem, target, face, progress, initial=list(panels))
    if shortfall <= DECOMPOSE_TOL:
        if progress:
            progress(problem.n_profiles, problem.n_profiles, f"{len(panels)} panels")
        return panels, lam
    return staged_leximin(problem, progress, initial=list(panels))


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
            # seen on a 1,700-person pool once levels reached 1 - 3e-11: HiGHS found the LP
            # infeasible at this strict tolerance; looser ones for this stage only
            for tol in (1e-9, 1e-8):
                h.setOptionValue("primal_feasibility_tolerance", tol)
                h.clearSolver()
                h.run()
                if h.getModelStatus() == highspy.HighsModelStatus.kOptimal:
                    break
            h.setOptionValue("primal_feasibility_tolerance", 1e-10)
            if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                raise RuntimeError("relaxed leximin LP failed")
        sol = h.getSolution()
        x = np.array(sol.col_value)
        z = float(x[T])
        dual = np.abs(np.array(sol.row_dual)[first_link : first_link + T])
        free = np.isnan(levels)
        to_fix = free & (dual > FIX_EPS)
        if not to_fix.any():
            to_fix[np.argmax(np.where(free, dual, -1.0))] = True
        idx = np.flatnonzero(to_fix).astype(np.int32)
        levels[idx] = z
        # drop z from the row, keep x[t] >= size[t] z as a bound; at most the value x[t] of
        # the solution itself, so that this solution stays feasible: bounds at size[t] z
        # could sum a hair above a quota's maximum (errors of 1e-10 add up over a row)
        bound = np.maximum(np.minimum(x[idx], size[idx] * z) - 1e-10, 0.0)
        for t, b in zip(idx, bound, strict=True):
            h.changeCoeff(first_link + int(t), T, 0.0)
            h.changeRowBounds(first_link + int(t), float(b), INF)
    # the last solution itself: it meets every row (to 1e-10) and x[t] >= size[t] levels[t];
    # levels * size alone can miss the panel size by 1e-6 when a stage fixes a profile whose
    # dual was numerical noise (it could still rise a little, and does in x)
    return np.clip(x[:T] / size, 0.0, 1.0)


def decompose(
    problem: Problem,
    target: np.ndarray,
    pricing: CountModel,
    progress: Progress | None = None,
    max_panels: int | None = None,
    batch: int = 8,
    initial: list[np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray, float]:
    """Write expected counts `target` as a lottery over integer panels, by column generation.

    Master LP: minimise sum_t d[t] s.t. sum_p lambda_p c_p[t] + d[t] >= target[t],
    sum_p lambda_p = 1. Pricing: a panel c with pi . c + sigma > 0 (pi, sigma the duals).
    Returns (panels, lambda, shortfall); shortfall 0 means target lies in the integer hull.
    `initial` panels (valid ones, e.g. from `walk_decompose`) enter the master first; they
    do not count against the budget `max_panels`.
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

    for c in initial or []:
        add(np.asarray(c, dtype=np.int64))
    n_initial = len(panels)
    if not panels:
        first = pricing.best(target / problem.profile_size)
        if first is None:  # e.g. the face is numerically empty: let the caller fall back
            return np.zeros((0, T), dtype=np.int64), np.zeros(0), float("inf")
        add(first)
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
        if len(panels) - n_initial > max_panels:
            break  # budget spent (deterministic, not timed): the caller falls back
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


def walk_decompose(
    problem: Problem,
    target: np.ndarray,
    progress: Progress | None = None,
) -> tuple[np.ndarray, np.ndarray, float]:
    """Write expected counts `target` (a point of the relaxation R) as a lottery over integer
    panels by walking inside R (a constructive Caratheodory decomposition).

    With x = target and mass m = 1: take an integer panel c on the smallest face of R that
    contains x (every constraint tight at x is tight at c): the first one a MIP finds, its
    objective preferring the profiles x favours; write x = lam c + (1 - lam) x' with lam as
    large as keeps x' in R (a ratio test); c gets probability lam m, and the walk goes on
    from x' with mass m (1 - lam).
    Each step makes at least one more constraint tight (a profile reaches 0 or its size, or a
    quota row its bound), so the face shrinks and the walk ends within T + rows steps, at an
    integer point (lam = 1) or once the mass left is negligible. x' is re-projected onto its
    face after every step so that rounding errors do not pile up as the mass shrinks.

    Each step only needs *some* integer panel on the face, so every panel is valid and
    the marginals of the lottery are exactly x up to the mass left. The walk can get stuck if
    x' leaves the integer hull (R is not integral with three features or more): then
    (panels, lambda, shortfall) are returned with shortfall > 0 and the caller goes on with
    column generation, starting from these panels.
    """
    T = problem.n_profiles
    k = problem.k
    size = problem.profile_size.astype(float)
    rows, row_lo, row_hi = constraint_rows(problem)
    # any face panel will do: the first one HiGHS finds (`CountModel.first`; on B of
    # bench/lottery.py, 82 s and 562 panels, against 110 s and 190 panels at a 5 % gap)
    model = CountModel(problem)
    x = _snap_to_face(target, size, rows, row_lo, row_hi, tol=1e-7, row_tol=1e-6)
    mass = 1.0
    panels: list[np.ndarray] = []
    weights: list[float] = []
    for _ in range(2 * (T + len(rows)) + 2):
        if mass * k <= WALK_MASS_LEFT:
            break
        model.restrict_to_face(x, tol=WALK_TOL)
        c = model.first(x / size)
        if c is None:
            break  # stuck: x has left the integer hull (or the face is numerically empty)
        lam = _max_step(x, c, size, rows, row_lo, row_hi)
        if lam <= 1e-12:
            break
        panels.append(c)
        weights.append(lam * mass)
        if lam >= 1.0 - 1e-12:
            mass = 0.0
            break
        x = _snap_to_face((x - lam * c) / (1.0 - lam), size, rows, row_lo, row_hi, WALK_TOL)
        mass *= 1.0 - lam
        if progress:
            free = int(((x > 0) & (x < size)).sum())
            progress(T - free, T, f"decomposing: {len(panels)} panels, {mass:.1e} of the mass left")
    if not panels:
        return np.zeros((0, T), dtype=np.int64), np.zeros(0), float("inf")
    arr = np.array(panels)
    lam_all = np.array(weights) / sum(weights)
    shortfall = float(np.maximum(target - lam_all @ arr, 0.0).sum())
    return arr, lam_all, shortfall


WALK_TOL = 1e-9  # a coordinate or row this close to a bound is on it, during the walk
WALK_MASS_LEFT = 1e-9  # stop walking when the mass left covers fewer expected seats


def _snap_to_face(
    x: np.ndarray,
    size: np.ndarray,
    rows: list[np.ndarray],
    row_lo: list[float],
    row_hi: list[float],
    tol: float,
    row_tol: float | None = None,
) -> np.ndarray:
    """x with coordinates within `tol` of a bound put on it, and the other (free)
    coordinates moved as little as possible (least squares) so that every row within
    `row_tol` of a bound sums exactly to it."""
    x = np.where(x <= tol, 0.0, x)
    x = np.where(x >= size - tol, size, x)
    free = (x > 0) & (x < size)
    a_rows, gaps = [], []
    for ts, lo, hi in zip(rows, row_lo, row_hi, strict=True):
        v = float(x[ts].sum())
        rt = row_tol if row_tol is not None else tol * max(1, len(ts))
        for bound in (lo, hi):
            if abs(bound) < INF and abs(v - bound) <= rt:
                row = np.zeros(len(x))
                row[ts] = 1.0
                a_rows.append(row[free])
                gaps.append(bound - v)
                break
    if a_rows and free.any():
        d = np.linalg.lstsq(np.array(a_rows), np.array(gaps), rcond=None)[0]
        x[free] += d
    return x


def _max_step(
    x: np.ndarray,
    c: np.ndarray,
    size: np.ndarray,
    rows: list[np.ndarray],
    row_lo: list[float],
    row_hi: list[float],
) -> float:
    """The largest lam in [0, 1] with (x - lam c) / (1 - lam) still in the relaxation."""
    cf = c.astype(float)
    lam = 1.0
    up = cf > 0  # (x - lam c) >= 0
    if up.any():
        lam = min(lam, float((x[up] / cf[up]).min()))
    below = cf < size  # x - lam c <= (1 - lam) size
    if below.any():
        lam = min(lam, float(((size[below] - x[below]) / (size[below] - cf[below])).min()))
    for ts, lo, hi in zip(rows, row_lo, row_hi, strict=True):
        xs, cs = float(x[ts].sum()), float(cf[ts].sum())
        if lo > -INF and cs > lo:  # xs - lam cs >= (1 - lam) lo
            lam = min(lam, (xs - lo) / (cs - lo))
        if hi < INF and cs < hi:
            lam = min(lam, (hi - xs) / (hi - cs))
    return max(lam, 0.0)
