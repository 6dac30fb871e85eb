"""Shared helpers of the lottery tests: tiny problems and an independent brute-force leximin."""

from __future__ import annotations

import itertools

import numpy as np
from scipy.optimize import linprog

from pnyx.lottery import GroupLimit, Pool, Problem, Quota


def make_problem(
    rows: list[tuple[str, ...]],
    columns: list[str],
    quotas: list[tuple[str, str, int, int]],
    k: int,
    group: GroupLimit | None = None,
) -> Problem:
    records = [
        {"id": f"p{i:02d}", **dict(zip(columns, r, strict=True))} for i, r in enumerate(rows)
    ]
    pool = Pool.from_records(records, columns)
    return Problem(pool, tuple(Quota(*q) for q in quotas), k, group)


def valid_panels(problem: Problem) -> list[tuple[int, ...]]:
    """Every valid panel as a tuple of person indices, by brute force (tiny pools only)."""
    out = []
    for combo in itertools.combinations(range(len(problem.pool)), problem.k):
        if not problem.check_counts(problem.counts_of(combo)):
            out.append(combo)
    return out


def brute_force_leximin(problem: Problem, tol: float = 1e-7) -> np.ndarray:
    """Leximin selection probabilities per person, computed independently: all valid panels
    enumerated over *individuals*, scipy's LP solver (not HiGHS through pnyx), and fixing by
    testing each person (max of their probability at the current levels)."""
    panels = valid_panels(problem)
    n, P = len(problem.pool), len(panels)
    A = np.zeros((n, P))
    for j, combo in enumerate(panels):
        A[list(combo), j] = 1.0
    fixed = np.full(n, np.nan)
    while np.isnan(fixed).any():
        free = np.isnan(fixed)
        # variables: lambda (P), z ; maximise z
        c = np.r_[np.zeros(P), -1.0]
        rows, rhs = [], []
        for i in range(n):
            if free[i]:
                rows.append(np.r_[-A[i], 1.0])  # z - pi_i <= 0
                rhs.append(0.0)
            else:
                rows.append(np.r_[-A[i], 0.0])  # -pi_i <= -f_i
                rhs.append(-fixed[i] + tol / 10)
        res = linprog(
            c,
            A_ub=np.array(rows),
            b_ub=rhs,
            A_eq=np.r_[np.ones(P), 0.0][None, :],
            b_eq=[1.0],
            bounds=[(0, None)] * P + [(None, None)],
            method="highs",
        )
        z = -res.fun
        newly = []
        for i in np.flatnonzero(free):
            # can person i exceed z while every free person keeps >= z?
            rows_i = [np.r_[-A[j], 0.0] for j in range(n)]
            rhs_i = [-(z - tol / 10) if free[j] else -fixed[j] + tol / 10 for j in range(n)]
            r = linprog(
                np.r_[-A[i], 0.0],
                A_ub=np.array(rows_i),
                b_ub=rhs_i,
                A_eq=np.r_[np.ones(P), 0.0][None, :],
                b_eq=[1.0],
                bounds=[(0, None)] * P + [(0, 0)],
                method="highs",
            )
            if -r.fun <= z + tol:
                newly.append(i)
        if not newly:
            newly = list(np.flatnonzero(free))
        fixed[newly] = z
    return fixed


def small_problem() -> Problem:
    """Eight people, two features: 3 women for 2 seats, 5 men for 2 seats."""
    rows = [
        ("F", "North"),
        ("M", "North"),
        ("M", "South"),
        ("F", "South"),
        ("M", "North"),
        ("M", "North"),
        ("F", "North"),
        ("M", "South"),
    ]
    quotas = [
        ("gender", "F", 2, 2),
        ("gender", "M", 2, 2),
        ("region", "North", 2, 3),
        ("region", "South", 1, 2),
    ]
    return make_problem(rows, ["gender", "region"], quotas, 4)
