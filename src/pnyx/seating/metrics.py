"""Figures of a plan: what `pnyx seat --json` and `pnyx topics --json` print."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from itertools import combinations

from .model import Person, Rules, Seat, TopicPlan
from .plan import attribute_values


@dataclass
class PlanStats:
    tables: int  # physical tables (distinct table numbers)
    table_steps: int  # (step, table) pairs in use
    repeated_pairs: int  # distinct pairs sharing a table at two or more steps
    same_group_pairs: int  # distinct pairs of one `apart` group sharing a table at some step
    gender_band_violations: int  # (step, table) with a band category outside floor/ceil
    worst_region_concentration: float  # largest share of one region at one table
    region_over_ceiling: int  # (step, table, region) above ceil(size * share of the part)
    people_moved: int | None
    seconds: float

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class SeatGroups:
    """A plan's seats grouped: who sits at each (step, table), its part, who is in each part."""

    tables: dict[tuple[int, int], list[str]]
    part_of: dict[tuple[int, int], int]
    part_members: dict[tuple[int, int], list[str]]


def group_seats(seats: Sequence[Seat]) -> SeatGroups:
    tables: dict[tuple[int, int], list[str]] = defaultdict(list)
    part_of: dict[tuple[int, int], int] = {}
    part_members: dict[tuple[int, int], list[str]] = defaultdict(list)
    for s in seats:
        tables[(s.step, s.table)].append(s.id)
        part_of[(s.step, s.table)] = s.part
        part_members[(s.step, s.part)].append(s.id)
    return SeatGroups(tables, part_of, part_members)


def plan_stats(
    seats: Sequence[Seat],
    people: Sequence[Person],
    rules: Rules | None = None,
    moved: int | None = None,
    seconds: float = 0.0,
    region: str = "region",
) -> PlanStats:
    rules = rules or Rules()
    ids = [p.id for p in people]
    band_name = rules.band
    band = dict(zip(ids, attribute_values(people, band_name), strict=True)) if band_name else {}
    reg = dict(zip(ids, attribute_values(people, region), strict=True))
    groups = [dict(zip(ids, attribute_values(people, a), strict=True)) for a in rules.apart]
    grouped = group_seats(seats)
    tables, part_of, part_members = grouped.tables, grouped.part_of, grouped.part_members
    together: Counter[tuple[str, str]] = Counter()
    same_group: set[tuple[str, str]] = set()
    band_bad = 0
    worst = 0.0
    over = 0
    shares: dict[tuple[int, int], tuple[Counter[str], Counter[str], int]] = {}
    for key, members in part_members.items():
        shares[key] = (
            Counter(band[m] for m in members) if band else Counter(),
            Counter(reg[m] for m in members),
            len(members),
        )
    for (step, _table), members in tables.items():
        members = sorted(members)
        for a, b in combinations(members, 2):
            together[(a, b)] += 1
            for g in groups:
                if g[a] and g[a] == g[b]:
                    same_group.add((a, b))
        bshare, rshare, n = shares[(step, part_of[(step, _table)])]
        size = len(members)
        if band:
            c = Counter(band[m] for m in members)
            for cat, cnt in bshare.items():
                f = size * cnt / n
                if not math.floor(f + 1e-9) <= c.get(cat, 0) <= math.ceil(f - 1e-9):
                    band_bad += 1
                    break
        rc = Counter(reg[m] for m in members)
        worst = max(worst, max(rc.values()) / size)
        for cat, cnt in rc.items():
            if cnt > math.ceil(size * rshare[cat] / n - 1e-9):
                over += 1
    return PlanStats(
        tables=len({t for _, t in tables}),
        table_steps=len(tables),
        repeated_pairs=sum(1 for v in together.values() if v > 1),
        same_group_pairs=len(same_group),
        gender_band_violations=band_bad,
        worst_region_concentration=round(worst, 4),
        region_over_ceiling=over,
        people_moved=moved,
        seconds=round(seconds, 4),
    )


@dataclass
class TopicStats:
    first_choice_share: float
    second_choice_share: float  # share given their second choice
    first_or_second_share: float
    worst_rank: int | None
    people_per_topic: dict[str, int]
    tables_per_topic: dict[str, int]
    seconds: float

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def topic_stats(plan: TopicPlan, preferences: Mapping[str, Sequence[str]]) -> TopicStats:
    n = max(len(plan.seats), 1)
    ranks = [s.rank for s in plan.seats if preferences.get(s.id)]
    first = sum(1 for r in ranks if r == 1)
    second = sum(1 for r in ranks if r == 2)
    worst = None
    if ranks:
        worst = max((r if r is not None else len(plan.topics)) for r in ranks)
    return TopicStats(
        first_choice_share=round(first / n, 4),
        second_choice_share=round(second / n, 4),
        first_or_second_share=round((first + second) / n, 4),
        worst_rank=worst,
        people_per_topic=dict(plan.sizes),
        tables_per_topic=dict(plan.tables),
        seconds=round(plan.seconds, 4),
    )
