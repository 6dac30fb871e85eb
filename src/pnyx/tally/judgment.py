"""Majority judgment: every ballot grades every option; the best median grade wins.

Source: M. Balinski and R. Laraki, "A theory of measuring, electing and ranking", PNAS 104(21),
2007, and "Majority Judgment: Measuring, Ranking, and Electing", MIT Press, 2011 (majority
value, majority gauge). Peer implementation: ``pref_voting.grade_methods.majority_judgement``
(median and majority-gauge tie-break only).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np

from .core import (
    Ballots,
    Result,
    TallyError,
    check_kind,
    check_seats,
    priority,
    tiebreak_order,
)


def merit_profiles(ballots: Ballots) -> tuple[np.ndarray, np.ndarray]:
    """Histogram of grades per option, shape (options, grades), grade 0 = best, counting a
    missing grade as the worst grade; and the mask of blank rows (no grade at all)."""
    g = np.asarray(ballots.matrix)
    k = len(ballots.grades)
    if g.size and (g.min() < -1 or g.max() >= k):
        raise TallyError(f"grade indices must lie in -1..{k - 1}")
    blank = np.all(g < 0, axis=1)
    gt = np.ascontiguousarray(g.T)
    w = None if ballots.weights is None else ballots.weight_array().astype(np.float64)
    hist = np.zeros((len(ballots.options), k + 1), dtype=np.int64)
    for j in range(gt.shape[0]):
        col = gt[j].astype(np.intp) + 1
        if w is None:
            hist[j] = np.bincount(col, minlength=k + 1)
        else:
            hist[j] = np.rint(np.bincount(col, weights=w, minlength=k + 1)).astype(np.int64)
    n_blank = ballots.total(blank)
    hist[:, 0] -= n_blank  # blank ballots are not counted at all
    hist[:, k] += hist[:, 0]  # a missing grade counts as the worst grade
    return hist[:, 1:], blank


def median_index(n: int) -> int:
    """Index of the majority grade in grades sorted best first: the middle one for an odd
    number of grades, the lower (worse) of the two middle ones for an even number."""
    return n // 2


def majority_grade(hist: np.ndarray) -> int:
    n = int(hist.sum())
    if n == 0:
        return len(hist) - 1
    return int(np.searchsorted(np.cumsum(hist), median_index(n), side="right"))


def _order_position(i: int, c: int, n: int) -> int:
    """Step at which the grade at index ``i`` (grades sorted best first) becomes the majority
    grade when majority grades are removed one at a time (the majority value's order)."""
    if i == c:
        return 0
    d = abs(i - c)
    if n % 2 == 0:
        return 2 * d - 1 if i < c else 2 * d
    return 2 * d - 1 if i > c else 2 * d


def compare_profiles(ha: np.ndarray, hb: np.ndarray) -> int:
    """Compare two merit profiles (same number of grades): 1 if ``ha`` is ranked above ``hb``
    by majority value (lexicographic order of the successive majority grades), -1 if below,
    0 if equal (identical profiles)."""
    n = int(ha.sum())
    if n == 0 or np.array_equal(ha, hb):
        return 0
    c = median_index(n)
    ca, cb = np.cumsum(ha), np.cumsum(hb)
    cand = {c}
    if c - 1 >= 0:
        cand.add(c - 1)
    if c + 1 < n:
        cand.add(c + 1)
    for cum in (ca, cb):
        for b in cum[:-1].tolist():
            if 0 <= b - 1 < c:
                cand.add(b - 1)
            if c < b < n:
                cand.add(b)
    positions = sorted(cand, key=lambda i: _order_position(i, c, n))
    pos = np.array(positions)
    ga = np.searchsorted(ca, pos, side="right")
    gb = np.searchsorted(cb, pos, side="right")
    diff = np.flatnonzero(ga != gb)
    if diff.size == 0:
        return 0
    t = diff[0]
    return 1 if ga[t] < gb[t] else -1


def majority_judgment(
    ballots: Ballots,
    *,
    seats: int = 1,
    tiebreak: Sequence[str] | None = None,
    seed: str | None = None,
) -> Result:
    """Count graded ballots by majority judgment.

    Rule: each option's *majority grade* is the median of its grades, the lower (worse) middle
    grade for an even number of ballots. Options are ranked by *majority value* (Balinski–Laraki):
    compare majority grades; if equal, remove one majority grade from each and compare again,
    and so on. This order agrees with the *majority gauge* whenever the gauges differ: with
    ``p`` = share of grades better than the majority grade and ``q`` = share worse, an option
    with ``p > q`` ranks above one with ``p <= q``; among ``p > q`` the larger ``p`` ranks first;
    among ``p <= q`` the smaller ``q`` ranks first. Options with identical merit profiles are
    ordered by the tie-break order. A cell without a grade counts as the worst grade; a ballot
    with no grade at all is blank. Winners: the first ``seats`` options.

    Scores: ``{option: {"majority_grade", "better", "worse", "gauge", "grades"}}`` where
    ``better``/``worse`` count the grades strictly above/below the majority grade, ``gauge`` is
    ``"+"`` if better > worse else ``"-"``, and ``grades`` counts every grade, best first.
    """
    check_kind(ballots, "graded", "majority judgment")
    seats = check_seats(seats, ballots.options)
    hist, blank = merit_profiles(ballots)
    names = ballots.options
    order = tiebreak_order(names, tiebreak, seed)
    prio = priority(names, order)

    def cmp(i: int, j: int) -> int:
        r = compare_profiles(hist[i], hist[j])
        if r:
            return -r
        return -1 if prio[i] < prio[j] else (1 if prio[i] > prio[j] else 0)

    ranking_idx = sorted(range(len(names)), key=functools.cmp_to_key(cmp))
    ties: list[str] = []
    start = 0
    while start < len(ranking_idx):
        end = start + 1
        while end < len(ranking_idx) and np.array_equal(
            hist[ranking_idx[start]], hist[ranking_idx[end]]
        ):
            end += 1
        if end - start > 1:
            group = [names[i] for i in ranking_idx[start:end]]
            ties.append(
                f"{', '.join(group)} have identical merit profiles; "
                "placed in this order by the tie-break order"
            )
        start = end
    scores = {}
    for j in ranking_idx:
        h = hist[j]
        mg = majority_grade(h)
        better = int(h[:mg].sum())
        worse = int(h[mg + 1 :].sum())
        scores[names[j]] = {
            "majority_grade": ballots.grades[mg],
            "better": better,
            "worse": worse,
            "gauge": "+" if better > worse else "-",
            "grades": {ballots.grades[g]: int(h[g]) for g in range(len(ballots.grades))},
        }
    ranking = tuple(names[i] for i in ranking_idx)
    return Result(
        method="mj",
        options=names,
        seats=seats,
        winners=ranking[:seats],
        ranking=ranking,
        scores=scores,
        ballots=ballots.total(~blank),
        blank=ballots.total(blank),
        spoiled=ballots.spoiled,
        ties=tuple(ties),
        details={"grades": list(ballots.grades), "tiebreak": order},
    )
