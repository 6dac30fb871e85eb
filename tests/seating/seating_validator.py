"""Independent checker of hall and topic plans.

Written from the rules in issue 5 and docs/seating.md, without importing anything from
pnyx.seating: it reads plain rows (dicts of strings, as in the CSV files) and people (id ->
attribute dict) and returns the list of broken hard rules (empty when the plan is valid).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from fractions import Fraction
from itertools import combinations


def _band_ok(count: int, table_size: int, cat_count: int, group_size: int) -> bool:
    exact = Fraction(table_size * cat_count, group_size)
    return math.floor(exact) <= count <= math.ceil(exact)


def check_hall_plan(
    rows: list[dict[str, str]],
    people: dict[str, dict[str, str]],
    parts: int,
    campaigns: list[str],
    steps: int,
    table_min: int,
    table_max: int,
    remix: bool,
    band: str | None = "gender",
    balanced_parts: bool = True,
) -> list[str]:
    errors: list[str] = []
    seat: dict[tuple[str, int], tuple[int, int]] = {}
    campaign_of: dict[tuple[int, int], set[str]] = defaultdict(set)
    table_part: dict[int, set[int]] = defaultdict(set)
    for r in rows:
        pid, step, part, table = r["id"], int(r["step"]), int(r["part"]), int(r["table"])
        if pid not in people:
            errors.append(f"unknown person {pid}")
        if not 1 <= step <= steps:
            errors.append(f"bad step {step}")
        if not 1 <= part <= parts:
            errors.append(f"bad part {part}")
        if (pid, step) in seat:
            errors.append(f"{pid} seated twice at step {step}")
        seat[(pid, step)] = (part, table)
        campaign_of[(part, step)].add(r["campaign"])
        table_part[table].add(part)
    for pid in people:
        for s in range(1, steps + 1):
            if (pid, s) not in seat:
                errors.append(f"{pid} not seated at step {s}")
    if errors:
        return errors
    # parts: constant per person, balanced sizes
    part_of: dict[str, int] = {}
    for pid in people:
        ps = {seat[(pid, s)][0] for s in range(1, steps + 1)}
        if len(ps) != 1:
            errors.append(f"{pid} changes part")
        part_of[pid] = min(ps)
    sizes = Counter(part_of.values())
    if len(sizes) != parts or (balanced_parts and max(sizes.values()) - min(sizes.values()) > 1):
        errors.append(f"unbalanced parts {dict(sizes)}")
    # tables unique across the hall
    for t, ps in table_part.items():
        if len(ps) > 1:
            errors.append(f"table {t} used by parts {sorted(ps)}")
    # rotation
    for p in range(1, parts + 1):
        seen = []
        for s in range(1, steps + 1):
            cs = campaign_of[(p, s)]
            if len(cs) != 1 or not cs <= set(campaigns):
                errors.append(f"part {p} step {s} campaigns {cs}")
            seen.extend(cs)
        if len(set(seen)) != len(seen):
            errors.append(f"part {p} repeats a campaign: {seen}")
        if steps == len(campaigns) and set(seen) != set(campaigns):
            errors.append(f"part {p} does not meet every campaign")
    for s in range(1, steps + 1):
        cs = [min(campaign_of[(p, s)]) for p in range(1, parts + 1)]
        if len(set(cs)) != len(cs):
            errors.append(f"two parts share a campaign at step {s}: {cs}")
    # tables: size and band
    at: dict[tuple[int, int], list[str]] = defaultdict(list)
    for (pid, s), (_, t) in seat.items():
        at[(s, t)].append(pid)
    part_people: dict[int, list[str]] = defaultdict(list)
    for pid, p in part_of.items():
        part_people[p].append(pid)
    for (s, t), members in at.items():
        if not table_min <= len(members) <= table_max:
            errors.append(f"step {s} table {t} has {len(members)} people")
        if band:
            part_members = part_people[part_of[members[0]]]
            whole = Counter(people[m].get(band, "") for m in part_members)
            here = Counter(people[m].get(band, "") for m in members)
            for cat, n_cat in whole.items():
                if not _band_ok(here[cat], len(members), n_cat, len(part_members)):
                    errors.append(
                        f"step {s} table {t}: {here[cat]} of {band}={cat!r} out of band "
                        f"({len(members)} x {n_cat}/{len(part_members)})"
                    )
    if not remix:
        for pid in people:
            if len({seat[(pid, s)][1] for s in range(1, steps + 1)}) != 1:
                errors.append(f"{pid} changes table without remix")
    return errors


def tables_of(rows: list[dict[str, str]], key: str = "step") -> dict[tuple[str, str], list[str]]:
    out: dict[tuple[str, str], list[str]] = defaultdict(list)
    for r in rows:
        out[(r.get(key, ""), r["table"])].append(r["id"])
    return out


def repeated_pairs(rows: list[dict[str, str]]) -> int:
    met: Counter[tuple[str, str]] = Counter()
    for members in tables_of(rows).values():
        for a, b in combinations(sorted(members), 2):
            met[(a, b)] += 1
    return sum(1 for v in met.values() if v > 1)


def same_group_pairs(
    rows: list[dict[str, str]], people: dict[str, dict[str, str]], attr: str
) -> int:
    pairs = set()
    for members in tables_of(rows).values():
        for a, b in combinations(sorted(members), 2):
            ga, gb = people[a].get(attr, ""), people[b].get(attr, "")
            if ga and ga == gb:
                pairs.add((a, b))
    return len(pairs)


def check_topic_plan(
    rows: list[dict[str, str]],
    people: dict[str, dict[str, str]],
    topics: list[str],
    table_min: int,
    table_max: int,
    max_share: float | None,
    band: str | None = "gender",
) -> list[str]:
    errors: list[str] = []
    topic_of: dict[str, str] = {}
    table_topic: dict[str, set[str]] = defaultdict(set)
    at: dict[str, list[str]] = defaultdict(list)
    for r in rows:
        if r["id"] in topic_of:
            errors.append(f"{r['id']} twice")
        if r["topic"] not in topics:
            errors.append(f"unknown topic {r['topic']}")
        topic_of[r["id"]] = r["topic"]
        table_topic[r["table"]].add(r["topic"])
        at[r["table"]].append(r["id"])
    if set(topic_of) != set(people):
        errors.append("not everyone has exactly one topic")
        return errors
    for t, ts in table_topic.items():
        if len(ts) != 1:
            errors.append(f"table {t} on topics {ts}")
    size = Counter(topic_of.values())
    if max_share is not None:
        cap = math.floor(max_share * len(people) + 1e-9)
        for t, n in size.items():
            if n > cap:
                errors.append(f"topic {t} has {n} > {cap}")
    for table, members in at.items():
        if not table_min <= len(members) <= table_max:
            errors.append(f"table {table} has {len(members)} people")
        if band:
            topic = topic_of[members[0]]
            group = [p for p, t in topic_of.items() if t == topic]
            whole = Counter(people[m].get(band, "") for m in group)
            here = Counter(people[m].get(band, "") for m in members)
            for cat, n_cat in whole.items():
                if not _band_ok(here[cat], len(members), n_cat, len(group)):
                    errors.append(f"topic table {table}: {band}={cat!r} out of band")
    return errors
