"""Condorcet methods on ranked ballots (ties and unranked options allowed): Schulze and
ranked pairs, both computed from the pairwise matrix.

A ballot prefers ``a`` to ``b`` when it ranks ``a`` strictly above ``b``; an unranked option
is below every ranked option and tied with the other unranked ones (the "extended strict
preference" of ``pref_voting``'s ``ProfileWithTies.use_extended_strict_preference``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .core import (
    Ballots,
    Result,
    check_kind,
    check_seats,
    priority,
    tiebreak_order,
)
from .ordering import order_with_ties


def rank_keys(ballots: Ballots) -> np.ndarray:
    """Ranks with unranked options replaced by a rank below every ranked one, in the smallest
    unsigned type, transposed to (options, ballots) so that each option is contiguous."""
    r = np.asarray(ballots.matrix)
    top = int(r.max()) + 1 if r.size else 1
    dtype = np.uint8 if top < 255 else (np.uint16 if top < 65535 else np.uint32)
    big = np.iinfo(dtype).max
    rt = np.ascontiguousarray(r.T)
    out = rt.astype(dtype)
    out[rt <= 0] = big
    return out


def blank_rows(ballots: Ballots) -> np.ndarray:
    return ~np.any(np.asarray(ballots.matrix) > 0, axis=1)


def pairwise(ballots: Ballots) -> np.ndarray:
    """``P[a, b]`` = number of ballots ranking ``a`` strictly above ``b``.

    Linear in the number of ballots: one vectorised comparison of two contiguous columns per
    pair of options."""
    rt = rank_keys(ballots)
    m = rt.shape[0]
    p = np.zeros((m, m), dtype=np.int64)
    w = None if ballots.weights is None else ballots.weight_array()
    for a in range(m):
        x = rt[a]
        for b in range(a + 1, m):
            y = rt[b]
            if w is None:
                p[a, b] = np.count_nonzero(x < y)
                p[b, a] = np.count_nonzero(y < x)
            else:
                p[a, b] = int(w[x < y].sum())
                p[b, a] = int(w[y < x].sum())
    return p


def _matrix_json(names: Sequence[str], mat: np.ndarray) -> dict[str, dict[str, int]]:
    return {
        names[a]: {names[b]: int(mat[a, b]) for b in range(len(names)) if b != a}
        for a in range(len(names))
    }


def strongest_paths(p: np.ndarray) -> np.ndarray:
    """Schulze's strongest path strengths: links are the positive margins, a path is as strong
    as its weakest link (Floyd–Warshall, widest-path variant)."""
    d = p - p.T
    s = np.where(d > 0, d, 0).astype(np.int64)
    for k in range(s.shape[0]):
        s = np.maximum(s, np.minimum(s[:, k : k + 1], s[k : k + 1, :]))
    np.fill_diagonal(s, 0)
    return s


def schulze(
    ballots: Ballots,
    *,
    seats: int = 1,
    tiebreak: Sequence[str] | None = None,
    seed: str | None = None,
) -> Result:
    """Schulze method (beat path) with margins as link strengths.

    Rule: the strength of a path is its weakest margin, links being the pairs with a positive
    margin; ``a`` beats ``b`` when the strongest path from ``a`` to ``b`` is stronger than the
    strongest path from ``b`` to ``a``. This relation is transitive: options are ranked by the
    number of options they beat (a linear extension), options beating the same number (which
    never beat each other) are ordered by the tie-break order. Winners: the first ``seats``
    options (the "Schulze ranking" of M. Schulze, "A new monotonic, clone-independent, reversal
    symmetric, and Condorcet-consistent single-winner election method", Social Choice and
    Welfare 36, 2011, section 4.1). Peer: ``pref_voting.margin_based_methods.beat_path``.

    Scores: ``{option: {"beats": n, "strongest_paths": {other: strength}}}``.
    """
    check_kind(ballots, "ranked", "schulze")
    seats = check_seats(seats, ballots.options)
    names = ballots.options
    blank = blank_rows(ballots)
    p = pairwise(ballots)
    s = strongest_paths(p)
    beats = (s > s.T).sum(axis=1)
    order = tiebreak_order(names, tiebreak, seed)
    prio = priority(names, order)
    ranking_idx, ties = order_with_ties([(int(b),) for b in beats], prio, names, "Schulze wins")
    ranking = tuple(names[i] for i in ranking_idx)
    return Result(
        method="schulze",
        options=names,
        seats=seats,
        winners=ranking[:seats],
        ranking=ranking,
        scores={
            names[a]: {
                "beats": int(beats[a]),
                "strongest_paths": {names[b]: int(s[a, b]) for b in ranking_idx if b != a},
            }
            for a in ranking_idx
        },
        ballots=ballots.total(~blank),
        blank=ballots.total(blank),
        spoiled=ballots.spoiled,
        ties=ties,
        details={"pairwise": _matrix_json(names, p), "tiebreak": order},
    )


def ranked_pairs(
    ballots: Ballots,
    *,
    seats: int = 1,
    tiebreak: Sequence[str] | None = None,
    seed: str | None = None,
) -> Result:
    """Ranked pairs (Tideman) with margins.

    Rule: every ordered pair ``(a, b)`` with a margin ``>= 0`` (a tied pair gives both
    directions) is considered in order of decreasing margin; pairs with equal margins are taken
    in the lexicographic order of (tie-break position of ``a``, tie-break position of ``b``).
    Each pair is locked unless the opposite order is already implied by the pairs locked so far
    (it would close a cycle). The locked pairs form a linear order: that is the ranking; the
    winners are its first ``seats`` options. Sources: T. N. Tideman, "Independence of clones as
    a criterion for voting rules", Social Choice and Welfare 4, 1987; tie-breaking after
    T. M. Zavist and T. N. Tideman, Social Choice and Welfare 6, 1989, with our tie-break order in
    place of a random ballot. Peer: ``pref_voting.margin_based_methods.ranked_pairs_tb``, which
    applies the same rule given the same tie-break order.

    Scores: ``{option: {"beats": n, "margins": {other: margin}}}`` where ``beats`` counts the
    options below it in the locked order.
    """
    check_kind(ballots, "ranked", "ranked-pairs")
    seats = check_seats(seats, ballots.options)
    names = ballots.options
    m = len(names)
    blank = blank_rows(ballots)
    p = pairwise(ballots)
    d = p - p.T
    order = tiebreak_order(names, tiebreak, seed)
    prio = priority(names, order)
    pairs = [(a, b) for a in range(m) for b in range(m) if a != b and d[a, b] >= 0]
    pairs.sort(key=lambda e: (-int(d[e]), int(prio[e[0]]), int(prio[e[1]])))
    above = np.zeros((m, m), dtype=bool)  # above[x, y]: x above y by locked pairs
    locked: list[list[object]] = []
    skipped: list[list[object]] = []
    ties: list[str] = []
    for a, b in pairs:
        if above[b, a]:
            skipped.append([names[a], names[b], int(d[a, b])])
            continue
        if d[a, b] == 0 and not above[a, b]:
            ties.append(
                f"{names[a]} and {names[b]} tied (margin 0); {names[a]} placed above "
                "by the tie-break order"
            )
        if not above[a, b]:
            src = above[:, a].copy()
            src[a] = True
            dst = above[b].copy()
            dst[b] = True
            above |= np.outer(src, dst)
        locked.append([names[a], names[b], int(d[a, b])])
    beats = above.sum(axis=1)
    ranking_idx = sorted(range(m), key=lambda i: -int(beats[i]))
    ranking = tuple(names[i] for i in ranking_idx)
    return Result(
        method="ranked-pairs",
        options=names,
        seats=seats,
        winners=ranking[:seats],
        ranking=ranking,
        scores={
            names[a]: {
                "beats": int(beats[a]),
                "margins": {names[b]: int(d[a, b]) for b in ranking_idx if b != a},
            }
            for a in ranking_idx
        },
        ballots=ballots.total(~blank),
        blank=ballots.total(blank),
        spoiled=ballots.spoiled,
        ties=tuple(ties),
        details={
            "pairwise": _matrix_json(names, p),
            "locked": locked,
            "skipped": skipped,
            "tiebreak": order,
        },
    )
