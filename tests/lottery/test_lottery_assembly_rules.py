"""Pure rules of the representative assembly: composition, waves, rotation by thirds."""

from __future__ import annotations

import datetime as dt
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from pnyx.lottery import Pool, Quota
from pnyx.lottery.colleges import College, QuotaRule, check_composition, college_quotas
from pnyx.lottery.rotation import (
    add_months,
    eligible,
    excluded_until,
    plan_terms,
    renewal_date,
    renewing_seats,
)
from pnyx.lottery.waves import (
    MAX_FACTOR,
    WaveState,
    acceptance_rate,
    can_seat,
    next_wave_size,
    wave_quotas,
)

REGIONS = ["Bretagne", "Corse", "Occitanie", "Normandie"]


def members_pool(n: int, women_share: float = 0.5) -> Pool:
    rng = random.Random(n)
    records = [
        {
            "id": f"P{i:04d}",
            "gender": "F" if rng.random() < women_share else "M",
            "region": REGIONS[i % 4],
            "age": ["<25", "25-34", "35-44", "45-54"][i % 4],
        }
        for i in range(n)
    ]
    return Pool.from_records(records, ["gender", "region", "age"])


def leaders_pool(departments: int, per_department: int = 3) -> Pool:
    records = [
        {"id": f"L{d:02d}{j}", "gender": "FM"[(d + j) % 2], "department": f"{d:02d}"}
        for d in range(1, departments + 1)
        for j in range(per_department)
    ]
    return Pool.from_records(records, ["gender", "department"])


PARITY = QuotaRule("gender", "parity")


def test_160_drawn_plus_80_designated_is_a_valid_composition():
    colleges = [
        College(
            "Membres tirés au sort",
            160,
            rules=(
                PARITY,
                QuotaRule("region", "proportional", 0.1),
                QuotaRule("age", "proportional", 0.1),
            ),
        ),
        College("Instances internes", 80, drawn=False),
    ]
    assert check_composition(colleges, {"Membres tirés au sort": members_pool(600)}) == []
    quotas = college_quotas(colleges[0], members_pool(600))
    women = next(q for q in quotas if q.feature == "gender" and q.value == "F")
    assert women.min == women.max == 80


def test_one_leader_per_department_at_parity_is_valid():
    college = College("Animateurs", 12, rules=(PARITY, QuotaRule("department", "one_each")))
    assert check_composition([college], {"Animateurs": leaders_pool(12)}) == []
    quotas = college_quotas(college, leaders_pool(12))
    assert {(q.value, q.min, q.max) for q in quotas if q.feature == "department"} == {
        (f"{d:02d}", 1, 1) for d in range(1, 13)
    }


def test_too_few_eligible_names_the_college():
    problems = check_composition([College("Animateurs", 40)], {"Animateurs": leaders_pool(5)})
    assert [str(p) for p in problems] == ["college 'Animateurs': 15 eligible people for 40 seats"]


def test_unmeetable_parity_names_the_college_and_the_quota():
    pool = members_pool(100, women_share=0.1)  # about 10 women for 40 seats at parity
    problems = check_composition([College("Tirés", 40, rules=(PARITY,))], {"Tirés": pool})
    assert problems and all(p.college == "Tirés" for p in problems)
    assert problems[0].quota == "gender=F"
    assert "college 'Tirés', quota gender=F: at least 20 seats but only" in str(problems[0])


def test_quotas_each_possible_but_not_together_use_the_diagnosis():
    # Every woman is in Corse: parity wants 2 women, Corse in proportion wants at most 1.
    records = [{"id": f"W{i}", "gender": "F", "region": "Corse"} for i in range(2)] + [
        {"id": f"M{i}", "gender": "M", "region": "Bretagne"} for i in range(14)
    ]
    pool = Pool.from_records(records, ["gender", "region"])
    college = College("Petit", 4, rules=(PARITY, QuotaRule("region", "proportional")))
    problems = check_composition([college], {"Petit": pool})
    assert problems and problems[0].college == "Petit"
    assert "quotas cannot all be met" in problems[0].message
    assert problems[0].quota.split("=")[0] in ("gender", "region")


def test_one_each_needs_as_many_seats_as_values_and_duplicate_names():
    college = College("Animateurs", 10, rules=(QuotaRule("department", "one_each"),))
    problems = check_composition(
        [college, College("Animateurs", 3, drawn=False)], {"Animateurs": leaders_pool(12)}
    )
    messages = [str(p) for p in problems]
    assert "college 'Animateurs': two colleges have this name" in messages
    assert any("needs 12 seats, not 10" in m for m in messages)


# --- waves ---------------------------------------------------------------------------------


def test_wave_formula_examples():
    # Nothing observed yet: the prior (one in two) doubles the open seats.
    assert (
        next_wave_size(WaveState(open=10, pending=0, accepted=0, declined=0, available=500)) == 20
    )
    # 10 answers, 2 yes: rate (2 + 1) / 12 = 0.25; 8 open, 0 pending -> 32.
    assert next_wave_size(WaveState(8, 0, 2, 8, 500)) == 32
    # Pending answers expected to cover the open seats: no wave.
    assert next_wave_size(WaveState(2, 10, 5, 1, 500)) == 0
    # Bounded by the people left.
    assert next_wave_size(WaveState(8, 0, 2, 8, 7)) == 7


