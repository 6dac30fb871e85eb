"""Hall plans: split people into parts, seat every part at every step, re-plan after no-shows."""

from __future__ import annotations

import time
from collections.abc import Collection, Sequence

import numpy as np

from .errors import SeatingError
from .hall import check_table_range, part_sizes, rotation, table_sizes
from .model import W_APART, W_REPEAT, W_REPEAT_REPLAN, Hall, Person, Plan, Rules, Seat
from .tables import conflict_matrix, encode, seat

#: Upper bounds (exclusive) of the age bands used when an "age" column holds whole numbers.
AGE_BANDS: tuple[int, ...] = (25, 35, 50, 65)


def attribute_values(people: Sequence[Person], name: str) -> list[str]:
    """Values of one attribute; numeric ages are cut into `AGE_BANDS` ("<25", "25-34"...)."""
    values = [p.get(name).strip() for p in people]
    if name == "age" and values and all(v.isdigit() for v in values if v):
        out = []
        for v in values:
            if not v:
                out.append("")
                continue
            a = int(v)
            lo = 0
            label = f"{AGE_BANDS[-1]}+"
            for hi in AGE_BANDS:
                if a < hi:
                    label = f"<{hi}" if lo == 0 else f"{lo}-{hi - 1}"
                    break
                lo = hi
            out.append(label)
        return out
    return values


class _Codes:
    """Integer codes of the attributes the rules use, for all people."""

    def __init__(self, people: Sequence[Person], rules: Rules) -> None:
        n = len(people)
        band = rules.band
        self.band = encode(attribute_values(people, band)) if band else np.zeros(n, dtype=np.int64)
        self.soft = [encode(attribute_values(people, a)) for a in rules.balance if a != band]
        self.apart = [encode(attribute_values(people, a), empty_is_none=True) for a in rules.apart]

    def subset(self, idx: np.ndarray) -> tuple[np.ndarray, list[np.ndarray], list[np.ndarray]]:
        return self.band[idx], [c[idx] for c in self.soft], [c[idx] for c in self.apart]


def _check_ids(people: Sequence[Person]) -> None:
    seen: set[str] = set()
    for p in people:
        if not p.id:
            raise SeatingError("a participant has an empty id")
        if p.id in seen:
            raise SeatingError(f"participant id {p.id!r} appears twice")
        seen.add(p.id)


def split_parts(
    people: Sequence[Person], parts: int, rules: Rules, rng: np.random.Generator
) -> np.ndarray:
    """Part (0-based) of each person: sizes differ by at most one, and each band category
    differs by at most one person between parts (people sorted by band, soft attributes and
    group, then dealt in turn; ties broken by the seed)."""
    codes = _Codes(people, rules)
    n = len(people)
    keys = [rng.random(n), *codes.apart[::-1], *codes.soft[::-1], codes.band]
    order = np.lexsort(keys)
    part = np.empty(n, dtype=np.int64)
    part[order] = np.arange(n) % parts
    return part


def _pairs_met(table: np.ndarray, k: int) -> np.ndarray:
    onehot = np.zeros((len(table), k))
    onehot[np.arange(len(table)), table] = 1.0
    met = onehot @ onehot.T
    np.fill_diagonal(met, 0.0)
    return met


def _seat_part(
    sizes: Sequence[Sequence[int]],
    idx: np.ndarray,
    codes: _Codes,
    steps: int,
    remix: bool,
    rng: np.random.Generator,
    homes: list[np.ndarray] | None = None,
    repeat_weight: float = W_REPEAT,
) -> list[np.ndarray]:
    """Tables (0..k-1) of the part's people at each step (sizes[s]: table sizes at step s)."""
    band, soft, apart = codes.subset(idx)
    base = conflict_matrix(apart, len(idx), W_APART)
    met = np.zeros_like(base)
    out: list[np.ndarray] = []
    for s in range(steps):
        if s > 0 and not remix:
            out.append(out[0])
            continue
        home = homes[s] if homes is not None else None
        layout = seat(sizes[s], band, soft, base + repeat_weight * met, rng, home=home)
        out.append(layout.table)
        if remix and s + 1 < steps:
            met += _pairs_met(layout.table, len(sizes[s]))
    return out


def plan_hall(
    people: Sequence[Person], hall: Hall, rules: Rules | None = None, seed: int = 0
) -> Plan:
    """Plan the hall: parts, rotating campaigns and diverse tables at every step.

    Deterministic for a given seed. Raises SeatingError (with the reason) when the hall shape,
    the table range or the number of people cannot be met.
    """
    t0 = time.perf_counter()
    rules = rules or Rules()
    _check_ids(people)
    check_table_range(hall.table_min, hall.table_max)
    rot = rotation(hall.parts, hall.campaigns, hall.steps)
    psizes = part_sizes(len(people), hall.parts, hall.table_min, hall.table_max)
    rng = np.random.default_rng(seed)
    part = split_parts(people, hall.parts, rules, rng)
    codes = _Codes(people, rules)
    seats: list[Seat] = []
    offset = 0
    per_part: list[tuple[np.ndarray, list[np.ndarray], int]] = []
    for p in range(hall.parts):
        idx = np.flatnonzero(part == p)
        assert len(idx) == psizes[p]
        sizes = table_sizes(len(idx), hall.table_min, hall.table_max)
        tables = _seat_part([sizes] * hall.steps, idx, codes, hall.steps, rules.remix, rng)
        per_part.append((idx, tables, offset))
        offset += len(sizes)
    seats = _seats(people, per_part, rot, hall.steps)
    return Plan(hall, seats, rot, None, time.perf_counter() - t0)


