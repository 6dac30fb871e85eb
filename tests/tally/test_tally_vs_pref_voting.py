"""Property tests: pnyx.tally agrees with the pref_voting package on random profiles."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pnyx import tally
from pnyx.tally import Ballots

pv = pytest.importorskip("pref_voting")
from pref_voting.grade_methods import approval as pv_approval  # noqa: E402
from pref_voting.grade_methods import majority_judgement as pv_mj  # noqa: E402
from pref_voting.grade_profiles import GradeProfile  # noqa: E402
from pref_voting.iterative_methods import instant_runoff_put  # noqa: E402
from pref_voting.margin_based_methods import (  # noqa: E402
    beat_path,
    ranked_pairs,
    ranked_pairs_tb,
)
from pref_voting.profiles import Profile  # noqa: E402
from pref_voting.profiles_with_ties import ProfileWithTies  # noqa: E402
from pref_voting.proportional_methods import stv_scottish  # noqa: E402

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def names(m: int) -> tuple[str, ...]:
    return tuple(f"c{j}" for j in range(m))


@st.composite
def linear_profiles(draw, min_m=2, max_m=6, max_groups=12, max_count=9):
    """Distinct-ish linear orders with counts: (m, list of permutations, counts)."""
    m = draw(st.integers(min_m, max_m))
    k = draw(st.integers(1, max_groups))
    perms = [draw(st.permutations(range(m))) for _ in range(k)]
    counts = [draw(st.integers(1, max_count)) for _ in range(k)]
    return m, perms, counts


@st.composite
def weak_profiles(draw, min_m=2, max_m=5, max_groups=10):
    """Weak orders with truncation: each ballot gives a rank (1..m) or 0 to each option."""
    m = draw(st.integers(min_m, max_m))
    k = draw(st.integers(1, max_groups))
    rows = []
    for _ in range(k):
        row = draw(st.lists(st.integers(0, m), min_size=m, max_size=m))
        if not any(row):
            row[draw(st.integers(0, m - 1))] = 1
        rows.append(row)
    counts = [draw(st.integers(1, 6)) for _ in range(k)]
    return m, rows, counts


def ranked_from_perms(m, perms, counts) -> Ballots:
    mat = np.zeros((len(perms), m), dtype=np.uint8)
    for i, p in enumerate(perms):
        for r, c in enumerate(p, start=1):
            mat[i, c] = r
    return Ballots("ranked", names(m), mat, weights=np.array(counts))


def ints(result_names) -> set[int]:
    return {int(n[1:]) for n in result_names}


def tb_ints(result) -> list[int]:
    return [int(n[1:]) for n in result.details["tiebreak"]]


def weak_to_pwt(m, rows, counts) -> ProfileWithTies:
    rankings = [{c: r for c, r in enumerate(row) if r > 0} for row in rows]
    prof = ProfileWithTies(rankings, rcounts=counts, candidates=list(range(m)))
    prof.use_extended_strict_preference()
    return prof


def few_tie_orders(result, limit=500) -> bool:
    """pref_voting's ranked_pairs tries every order of equal-margin pairs: keep it small."""
    from collections import Counter
    from math import factorial, prod

    margins = Counter(
        v for a, s in result.scores.items() for b, v in s["margins"].items() if v >= 0
    )
    return prod(factorial(c) for c in margins.values()) <= limit


def schulze_unbeaten(result) -> set[str]:
    sp = {a: v["strongest_paths"] for a, v in result.scores.items()}
    return {a for a in sp if all(sp[a][b] >= sp[b][a] for b in sp[a])}


@SETTINGS
@given(linear_profiles())
def test_schulze_linear(data):
    m, perms, counts = data
    res = tally.schulze(ranked_from_perms(m, perms, counts))
    expected = set(beat_path(Profile(perms, rcounts=counts)))
    assert ints(schulze_unbeaten(res)) == expected
    assert ints(res.winners) <= expected


@SETTINGS
@given(weak_profiles())
def test_schulze_weak_orders(data):
    m, rows, counts = data
    b = Ballots("ranked", names(m), np.array(rows, dtype=np.uint8), weights=np.array(counts))
    res = tally.schulze(b)
    expected = set(beat_path(weak_to_pwt(m, rows, counts)))
    assert ints(schulze_unbeaten(res)) == expected


