"""The run-of-show's arithmetic (pure): offsets, shifted starts, the delay each item caused."""

from hypothesis import given, settings
from hypothesis import strategies as st

from pnyx.live.timing import Actual, Planned, project

MIN = 60


def day(*spans):
    """Planned items back to back from t=0: spans in minutes."""
    t, items = 0, []
    for m in spans:
        items.append(Planned(t, m * MIN))
        t += m * MIN
    return items


def test_nothing_started_is_the_plan():
    planned = day(30, 45, 15)
    p = project(planned, [Actual()] * 3, now=10 * MIN)
    assert p.starts == [0, 30 * MIN, 75 * MIN] and p.offset == 0 and p.current is None
    assert p.shifts == [0, 0, 0] and p.caused == [0, 0, 0]


def test_an_overrun_shifts_every_later_item():
    planned = day(30, 45, 15)
    # The first item started on time and is still running 40 minutes later: 10 minutes over.
    p = project(planned, [Actual(0), Actual(), Actual()], now=40 * MIN)
    assert p.current == 0 and p.offset == 10 * MIN
    assert p.starts[1:] == [40 * MIN, 85 * MIN] and p.shifts == [0, 10 * MIN, 10 * MIN]
    assert p.caused == [10 * MIN, 0, 0]


def test_a_planned_pause_absorbs_delay_and_an_early_finish_pulls_nothing_earlier():
    planned = [Planned(0, 30 * MIN), Planned(40 * MIN, 20 * MIN), Planned(60 * MIN, 10 * MIN)]
    late = project(planned, [Actual(0, 45 * MIN), Actual(), Actual()], now=45 * MIN)
    assert late.shifts == [0, 5 * MIN, 5 * MIN] and late.offset == 15 * MIN
    early = project(planned, [Actual(0, 20 * MIN), Actual(), Actual()], now=20 * MIN)
    assert early.offset == -10 * MIN and early.shifts == [0, 0, 0]


def test_the_delay_is_traced_to_the_items_that_caused_it():
    planned = day(30, 45, 15, 20)  # ends planned at 30, 75, 90, 110
    actual = [Actual(0, 35 * MIN), Actual(35 * MIN, 78 * MIN), Actual(80 * MIN), Actual()]
    p = project(planned, actual, now=85 * MIN)
    # 5 min over; then 2 min gained back (43 min of 45); then started 2 min after the previous
    # end, running to its planned length: 2 more.
    assert p.caused[:3] == [5 * MIN, -2 * MIN, 2 * MIN]
    assert sum(p.caused) == p.offset == 5 * MIN
    assert p.starts[3] == 95 * MIN and p.current == 2


def test_the_next_item_not_started_yet_cannot_start_in_the_past():
    planned = day(30, 45)
    p = project(planned, [Actual(0, 30 * MIN), Actual()], now=33 * MIN)
    assert p.starts[1] == 33 * MIN and p.shifts[1] == 3 * MIN


# --- properties --------------------------------------------------------------------------


@st.composite
def days(draw):
    """A planned day (with pauses), a number of items run so far, actual times, and now."""
    n = draw(st.integers(1, 8))
    t, planned = 0, []
    for _ in range(n):
        t += draw(st.integers(0, 20)) * MIN
        d = draw(st.integers(1, 60)) * MIN
        planned.append(Planned(t, d))
        t += d
    ran = draw(st.integers(0, n))
    running = ran > 0 and draw(st.booleans())
    actual, clock = [], 0
    for i in range(n):
        if i < ran:
            start = max(clock, planned[i].start + draw(st.integers(-10, 15)) * MIN)
            end = None
            if not (running and i == ran - 1):
                end = start + max(0, planned[i].duration + draw(st.integers(-20, 20)) * MIN)
                clock = end
            else:
                clock = start
            actual.append(Actual(start, end))
        else:
            actual.append(Actual())
    now = clock + draw(st.integers(0, 90)) * MIN
    return planned, actual, now


@settings(max_examples=200, deadline=None)
@given(days())
def test_the_delays_caused_sum_to_the_offset(case):
    planned, actual, now = case
    p = project(planned, actual, now)
    assert sum(p.caused) == p.offset


@settings(max_examples=200, deadline=None)
@given(days())
def test_items_not_started_never_start_before_their_time_and_shifts_only_shrink(case):
    planned, actual, now = case
    p = project(planned, actual, now)
    waiting = [i for i, a in enumerate(actual) if a.started is None and i > (p.current or -1)]
    for i in waiting:
        assert p.shifts[i] >= 0
    # Along the rest of the day, a shift never grows: pauses absorb delay, nothing adds to it.
    later = [i for i in waiting if all(actual[j].started is None for j in range(i, len(actual)))]
    for a, b in zip(later, later[1:], strict=False):
        assert p.shifts[b] <= p.shifts[a]
    # And the running order holds: every item starts once the previous one ended.
    for i in range(1, len(planned)):
        if actual[i].started is None:
            assert p.starts[i] >= p.ends[i - 1]


@settings(max_examples=200, deadline=None)
@given(days(), st.integers(1, 60))
def test_waiting_longer_never_brings_an_item_earlier(case, minutes):
    planned, actual, now = case
    before, after = project(planned, actual, now), project(planned, actual, now + minutes * MIN)
    assert all(b >= a for a, b in zip(before.starts, after.starts, strict=True))
    assert after.offset >= before.offset


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(1, 60), min_size=1, max_size=8), st.data())
def test_no_overrun_no_shift(spans, data):
    planned = day(*spans)
    ran = data.draw(st.integers(0, len(planned)))
    actual, clock = [], 0
    for i, p in enumerate(planned):
        if i < ran:
            # on time or later than planned by nothing; finishing on time or early
            end = p.start + data.draw(st.integers(0, p.duration))
            actual.append(Actual(p.start, end))
            clock = end
        else:
            actual.append(Actual())
    now = data.draw(st.integers(clock, planned[ran].start if ran < len(planned) else clock))
    p = project(planned, actual, now)
    assert all(s == 0 for s in p.shifts) and p.offset <= 0
