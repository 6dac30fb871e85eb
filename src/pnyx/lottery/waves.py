"""Invitations in waves: how many to invite next, with which quotas, and who may take a seat.

Pure code. A drawn college invites a first wave; when acceptances run short, the next wave is
sized from the acceptance rate observed so far. The formula (docs/assembly.md):

    rate  = clamp((accepted + w * prior) / (accepted + declined + w), MIN_RATE, 1)
    need  = open - rate * pending
    size  = 0                                            if need <= 0
          = min(available, MAX_FACTOR * open, ceil(need / rate))   otherwise

`open` is the number of seats no acceptance fills yet, `pending` the invitations still
unanswered, `available` the eligible people not yet invited; `prior` is the rate assumed before
any answer (weight `w` = PRIOR_WEIGHT answers), `declined` counts declines and expiries. The
size never exceeds `available` nor MAX_FACTOR times the open seats, and is at least
min(available, ceil(need)) when seats are open.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .model import Quota

PRIOR = 0.5
PRIOR_WEIGHT = 2
MIN_RATE = 0.05
MAX_FACTOR = 10


@dataclass(frozen=True)
class WaveState:
    open: int  # seats not yet filled by an acceptance
    pending: int  # invited, no answer yet
    accepted: int
    declined: int  # declined or expired
    available: int  # eligible, never invited

    def __post_init__(self) -> None:
        for name in ("open", "pending", "accepted", "declined", "available"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} cannot be negative")


def acceptance_rate(accepted: int, declined: int, prior: float = PRIOR) -> float:
    """The observed acceptance rate, smoothed towards `prior` and kept in [MIN_RATE, 1]."""
    if not 0 < prior <= 1:
        raise ValueError("the prior acceptance rate must be in (0, 1]")
    rate = (accepted + PRIOR_WEIGHT * prior) / (accepted + declined + PRIOR_WEIGHT)
    return min(1.0, max(MIN_RATE, rate))


def next_wave_size(state: WaveState, prior: float = PRIOR) -> int:
    """How many to invite in the next wave (0: the pending answers should fill the seats)."""
    if state.open == 0 or state.available == 0:
        return 0
    rate = acceptance_rate(state.accepted, state.declined, prior)
    need = state.open - rate * state.pending
    if need <= 0:
        return 0
    # The epsilon keeps 4.0000000001 from becoming 5 through float error.
    wanted = math.ceil(need / rate - 1e-9)
    return max(1, min(state.available, MAX_FACTOR * state.open, wanted))


def wave_quotas(
    quotas: Sequence[Quota], held: Mapping[tuple[str, str], int], open_seats: int, size: int
) -> list[Quota]:
    """The quotas of a wave of `size` invitations for `open_seats` seats, given the seats
    already `held` per (feature, value): what the college still needs, scaled to the wave,
    min ⌊(min − held)·size/open⌋ and max ⌈(max − held)·size/open⌉ (within 0 … size)."""
    out = []
    for q in quotas:
        h = held.get((q.feature, q.value), 0)
        lo, hi = max(0, q.min - h), max(0, q.max - h)
        if open_seats <= 0:
            out.append(Quota(q.feature, q.value, 0, 0))
            continue
        wlo = min(size, math.floor(lo * size / open_seats))
        whi = min(size, math.ceil(hi * size / open_seats))
        out.append(Quota(q.feature, q.value, wlo, max(wlo, whi)))
    return out


def can_seat(
    quotas: Sequence[Quota],
    held: Mapping[tuple[str, str], int],
    open_seats: int,
    person: Mapping[str, str],
) -> bool:
    """Whether someone with these feature values may take one of the `open_seats`: no quota's
    max is exceeded and every min can still be reached with the seats left afterwards."""
    if open_seats <= 0:
        return False
    after = dict(held)
    for f, v in person.items():
        after[(f, v)] = after.get((f, v), 0) + 1
    left = open_seats - 1
    need: dict[str, int] = {}
    for q in quotas:
        n = after.get((q.feature, q.value), 0)
        if n > q.max:
            return False
        need[q.feature] = need.get(q.feature, 0) + max(0, q.min - n)
    return all(v <= left for v in need.values())
