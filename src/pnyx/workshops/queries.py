"""Read-side helpers: itineraries of participants in the published plans, the hall map."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from pnyx.programme.models import Participant

from .models import Hall, Plan, Step


def _published(hall: Hall, kind: str) -> Plan | None:
    return Plan.objects.filter(hall=hall, kind=kind, status=Plan.Status.PUBLISHED).first()


def itineraries(hall: Hall, participants: Sequence[Participant]) -> list[dict]:
    """For each participant: their seats at each step of the published hall plan (step, part,
    table, campaign) and their topic table, in the order given."""
    ids = [p.pk for p in participants]
    steps: dict[int, Step] = {s.number: s for s in hall.steps.select_related("item")}
    seats: dict[int, list[dict]] = defaultdict(list)
    plan = _published(hall, Plan.Kind.HALL)
    if plan is not None:
        for s in (
            plan.seats.filter(participant_id__in=ids)
            .select_related("campaign")
            .order_by("participant_id", "step")
        ):
            seats[s.participant_id].append(
                {
                    "step": steps.get(s.step),
                    "number": s.step,
                    "part": s.part,
                    "table": s.table,
                    "campaign": s.campaign,
                }
            )
    topic: dict[int, object] = {}
    tplan = _published(hall, Plan.Kind.TOPICS)
    if tplan is not None:
        for s in tplan.topic_seats.filter(participant_id__in=ids).select_related("topic"):
            topic[s.participant_id] = s
    return [
        {
            "participant": p,
            "seats": seats.get(p.pk, []),
            "part": seats[p.pk][0]["part"] if seats.get(p.pk) else None,
            "topic": topic.get(p.pk),
        }
        for p in participants
    ]


def hall_map(plan: Plan, step: int) -> list[dict]:
    """Parts of the hall at one step, each with its tables (number, people, campaign, problems)."""
    parts: dict[int, dict] = {}
    counts: dict[tuple[int, int], int] = defaultdict(int)
    for part, table, campaign in plan.seats.filter(step=step).values_list(
        "part", "table", "campaign__name"
    ):
        counts[(part, table)] += 1
        parts.setdefault(part, {"part": part, "campaign": campaign, "tables": {}})
    for (part, table), n in sorted(counts.items()):
        parts[part]["tables"][table] = n
    return [
        {**p, "tables": [{"number": t, "people": n} for t, n in sorted(p["tables"].items())]}
        for _k, p in sorted(parts.items())
    ]
