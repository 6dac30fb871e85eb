"""Feasibility diagnosis on hand-made infeasible quotas whose minimal fix is known."""

from __future__ import annotations

import pytest
from lottery_helpers import make_problem

from pnyx.lottery import InfeasibleError, compute_distribution, diagnose


def corse_problem():
    rows = [
        ("A", "18-24"),
        ("A", "65+"),
        ("A", "65+"),
        ("Corse", "18-24"),
        ("Corse", "65+"),
        ("Corse", "65+"),
        ("Corse", "65+"),
    ]
    quotas = [
        ("region", "A", 2, 3),
        ("region", "Corse", 1, 1),
        ("age", "18-24", 3, 5),
        ("age", "65+", 0, 5),
    ]
    return make_problem(rows, ["region", "age"], quotas, 5)


def test_minimal_fix_is_named():
    d = diagnose(corse_problem())
    assert not d.feasible
    assert sorted(map(str, d.changes)) == [
        "lower min of age=18-24 from 3 to 2",
        "raise max of region=Corse from 1 to 2",
    ]
    assert d.total_relaxation == 2


def test_compute_refuses_before_any_draw():
    with pytest.raises(InfeasibleError) as err:
        compute_distribution(corse_problem())
    assert "raise max of region=Corse from 1 to 2" in str(err.value)


def test_feasible_and_too_small_pool():
    ok = make_problem([("F",), ("M",)], ["g"], [("g", "F", 1, 1), ("g", "M", 1, 1)], 2)
    assert diagnose(ok).feasible
    small = make_problem([("F",), ("M",)], ["g"], [("g", "F", 0, 3), ("g", "M", 0, 3)], 3)
    d = diagnose(small)
    assert not d.feasible and not d.changes and "2 people for 3 seats" in str(d)


def test_quota_change_is_applied_and_then_feasible():
    from dataclasses import replace

    problem = corse_problem()
    changes = {(c.feature, c.value, c.bound): c.new for c in diagnose(problem).changes}
    quotas = tuple(
        replace(
            q,
            min=changes.get((q.feature, q.value, "min"), q.min),
            max=changes.get((q.feature, q.value, "max"), q.max),
        )
        for q in problem.quotas
    )
    fixed = replace(problem, quotas=quotas)
    assert diagnose(fixed).feasible
