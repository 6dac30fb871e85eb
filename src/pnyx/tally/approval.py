"""Approval voting: each ballot approves up to k options (or exactly k); most approvals win.

Source: S. J. Brams and P. C. Fishburn, "Approval Voting", American Political Science Review
72(3), 1978. Peer implementation: ``pref_voting.grade_methods.approval``.
"""

from __future__ import annotations

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
from .ordering import order_with_ties


def approval(
    ballots: Ballots,
    *,
    seats: int = 1,
    max_choices: int | None = None,
    exactly: bool = False,
    tiebreak: Sequence[str] | None = None,
    seed: str | None = None,
) -> Result:
    """Count approval ballots.

    Rule: a ballot approving more than ``max_choices`` options (or, with ``exactly=True``, a
    non-blank ballot approving a number other than ``max_choices``) is spoiled; a ballot approving
    nothing is blank. Each option scores the number of counted ballots approving it; the ranking
    is by score, highest first; equal scores are ordered by the tie-break order
    (:func:`pnyx.tally.core.tiebreak_order`); the winners are the first ``seats`` options.

    Scores: ``{option: approvals}``.
    """
    check_kind(ballots, "approval", "approval")
    seats = check_seats(seats, ballots.options)
    if exactly and max_choices is None:
        raise TallyError("exactly=True needs max_choices")
    a = np.asarray(ballots.matrix)
    if a.dtype != np.bool_:
        if a.size and (a.min() < 0 or a.max() > 1):
            raise TallyError("approval cells must be 0 or 1")
    a = a.view(np.bool_) if a.dtype in (np.uint8, np.int8) else a.astype(bool, copy=False)
    chosen = np.count_nonzero(a, axis=1)
    blank = chosen == 0
    bad = np.zeros(ballots.rows, dtype=bool)
    reasons: dict[int, str] = {}
    if max_choices is not None:
        if exactly:
            bad = ~blank & (chosen != max_choices)
            why = f"must choose exactly {max_choices}"
        else:
            bad = chosen > max_choices
            why = f"chooses more than {max_choices}"
        for i in np.flatnonzero(bad):
            reasons[int(i)] = f"{why} (chose {int(chosen[i])})"
    spoiled = tuple(
        sorted(
            ballots.spoiled + tuple(ballots.describe_row(i, r) for i, r in reasons.items()),
            key=lambda s: s.index,
        )
    )
    drop = bad | blank
    if ballots.weights is None:
        counts = np.count_nonzero(a, axis=0).astype(np.int64)
        if reasons:
            counts -= np.count_nonzero(a[bad], axis=0)
    else:
        w = np.where(drop, 0, ballots.weight_array())
        counts = w @ a.astype(np.int64)
    names = ballots.options
    order = tiebreak_order(names, tiebreak, seed)
    prio = priority(names, order)
    ranking_idx, ties = order_with_ties([(int(c),) for c in counts], prio, names, "approvals")
    ranking = tuple(names[i] for i in ranking_idx)
    return Result(
        method="approval",
        options=names,
        seats=seats,
        winners=ranking[:seats],
        ranking=ranking,
        scores={names[j]: int(counts[j]) for j in ranking_idx},
        ballots=ballots.total(~drop),
        blank=ballots.total(blank),
        spoiled=spoiled,
        ties=ties,
        details={
            "max_choices": max_choices,
            "exactly": exactly,
            "tiebreak": order,
        },
    )
