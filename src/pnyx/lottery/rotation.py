"""Mandates renewed by thirds: which seats renew when, and who may not be drawn again until when.

Pure code. A college of n seats starts on `start`; a renewal comes every `period_months`.
Seat i (0-based) belongs to third i mod 3. At the first composition, seats of third g get a
first mandate ending at renewal g + 1 (one, two or three periods); at renewal r (1, 2, ...)
the seats of third (r − 1) mod 3 are drawn anew for three periods. So about a third of the
seats (⌊n/3⌋ or ⌈n/3⌉) renews at each renewal, and every mandate after the first lasts three
periods. Whoever leaves a seat on a date may not be drawn again before that date plus
`exclusion_months`.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

THIRDS = 3


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` plus whole months; the 31st becomes the month's last day when it has fewer."""
    m = day.month - 1 + months
    year, month = day.year + m // 12, m % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Term:
    seat: int
    renewal: int  # 0 for the first composition, r for the r-th renewal
    starts_on: dt.date
    ends_on: dt.date


def renewal_date(start: dt.date, period_months: int, r: int) -> dt.date:
    return add_months(start, r * period_months)


def third(seat: int) -> int:
    return seat % THIRDS


def renewing_seats(seats: int, r: int) -> list[int]:
    """The seats drawn anew at renewal r (r >= 1)."""
    if r < 1:
        raise ValueError("renewals are numbered from 1")
    return [i for i in range(seats) if third(i) == (r - 1) % THIRDS]


def first_term_end(seat: int, start: dt.date, period_months: int) -> dt.date:
    return renewal_date(start, period_months, third(seat) + 1)


def plan_terms(seats: int, start: dt.date, period_months: int, renewals: int) -> list[Term]:
    """Every term of every seat from the first composition through `renewals` renewals."""
    if seats < 0 or period_months < 1 or renewals < 0:
        raise ValueError("seats >= 0, period_months >= 1 and renewals >= 0")
    terms = [Term(i, 0, start, first_term_end(i, start, period_months)) for i in range(seats)]
    for r in range(1, renewals + 1):
        on = renewal_date(start, period_months, r)
        end = renewal_date(start, period_months, r + THIRDS)
        terms += [Term(i, r, on, end) for i in renewing_seats(seats, r)]
    return terms


def excluded_until(
    departures: Iterable[tuple[str, dt.date]], exclusion_months: int
) -> dict[str, dt.date]:
    """For each person who left a seat (person, left_on): the first day they may be drawn
    again (the latest when they left twice)."""
    out: dict[str, dt.date] = {}
    for person, left_on in departures:
        until = add_months(left_on, exclusion_months)
        if person not in out or until > out[person]:
            out[person] = until
    return out


def eligible(
    people: Iterable[str],
    on: dt.date,
    sitting: Iterable[str],
    exclusions: Mapping[str, dt.date],
) -> list[str]:
    """Who may be drawn on `on`: not sitting after that day, and not excluded until after it."""
    busy = set(sitting)
    return sorted(p for p in people if p not in busy and exclusions.get(p, on) <= on)
