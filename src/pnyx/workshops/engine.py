"""Thin adapter between the models and the pure planner `pnyx.seating`.

Models become `seating.Person` / `seating.Hall` / `seating.Rules`; the planner's seats become
rows. The planning itself is never done here. `violations` lists, per table, the hard rules
a hand-edited plan breaks: `seating.plan_stats` gives the counts but not where they are.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from pnyx import seating
from pnyx.programme.models import Participant
from pnyx.seating.metrics import group_seats

from .models import Hall


def _names(value: str) -> tuple[str, ...]:
    return tuple(x.strip() for x in value.split(",") if x.strip())


def rules_for(hall: Hall, remix: bool | None = None) -> seating.Rules:
    return seating.Rules(
        balance=_names(hall.balance),
        apart=_names(hall.apart),
        remix=hall.remix if remix is None else remix,
    )


def shape_for(hall: Hall, campaigns: Sequence[str], steps: int) -> seating.Hall:
    return seating.Hall(hall.parts, tuple(campaigns), steps, hall.table_min, hall.table_max)


def person_for(participant: Participant, year: int) -> seating.Person:
    m = participant.member
    return seating.Person(
        str(participant.pk),
        {
            "gender": m.gender,
            "region": m.region,
            "age": str(max(year - m.birth_year, 0)),
            "action_group": str(m.action_group_id or ""),
        },
    )


def people_for(participants: Iterable[Participant], year: int) -> list[seating.Person]:
    return [person_for(p, year) for p in participants]


def digest(people: Sequence[seating.Person], *params: object) -> str:
    """SHA-256 of the planner's inputs (people and their attributes, then the parameters)."""
    h = hashlib.sha256()
    for p in people:
        h.update(p.id.encode())
        for k in sorted(p.attributes):
            h.update(f"\x1f{k}={p.attributes[k]}".encode())
        h.update(b"\n")
    h.update(repr(params).encode())
    return h.hexdigest()


@dataclass(frozen=True)
class Violation:
    step: int
    table: int
    message: str


def violations(
    seats: Sequence[seating.Seat],
    people: Sequence[seating.Person],
    rules: seating.Rules,
    table_min: int,
    table_max: int,
) -> list[Violation]:
    """Hard rules broken at each table: size range, gender band of the part, same group."""
    ids = [p.id for p in people]
    band = (
        dict(zip(ids, seating.attribute_values(people, rules.band), strict=True))
        if rules.band
        else {}
    )
    groups = [dict(zip(ids, seating.attribute_values(people, a), strict=True)) for a in rules.apart]
    grouped = group_seats(seats)
    tables, part_of, part_members = grouped.tables, grouped.part_of, grouped.part_members
    out: list[Violation] = []
    for (step, table), members in sorted(tables.items()):
        size = len(members)
        if not table_min <= size <= table_max:
            out.append(
                Violation(
                    step,
                    table,
                    _("%(n)d people, outside %(min)d to %(max)d")
                    % {"n": size, "min": table_min, "max": table_max},
                )
            )
        if band:
            part = part_members[(step, part_of[(step, table)])]
            share = Counter(band[m] for m in part)
            here = Counter(band[m] for m in members)
            for cat, cnt in sorted(share.items()):
                f = size * cnt / len(part)
                lo, hi = math.floor(f + 1e-9), math.ceil(f - 1e-9)
                if not lo <= here.get(cat, 0) <= hi:
                    out.append(
                        Violation(
                            step,
                            table,
                            _("%(n)d people of %(attr)s “%(cat)s” (expected %(lo)d to %(hi)d)")
                            % {
                                "n": here.get(cat, 0),
                                "attr": rules.band,
                                "cat": cat,
                                "lo": lo,
                                "hi": hi,
                            },
                        )
                    )
        for name, g in zip(rules.apart, groups, strict=True):
            counts = Counter(g[m] for m in members if g[m])
            for _value, cnt in sorted(counts.items()):
                if cnt > 1:
                    out.append(
                        Violation(
                            step,
                            table,
                            _("%(n)d people of the same %(attr)s")
                            % {"n": cnt, "attr": name.replace("_", " ")},
                        )
                    )
    return out