@SETTINGS
@given(linear_profiles(max_m=5), st.text(min_size=0, max_size=4))
def test_ranked_pairs_linear(data, seed):
    m, perms, counts = data
    res = tally.ranked_pairs(ranked_from_perms(m, perms, counts), seed=seed)
    prof = Profile(perms, rcounts=counts)
    assert ints(res.winners) == set(ranked_pairs_tb(prof, tie_breaker=tb_ints(res)))
    if few_tie_orders(res):
        assert ints(res.winners) <= set(ranked_pairs(prof))


@SETTINGS
@given(weak_profiles(max_m=5))
def test_ranked_pairs_weak_orders(data):
    m, rows, counts = data
    b = Ballots("ranked", names(m), np.array(rows, dtype=np.uint8), weights=np.array(counts))
    res = tally.ranked_pairs(b)
    prof = weak_to_pwt(m, rows, counts)
    assert ints(res.winners) == set(ranked_pairs_tb(prof, tie_breaker=tb_ints(res)))


@SETTINGS
@given(linear_profiles(max_m=6))
def test_irv_linear(data):
    m, perms, counts = data
    res = tally.irv(ranked_from_perms(m, perms, counts))
    put = set(instant_runoff_put(Profile(perms, rcounts=counts)))
    assert ints(res.winners) <= put
    if not any("tie" in t for t in res.ties):
        assert ints(res.winners) == put


@st.composite
def truncated_profiles(draw, min_m=3, max_m=7):
    m = draw(st.integers(min_m, max_m))
    k = draw(st.integers(2, 14))
    lists = []
    for _ in range(k):
        p = draw(st.permutations(range(m)))
        lists.append(list(p[: draw(st.integers(1, m))]))
    counts = [draw(st.integers(1, 40)) for _ in range(k)]
    seats = draw(st.integers(1, min(3, m - 1)))
    return m, lists, counts, seats


@SETTINGS
@given(truncated_profiles())
def test_stv_scottish(data):
    m, lists, counts, seats = data
    mat = np.zeros((len(lists), m), dtype=np.uint8)
    for i, p in enumerate(lists):
        for r, c in enumerate(p, start=1):
            mat[i, c] = r
    res = tally.stv(Ballots("ranked", names(m), mat, weights=np.array(counts)), seats=seats)
    if any("tie-break order" in t for t in res.ties):
        return  # pref_voting decides those ties by lot
    prof = ProfileWithTies(
        [{c: r for r, c in enumerate(p, start=1)} for p in lists],
        rcounts=counts,
        candidates=list(range(m)),
    )
    assert ints(res.winners) == set(stv_scottish(prof, num_seats=seats))
    assert len(res.winners) == seats


@st.composite
def grade_profiles(draw, min_m=2, max_m=5, k_grades=(2, 6)):
    m = draw(st.integers(min_m, max_m))
    k = draw(st.integers(*k_grades))
    n = draw(st.integers(1, 25))
    rows = [draw(st.lists(st.integers(0, k - 1), min_size=m, max_size=m)) for _ in range(n)]
    return m, k, rows


@SETTINGS
@given(grade_profiles())
def test_majority_judgment(data):
    m, k, rows = data
    grades = tuple(f"g{i}" for i in range(k))  # g0 best
    res = tally.majority_judgment(
        Ballots("graded", names(m), np.array(rows, dtype=np.int8), grades=grades)
    )
    gprof = GradeProfile(
        [{c: k - 1 - g for c, g in enumerate(row)} for row in rows], list(range(k))
    )
    expected = set(pv_mj(gprof))
    assert ints(res.winners) <= expected
    # Every option pref_voting declares a winner is tied with ours on (median, gauge).
    top = res.scores[res.winners[0]]
    for c in expected:
        s = res.scores[f"c{c}"]
        assert s["majority_grade"] == top["majority_grade"]


@SETTINGS
@given(st.integers(2, 8), st.data())
def test_approval(m, data):
    n = data.draw(st.integers(1, 30))
    rows = [data.draw(st.lists(st.integers(0, 1), min_size=m, max_size=m)) for _ in range(n)]
    res = tally.approval(Ballots("approval", names(m), np.array(rows, dtype=np.uint8)))
    graded = [{c: v for c, v in enumerate(row)} for row in rows]
    gprof = GradeProfile(graded, [0, 1])
    assert ints(res.winners) <= set(pv_approval(gprof))
    scores = gprof.approval_scores()
    assert {f"c{c}": int(v) for c, v in scores.items()} == res.scores
