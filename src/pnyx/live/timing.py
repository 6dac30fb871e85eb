"""The run-of-show's arithmetic: how late the day runs, and when the next items will start.

Pure (no Django): plain numbers in, plain numbers out. Times are seconds on one clock (e.g.
POSIX timestamps), durations are seconds. See docs/live.md, "The run-of-show".

The rules, as a stage manager applies them (and Ontime does):

- an item that was started starts when it was started; one that ended ends when it ended;
- the running item ends at its planned length after its start, or now if it runs over;
- an item not yet started starts when the previous one ends, but never before its planned time
  (the hall was told a time: an early finish does not pull later items earlier; time gained
  is gained back only down to the planned time) and never in the past;
- the day's offset is the signed gap between the projected end of the running item (or, when
  none runs, the actual end of the last item that ran) and its planned end: positive late,
  negative early;
- the delay an item caused is the change of that gap over the item, from the previous item's
  end to its own: its overrun, its late (or early) start, minus what a pause planned before it
  absorbed. So the delays caused by the items that ran sum to the offset.

Items before the first one that was started are taken as run to plan (the console may be
picked up in the middle of a day).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Planned:
    start: int
    duration: int

    @property
    def end(self) -> int:
        return self.start + self.duration


@dataclass(frozen=True)
class Actual:
    started: int | None = None
    ended: int | None = None


@dataclass(frozen=True)
class Projection:
    starts: list[int]  # projected (or actual) start of every item
    ends: list[int]  # projected (or actual) end of every item
    offset: int  # the day's running delay, seconds (negative: early)
    caused: list[int]  # delay caused by each item (0 for items that did not run)
    current: int | None  # index of the running item
    shifts: list[int]  # start - planned start of every item (>= 0 for items not yet started)


def project(planned: Sequence[Planned], actual: Sequence[Actual], now: int) -> Projection:
    """The day seen at `now`: `planned` and `actual` have one entry per item, in running order.

    At most one item runs (started, not ended); items run in order.
    """
    if len(planned) != len(actual):
        raise ValueError(f"{len(planned)} planned items but {len(actual)} actual entries")
    for p in planned:
        if p.duration < 0:
            raise ValueError(f"a planned duration is negative: {p.duration}")
    n = len(planned)
    ran = [i for i, a in enumerate(actual) if a.started is not None]
    first = ran[0] if ran else n
    last = ran[-1] if ran else -1
    starts: list[int] = []
    ends: list[int] = []
    caused = [0] * n
    current = None
    gap_before = 0  # the running gap (actual end - planned end) after the previous item that ran
    offset = 0
    for i, (p, a) in enumerate(zip(planned, actual, strict=True)):
        if i < first:
            starts.append(p.start)
            ends.append(p.end)
            continue
        if a.started is not None:
            start = a.started
            if a.ended is not None:
                end = a.ended
            else:
                if current is not None:
                    raise ValueError(f"items {current} and {i} both run")
                current = i
                end = max(start + p.duration, now)
            gap = end - p.end
            caused[i] = gap - gap_before
            gap_before = offset = gap
        else:
            floor = ends[-1] if starts else p.start
            if i > last and current is None and i == last + 1:
                floor = max(floor, now)  # the next item, not started yet, cannot start in the past
            start = max(p.start, floor)
            end = start + p.duration
        starts.append(start)
        ends.append(end)
    shifts = [s - p.start for s, p in zip(starts, planned, strict=True)]
    return Projection(starts, ends, offset, caused, current, shifts)