def _seats(
    people: Sequence[Person],
    per_part: list[tuple[np.ndarray, list[np.ndarray], int]],
    rot: list[list[str]],
    steps: int,
) -> list[Seat]:
    seats = []
    for s in range(steps):
        for p, (idx, tables, offset) in enumerate(per_part):
            order = np.lexsort((idx, tables[s]))
            for i in order:
                seats.append(
                    Seat(people[idx[i]].id, s + 1, p + 1, offset + int(tables[s][i]) + 1, rot[p][s])
                )
    return seats


def _target_sizes(counts: list[int], n: int, table_min: int, table_max: int) -> list[int]:
    """Table sizes summing to n, each within range, moving as few people as possible."""
    t = [min(max(c, table_min), table_max) for c in counts]
    while sum(t) > n:
        j = max((j for j in range(len(t)) if t[j] > table_min), key=lambda j: (t[j], -j))
        t[j] -= 1
    while sum(t) < n:
        j = min((j for j in range(len(t)) if t[j] < table_max), key=lambda j: (t[j], j))
        t[j] += 1
    return t


def replan(
    previous: Sequence[Seat],
    people: Sequence[Person],
    absent: Collection[str],
    table_min: int,
    table_max: int,
    rules: Rules | None = None,
    seed: int = 0,
) -> Plan:
    """Re-plan after no-shows: drop `absent` people from `previous` and repair the plan.

    People keep their part, and as many as possible keep their table: a part whose remaining
    people no longer fill its tables closes its emptiest tables; under-filled tables are topped
    up from the fullest; band quotas are re-computed on the new shares, choosing the rounding
    that keeps most people in place; the local search then trades a moved person (``W_MOVE``)
    against the other rules: a move costs more than a repeated pair
    (``W_REPEAT_REPLAN``), less than two members of a group at one table. Rotation and table numbers are those of the previous plan.
    """
    t0 = time.perf_counter()
    rules = rules or Rules()
    _check_ids(people)
    check_table_range(table_min, table_max)
    by_id = {p.id: i for i, p in enumerate(people)}
    absent = set(absent)
    steps = max(s.step for s in previous)
    parts = max(s.part for s in previous)
    rot = [["" for _ in range(steps)] for _ in range(parts)]
    person_part: dict[str, int] = {}
    prev_table: dict[tuple[str, int], int] = {}
    for s in previous:
        if s.id not in by_id:
            raise SeatingError(
                f"person {s.id!r} of the previous plan is not among the participants"
            )
        if person_part.setdefault(s.id, s.part) != s.part:
            raise SeatingError(f"person {s.id!r} is in two parts in the previous plan")
        if rot[s.part - 1][s.step - 1] not in ("", s.campaign):
            raise SeatingError(f"part {s.part} has two campaigns at step {s.step}")
        rot[s.part - 1][s.step - 1] = s.campaign
        prev_table[(s.id, s.step)] = s.table
    unknown = sorted(absent - set(person_part))
    if unknown:
        raise SeatingError(f"absent people not in the previous plan: {', '.join(unknown[:5])}")
    missing = [p.id for p in people if p.id not in person_part and p.id not in absent]
    if missing:
        raise SeatingError(
            f"participants not in the previous plan: {', '.join(missing[:5])}"
            + (" ..." if len(missing) > 5 else "")
        )
    present = [p for p in people if p.id in person_part and p.id not in absent]
    codes = _Codes(present, rules)
    rng = np.random.default_rng(seed)
    hall = Hall(
        parts, tuple(dict.fromkeys(c for row in rot for c in row)), steps, table_min, table_max
    )
    per_part = []
    moved: set[str] = set()
    for p in range(parts):
        idx = np.array(
            [i for i, q in enumerate(present) if person_part[q.id] == p + 1], dtype=np.int64
        )
        numbers = sorted({s.table for s in previous if s.part == p + 1})
        n = len(idx)
        plan_steps = steps if rules.remix else 1
        # tables kept: the fullest at step 1 (ties: lower number), the same at every step
        first = [prev_table[(present[i].id, 1)] for i in idx]
        k = len(numbers)
        if n < k * table_min:
            k = n // table_min
            if k == 0 or k * table_max < n:
                raise SeatingError(
                    f"part {p + 1} keeps {n} people, who cannot sit at tables of "
                    f"{table_min} to {table_max}"
                )
        kept = sorted(sorted(numbers, key=lambda t: (-first.count(t), t))[:k])
        pos = {t: j for j, t in enumerate(kept)}
        homes: list[np.ndarray] = []
        sizes: list[list[int]] = []
        for s in range(plan_steps):
            tabs = [prev_table[(present[i].id, s + 1)] for i in idx]
            sizes.append(_target_sizes([tabs.count(t) for t in kept], n, table_min, table_max))
            homes.append(np.array([pos.get(t, -1) for t in tabs], dtype=np.int64))
        if not rules.remix:
            sizes, homes = sizes * steps, homes * steps
        tables = _seat_part(
            sizes, idx, codes, steps, rules.remix, rng, homes=homes, repeat_weight=W_REPEAT_REPLAN
        )
        for s in range(steps):
            for i, j in zip(idx, tables[s], strict=True):
                if kept[int(j)] != prev_table[(present[i].id, s + 1)]:
                    moved.add(present[i].id)
        per_part.append((idx, tables, kept))
    seats = []
    for s in range(steps):
        for p, (idx, tables, kept) in enumerate(per_part):
            order = np.lexsort((idx, tables[s]))
            for i in order:
                seats.append(
                    Seat(present[idx[i]].id, s + 1, p + 1, kept[int(tables[s][i])], rot[p][s])
                )
    return Plan(hall, seats, rot, len(moved), time.perf_counter() - t0)