states = st.builds(
    WaveState,
    open=st.integers(0, 200),
    pending=st.integers(0, 400),
    accepted=st.integers(0, 400),
    declined=st.integers(0, 400),
    available=st.integers(0, 5000),
)


@settings(max_examples=300, deadline=None)
@given(states, st.floats(0.05, 1.0))
def test_wave_size_is_bounded(state, prior):
    size = next_wave_size(state, prior)
    assert 0 <= size <= state.available
    assert size <= MAX_FACTOR * state.open
    rate = acceptance_rate(state.accepted, state.declined, prior)
    need = state.open - rate * state.pending
    if need > 0 and state.available:
        assert size >= min(state.available, state.open * 0 + int(need))
    else:
        assert size == 0


@settings(max_examples=200, deadline=None)
@given(states, st.integers(1, 50))
def test_more_declines_never_shrink_the_next_wave(state, more):
    worse = WaveState(
        state.open, state.pending, state.accepted, state.declined + more, state.available
    )
    assert next_wave_size(worse) >= next_wave_size(state)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from("FMX"), st.sampled_from(REGIONS)), min_size=1, max_size=60),
    st.integers(1, 20),
)
def test_seating_in_answer_order_never_breaks_a_quota(people, seats):
    quotas = [
        Quota("gender", "F", seats // 2, (seats + 1) // 2),
        Quota("gender", "M", seats // 2, (seats + 1) // 2),
        Quota("gender", "X", 0, 1),
    ]
    held: dict[tuple[str, str], int] = {}
    open_seats = seats
    for g, _region in people:
        if can_seat(quotas, held, open_seats, {"gender": g}):
            held[("gender", g)] = held.get(("gender", g), 0) + 1
            open_seats -= 1
    for q in quotas:
        assert held.get((q.feature, q.value), 0) <= q.max
    # Whatever was seated, the mins not yet met fit in the seats left.
    assert sum(max(0, q.min - held.get((q.feature, q.value), 0)) for q in quotas) <= open_seats


def test_wave_quotas_scale_what_is_still_needed():
    quotas = [Quota("gender", "F", 5, 5), Quota("gender", "M", 5, 5)]
    out = wave_quotas(quotas, {("gender", "F"): 4, ("gender", "M"): 2}, open_seats=4, size=8)
    assert out == [Quota("gender", "F", 2, 2), Quota("gender", "M", 6, 6)]


# --- rotation ------------------------------------------------------------------------------


def test_add_months_clamps_the_day():
    assert add_months(dt.date(2027, 1, 31), 1) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2027, 11, 15), 14) == dt.date(2029, 1, 15)


@settings(max_examples=60, deadline=None)
@given(st.integers(3, 40), st.integers(1, 24), st.integers(3, 7))
def test_a_third_renews_at_each_renewal_and_seats_are_always_held(seats, period, renewals):
    start = dt.date(2027, 1, 16)
    terms = plan_terms(seats, start, period, renewals)
    for r in range(1, renewals + 1):
        renewing = renewing_seats(seats, r)
        assert seats // 3 <= len(renewing) <= -(-seats // 3)
        on = renewal_date(start, period, r)
        assert sorted(t.seat for t in terms if t.ends_on == on) == renewing
        assert sorted(t.seat for t in terms if t.starts_on == on) == renewing
    for seat in range(seats):
        mine = sorted((t for t in terms if t.seat == seat), key=lambda t: t.starts_on)
        assert mine[0].starts_on == start
        for a, b in zip(mine, mine[1:], strict=False):
            assert a.ends_on == b.starts_on  # no gap, no overlap
        for t in mine[1:]:
            assert t.ends_on == add_months(t.starts_on, 3 * period) or t.ends_on == renewal_date(
                start, period, t.renewal + 3
            )


@settings(max_examples=40, deadline=None)
@given(st.integers(3, 15), st.integers(0, 10), st.integers(1, 10**6))
def test_three_renewals_never_draw_anyone_inside_their_exclusion(seats, extra, seed):
    """Simulate a college over three renewals; nobody is drawn twice inside the exclusion."""
    rng = random.Random(seed)
    period, exclusion = 12, 24
    people = [f"P{i}" for i in range(3 * seats + extra + seats)]
    start = dt.date(2027, 1, 16)
    holder = dict(zip(range(seats), rng.sample(people, seats), strict=True))
    history = [(holder[s], start, None) for s in range(seats)]  # person, from, to
    departures: list[tuple[str, dt.date]] = []
    for r in range(1, 4):
        on = renewal_date(start, period, r)
        leaving = renewing_seats(seats, r)
        departures += [(holder[s], on) for s in leaving]
        exclusions = excluded_until(departures, exclusion)
        sitting = [holder[s] for s in range(seats) if s not in leaving]
        pool = eligible(people, on, sitting, exclusions)
        assert len(pool) >= len(leaving)
        for s, person in zip(leaving, rng.sample(pool, len(leaving)), strict=True):
            holder[s] = person
            history.append((person, on, None))
    # Any two mandates of one person: the later starts at least `exclusion` after the earlier ended.
    ends = {}
    for person, on in departures:
        ends.setdefault(person, []).append(on)
    for person, began, _ in history:
        for left in ends.get(person, []):
            assert not (left < began < add_months(left, exclusion))
