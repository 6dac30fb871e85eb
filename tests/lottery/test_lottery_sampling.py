"""Seeded sampling: an auditor's reimplementation from docs/lottery.md, reproducibility,
canonical order, replacements."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lottery_helpers import make_problem, small_problem

from pnyx.lottery import (
    Distribution,
    NoReplacementError,
    Pool,
    Problem,
    SeededStream,
    compute_distribution,
    draw_replacement,
    replay_replacements,
    sample_panel,
    verify_panel,
)


def auditor_sample(dist_bytes: bytes, seed: str) -> list[str]:
    """The sampling algorithm exactly as docs/lottery.md states it, from DIST.json bytes only."""
    digest = hashlib.sha256(dist_bytes).hexdigest()
    dist = json.loads(dist_bytes)
    counter = 0

    def below(n: int) -> int:
        nonlocal counter
        limit = 2**256 - (2**256 % n)
        while True:
            msg = f"pnyx-lottery-v1|{digest}|panel|{counter}".encode()
            counter += 1
            x = int.from_bytes(hmac.new(seed.encode(), msg, hashlib.sha256).digest(), "big")
            if x < limit:
                return x % n

    r = below(dist["weight_total"])
    for panel in dist["panels"]:
        if r < panel["weight"]:
            break
        r -= panel["weight"]
    chosen = []
    for t, count in panel["counts"]:
        members = list(dist["profiles"][t]["members"])
        for i in range(count):
            j = i + below(len(members) - i)
            members[i], members[j] = members[j], members[i]
        chosen += members[:count]
    return sorted(chosen)


def test_stream_is_hmac_sha256_counter_mode():
    s = SeededStream("dice 3 5 1", "abc", "panel")
    for counter in range(3):
        expected = hmac.new(
            b"dice 3 5 1", f"pnyx-lottery-v1|abc|panel|{counter}".encode(), hashlib.sha256
        ).digest()
        assert s.block() == int.from_bytes(expected, "big")


def test_auditor_reimplementation_agrees():
    problem = make_problem(
        [("F", "N"), ("F", "S"), ("M", "N"), ("M", "N"), ("M", "S"), ("F", "N"), ("M", "S")] * 3,
        ["g", "r"],
        [("g", "F", 3, 4), ("g", "M", 3, 4), ("r", "N", 3, 4), ("r", "S", 2, 4)],
        7,
    )
    dist = compute_distribution(problem)
    data = dist.to_bytes()
    assert hashlib.sha256(data).hexdigest() == dist.digest
    for seed in ("", "1 2 3 4 5 6", "été", "lottery 2026-05-17"):
        assert auditor_sample(data, seed) == sample_panel(dist, seed)


def test_dist_json_round_trip_and_same_panel():
    dist = compute_distribution(small_problem())
    again = Distribution.from_bytes(dist.to_bytes())
    assert again.to_bytes() == dist.to_bytes()
    assert sample_panel(again, "x") == sample_panel(dist, "x")
    assert verify_panel(again, "x", sample_panel(dist, "x")) == []


def test_tampered_distribution_is_rejected():
    dist = compute_distribution(small_problem())
    obj = json.loads(dist.to_bytes())
    obj["pool"]["rows"][0][1] = "M"  # change someone's gender, keep the digest
    with pytest.raises(Exception, match="digest"):
        Distribution.from_bytes(json.dumps(obj).encode())


def test_shuffled_pool_gives_the_same_distribution_file():
    base = small_problem()
    records = [
        {"id": pid, **dict(zip(base.pool.columns, row, strict=True))}
        for pid, row in zip(base.pool.ids, base.pool.rows, strict=True)
    ]
    shuffled = Pool.from_records(list(reversed(records)), list(base.pool.columns))
    assert shuffled == base.pool
    other = Problem(shuffled, tuple(reversed(base.quotas)), base.k)
    assert compute_distribution(other).digest == compute_distribution(base).digest


def test_verify_rejects_a_tampered_panel():
    dist = compute_distribution(small_problem())
    panel = sample_panel(dist, "seed")
    outsider = next(i for i in dist.problem.pool.ids if i not in panel)
    tampered = [outsider, *panel[1:]]
    reasons = verify_panel(dist, "seed", tampered)
    assert any(outsider in r for r in reasons)


@settings(max_examples=30, deadline=None)
@given(st.text(max_size=10), st.lists(st.integers(0, 6), min_size=1, max_size=4, unique=True))
def test_replacements_keep_every_quota(seed, decliner_positions):
    problem = make_problem(
        [("F", "N"), ("F", "S"), ("M", "N"), ("M", "N"), ("M", "S"), ("F", "N"), ("M", "S")] * 3,
        ["g", "r"],
        [("g", "F", 3, 4), ("g", "M", 3, 4), ("r", "N", 3, 5), ("r", "S", 2, 4)],
        7,
    )
    dist = _cached(problem)
    panel = sample_panel(dist, seed)
    current = list(panel)
    declines = [panel[p] for p in decliner_positions]
    try:
        reps = replay_replacements(dist, seed, panel, declines)
    except NoReplacementError:
        return
    index = problem.pool.index
    for r in reps:
        assert r.replacement not in current and r.replacement not in declines
        current[current.index(r.declined)] = r.replacement
        assert problem.check_counts(problem.counts_of(index[i] for i in current)) == []
    # deterministic: the same chain again
    assert replay_replacements(dist, seed, panel, declines) == reps
    # each step is the pure function with its own number
    first = draw_replacement(dist, seed, panel, declines[0], 1)
    assert first == reps[0]


_CACHE: dict[int, Distribution] = {}


def _cached(problem: Problem) -> Distribution:
    key = hash((problem.pool, problem.quotas, problem.k))
    if key not in _CACHE:
        _CACHE[key] = compute_distribution(problem)
    return _CACHE[key]


def test_no_replacement_when_profile_exhausted():
    problem = make_problem(
        [("F",), ("F",), ("M",), ("M",)], ["g"], [("g", "F", 2, 2), ("g", "M", 0, 0)], 2
    )
    dist = compute_distribution(problem)
    panel = sample_panel(dist, "s")
    with pytest.raises(NoReplacementError):
        draw_replacement(dist, "s", panel, panel[0], 1)


def test_unfilled_seat_keeps_its_number_and_its_holder():
    """Two women for two seats, and a man: once a woman declines nobody can replace her; the
    seat is reported empty, the number is not used up, and she still counts as holding it
    when the next person declines (so the man is not a candidate for a woman's seat)."""
    problem = make_problem(
        [("F", "x"), ("F", "y"), ("M", "x"), ("M", "y"), ("M", "x")],
        ["g", "r"],
        [("g", "F", 2, 2), ("g", "M", 1, 1), ("r", "x", 0, 3), ("r", "y", 0, 3)],
        3,
    )
    dist = compute_distribution(problem)
    panel = sample_panel(dist, "s")
    women = [p for p in panel if problem.pool.rows[problem.pool.index[p]][0] == "F"]
    man = next(p for p in panel if p not in women)
    with pytest.raises(NoReplacementError):
        replay_replacements(dist, "s", panel, [women[0]])
    reps = replay_replacements(dist, "s", panel, [women[0], man], allow_unfilled=True)
    assert reps[0].number == 1 and reps[0].declined == women[0] and reps[0].replacement == ""
    assert reps[1].number == 1 and reps[1].declined == man  # number 1 was not used up
    assert reps[1] == draw_replacement(dist, "s", panel, man, 1, excluded=[women[0]])
    men_left = {"p02", "p03", "p04"} - {man}
    assert reps[1].replacement in men_left
