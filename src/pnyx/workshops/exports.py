"""Table outputs grouped by campaign and step (and by topic), exported as CSV and Markdown."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from pnyx.core import csvsafe

from .models import Hall, Output, Plan, Step


@dataclass
class StepGroup:
    step: Step
    outputs: list[Output] = field(default_factory=list)
    tables: int = 0  # tables working on this campaign at this step in the published plan


@dataclass
class Group:
    """All outputs about one campaign (by step), or about one topic."""

    title: str
    slug: str
    steps: list[StepGroup] = field(default_factory=list)
    outputs: list[Output] = field(default_factory=list)  # topic outputs
    tables: int = 0

    @property
    def received(self) -> int:
        return sum(len(s.outputs) for s in self.steps) + len(self.outputs)


def grouped(hall: Hall) -> tuple[list[Group], list[Group]]:
    """(by campaign, by topic). Campaign groups list every step, even without outputs yet."""
    outputs = list(
        Output.objects.filter(hall=hall)
        .select_related("step", "step__item", "campaign", "topic")
        .order_by("table")
    )
    steps = list(hall.steps.select_related("item").order_by("number"))
    plan = Plan.objects.filter(hall=hall, kind=Plan.Kind.HALL, status=Plan.Status.PUBLISHED).first()
    expected: dict[tuple[int, int], int] = {}
    if plan is not None:
        for step, campaign, _table in (
            plan.seats.values_list("step", "campaign", "table").order_by().distinct()
        ):
            expected[(campaign, step)] = expected.get((campaign, step), 0) + 1
    campaigns = []
    for c in hall.campaign_list():
        g = Group(c.name, c.slug)
        for s in steps:
            g.steps.append(
                StepGroup(
                    s,
                    [o for o in outputs if o.campaign_id == c.pk and o.step_id == s.pk],
                    expected.get((c.pk, s.number), 0),
                )
            )
        g.tables = sum(sg.tables for sg in g.steps)
        campaigns.append(g)
    topics = []
    tplan = Plan.objects.filter(
        hall=hall, kind=Plan.Kind.TOPICS, status=Plan.Status.PUBLISHED
    ).first()
    topic_tables: dict[int, int] = {}
    if tplan is not None:
        for topic, _table in tplan.topic_seats.values_list("topic", "table").order_by().distinct():
            topic_tables[topic] = topic_tables.get(topic, 0) + 1
    for t in hall.convention.topics.order_by("order", "name"):
        topics.append(
            Group(
                t.name,
                t.slug,
                outputs=[o for o in outputs if o.topic_id == t.pk],
                tables=topic_tables.get(t.pk, 0),
            )
        )
    return campaigns, topics


def _rows(hall: Hall):
    campaigns, topics = grouped(hall)
    for g in campaigns:
        for sg in g.steps:
            for o in sg.outputs:
                yield g, sg.step, o
    for g in topics:
        for o in g.outputs:
            yield g, None, o


COLUMNS = ["campaign", "topic", "step", "table", *Output.FIELDS, "facilitator", "received_at"]


def outputs_csv(hall: Hall) -> str:
    buf = io.StringIO()
    w = csvsafe.writer(buf)  # free text typed at the tables: no cell may run as a formula
    w.writerow(COLUMNS)
    for _g, step, o in _rows(hall):
        w.writerow(
            [
                o.campaign.slug if o.campaign else "",
                o.topic.slug if o.topic else "",
                step.number if step else "",
                o.table,
                *[getattr(o, f) for f in Output.FIELDS],
                o.facilitator,
                o.received_at.isoformat(timespec="seconds"),
            ]
        )
    return buf.getvalue()


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" if line.strip() else ">" for line in text.strip().splitlines())


def outputs_markdown(hall: Hall) -> str:
    campaigns, topics = grouped(hall)
    out = ["# " + _("Table outputs") + f" — {hall.convention.name}", ""]
    for g in campaigns:
        out += [f"## {g.title}", ""]
        for sg in g.steps:
            title = sg.step.item.title if sg.step.item else _("Step %(n)d") % {"n": sg.step.number}
            out += [
                f"### {title}",
                "",
                _("%(received)d outputs from %(tables)d tables.")
                % {"received": len(sg.outputs), "tables": sg.tables},
                "",
            ]
            for o in sg.outputs:
                out += _output_md(o)
    for g in topics:
        if not g.outputs:
            continue
        out += [f"## {g.title}", ""]
        for o in g.outputs:
            out += _output_md(o)
    return "\n".join(out).rstrip() + "\n"


def _output_md(o: Output) -> list[str]:
    lines = ["#### " + _("Table %(n)d") % {"n": o.table}, ""]
    for label, text in o.texts():
        lines += [f"**{label}**", "", _quote(text), ""]
    return lines


TOPIC_STEP = 0  # topic outputs enter the synthesis as step 0 of their topic


def _contributions(hall: Hall) -> list:
    from pnyx.synthesis import Contribution

    out = []
    for o in Output.objects.filter(hall=hall).select_related("step", "campaign", "topic"):
        key = o.campaign.slug if o.campaign else f"topic:{o.topic.slug}" if o.topic else ""
        step = o.step.number if o.step else TOPIC_STEP
        for f in Output.FIELDS:
            text = getattr(o, f).strip()
            if text:
                out.append(Contribution(o.table, key, step, f, text))
    return out


def _names(hall: Hall) -> dict[str, str]:
    names = {c.slug: c.name for c in hall.convention.campaigns.all()}
    names.update({f"topic:{t.slug}": t.name for t in hall.convention.topics.all()})
    names.update({f: str(Output._meta.get_field(f).verbose_name) for f in Output.FIELDS})
    return names
