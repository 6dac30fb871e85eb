"""Property tests: every hard rule holds on the output of `pnyx seat`, checked independently."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from seating_helpers import population, read_rows, run, write_people
from seating_validator import check_hall_plan, repeated_pairs, same_group_pairs

from pnyx.seating.cli import seat_main

SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _fits(n: int, lo: int, hi: int) -> bool:
    # independent of the planner: try every table count
    return any(k * lo <= n <= k * hi for k in range(1, n + 1))


@st.composite
def halls(draw):  # type: ignore[no-untyped-def]
    parts = draw(st.integers(1, 3))
    campaigns = draw(st.integers(parts, 4))
    steps = draw(st.integers(1, campaigns))
    lo = draw(st.integers(2, 7))
    hi = draw(st.integers(lo, lo + 3))
    n = draw(st.integers(parts * lo, parts * hi * 8))
    sizes = [n // parts + (1 if i < n % parts else 0) for i in range(parts)]
    assume(all(_fits(s, lo, hi) for s in sizes))
    return parts, [f"C{i}" for i in range(campaigns)], steps, lo, hi, n


def _seat(tmp: Path, people, hall, remix: bool, seed: int = 0):  # type: ignore[no-untyped-def]
    parts, campaigns, steps, lo, hi, _ = hall
    argv = [
        "--participants", write_people(tmp / "people.csv", people), "--parts", parts,
        "--campaigns", ",".join(campaigns), "--steps", steps, "--table-min", lo,
        "--table-max", hi, "--seed", seed, "--out", tmp / "plan.csv", "--json",
    ]  # fmt: skip
    if remix:
        argv.append("--remix")
    code, stats, _ = run(seat_main, argv)
    assert code == 0
    return read_rows(tmp / "plan.csv"), stats


@SETTINGS
@given(hall=halls(), remix=st.booleans(), seed=st.integers(0, 10**6))
def test_hard_rules_hold_for_random_halls(hall, remix, seed):
    people = population(hall[5], seed)
    with tempfile.TemporaryDirectory() as d:
        rows, stats = _seat(Path(d), people, hall, remix, seed)
    parts, campaigns, steps, lo, hi, _ = hall
    assert check_hall_plan(rows, people, parts, campaigns, steps, lo, hi, remix) == []
    assert stats["gender_band_violations"] == 0
    assert stats["repeated_pairs"] == repeated_pairs(rows)
    assert stats["same_group_pairs"] == same_group_pairs(rows, people, "action_group")


@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(n=st.integers(450, 900), seed=st.integers(0, 10**6))
def test_realistic_halls_have_no_repeat_and_no_same_group_pair(n, seed):
    """Parts of 150-300 people at tables of 7-9, groups of 1-6: both are achievable."""
    people = population(n, seed, groups_max=6, regions=13)
    hall = (3, ["A", "B", "C"], 3, 7, 9, n)
    with tempfile.TemporaryDirectory() as d:
        rows, stats = _seat(Path(d), people, hall, True, seed)
    assert check_hall_plan(rows, people, 3, ["A", "B", "C"], 3, 7, 9, True) == []
    assert repeated_pairs(rows) == 0
    assert same_group_pairs(rows, people, "action_group") == 0
    assert stats["region_over_ceiling"] == 0 or stats["worst_region_concentration"] <= 0.5


def test_without_remix_people_keep_their_table(tmp_path):
    people = population(300, 1)
    rows, _ = _seat(tmp_path, people, (3, ["A", "B", "C"], 3, 7, 9, 300), False)
    assert check_hall_plan(rows, people, 3, ["A", "B", "C"], 3, 7, 9, False) == []
    assert same_group_pairs(rows, people, "action_group") == 0


def test_same_seed_same_plan_and_other_seed_other_plan(tmp_path):
    people = population(200, 7)
    hall = (2, ["A", "B"], 2, 7, 9, 200)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "c").mkdir()
    a, _ = _seat(tmp_path / "a", people, hall, True, seed=5)
    b, _ = _seat(tmp_path / "b", people, hall, True, seed=5)
    c, _ = _seat(tmp_path / "c", people, hall, True, seed=6)
    assert a == b
    assert a != c
