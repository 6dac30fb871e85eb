"""Printable PDFs (WeasyPrint): a card per table per step, and participants' badges."""

from __future__ import annotations

from collections import defaultdict
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from pnyx.programme.models import Participant

from .models import Hall, Plan
from .queries import itineraries


def qr(url: str) -> str:
    """A PNG data URI of the QR code of `url` (WeasyPrint draws PNGs faster than SVGs)."""
    return segno.make(url, error="m").png_data_uri(scale=6, border=2)


def badge_url(participant: Participant) -> str:
    """The badge's QR code: the personal badge link (signs in, checks in), then the itinerary."""
    return (
        settings.PNYX_SITE_URL
        + participant.badge_path()
        + "?"
        + urlencode({"next": reverse("workshops:itinerary")})
    )


def _render(template: str, context: dict) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template, context)
    return HTML(string=html, base_url=settings.PNYX_SITE_URL).write_pdf()


def table_cards(plan: Plan, step: int | None = None) -> bytes:
    """One page per table and step (hall plan; only `step` when given) or per topic table."""
    hall = plan.hall
    tables = {t.number: t for t in hall.tables.all()}
    cards = []
    if plan.kind == Plan.Kind.TOPICS:
        rows = plan.topic_seats.values_list("table", "topic__name").distinct().order_by("table")
        counts: dict[int, int] = defaultdict(int)
        for t in plan.topic_seats.values_list("table", flat=True):
            counts[t] += 1
        for number, topic in rows:
            cards.append({"table": number, "topic": topic, "people": counts[number]})
    else:
        steps = {s.number: s for s in hall.steps.select_related("item")}
        counts = defaultdict(int)
        for key in plan.seats.values_list("step", "table"):
            counts[key] += 1
        seats = plan.seats.filter(step=step) if step else plan.seats.all()
        rows = (
            seats.values_list("step", "table", "part", "campaign__name")
            .distinct()
            .order_by("step", "table")
        )
        for step, number, part, campaign in rows:
            cards.append(
                {
                    "table": number,
                    "step": steps.get(step),
                    "step_number": step,
                    "part": part,
                    "campaign": campaign,
                    "people": counts[(step, number)],
                }
            )
    for card in cards:
        t = tables.get(card["table"])
        card["qr"] = qr(t.url()) if t is not None else ""
    return _render("workshops/pdf/table_cards.html", {"hall": hall, "plan": plan, "cards": cards})


def badges(hall: Hall, participants: list[Participant]) -> bytes:
    """Four badges per A4 page: name, itinerary (step, part, table, campaign; topic table),
    and the QR code of the participant's personal page."""
    items = itineraries(hall, participants)
    for it in items:
        it["qr"] = qr(badge_url(it["participant"]))
    sheets = [items[i : i + 4] for i in range(0, len(items), 4)]
    return _render("workshops/pdf/badges.html", {"hall": hall, "sheets": sheets})
