"""Sorting options by a score with the documented final tie-break."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


def order_with_ties(
    keys: Sequence[tuple[Any, ...]], prio: np.ndarray, names: Sequence[str], what: str
) -> tuple[list[int], tuple[str, ...]]:
    """Option indices sorted by ``keys`` (tuples, larger is better), equal keys by tie-break
    priority; and a note for every group of equal keys that the tie-break had to order."""
    idx = sorted(range(len(keys)), key=lambda i: (tuple(-x for x in keys[i]), int(prio[i])))
    notes: list[str] = []
    start = 0
    while start < len(idx):
        end = start + 1
        while end < len(idx) and keys[idx[end]] == keys[idx[start]]:
            end += 1
        if end - start > 1:
            group = [names[i] for i in idx[start:end]]
            notes.append(
                f"{', '.join(group)} tied on {what}; placed in this order by the tie-break order"
            )
        start = end
    return idx, tuple(notes)
