"""Turn a stored `pnyx.tally` result into rows the templates draw as bars (server-side HTML and
SVG, no script, no style attribute): approval bars, majority-judgment merit profiles, ranked tables."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from .models import Method, Vote
from .ties import describe


def _score_text(method: str, s: Any) -> str:
    if method in (Method.SCHULZE, Method.RANKED_PAIRS):
        return _("beats %(n)s options") % {"n": s["beats"]}
    if method == Method.IRV:
        last = s["votes"][-1] if s["votes"] else 0
        return _("%(n)s votes in the last round counted") % {"n": last}
    if method == Method.STV:
        return f"{s['status']} · {float(s['votes']):.2f}"
    return ""


def results_context(vote: Vote, revealed: Mapping[int, str] | None = None) -> dict[str, Any]:
    result = vote.result or {}
    options = {o.code: o for o in vote.options.all()}
    ranking = result.get("ranking", [])
    winners = set(result.get("winners", []))
    scores = result.get("scores", {})
    counted = result.get("ballots", 0) or 0
    top = max((scores[c] for c in ranking), default=0) if vote.method == Method.APPROVAL else 0
    if revealed is not None:
        # Announcing: bars relative to the ballots counted, not to the best score, which a
        # revealed bar's length would otherwise give away.
        top = counted
    rows = []
    for place, code in enumerate(ranking, start=1):
        hidden = revealed is not None and place not in revealed
        row: dict[str, Any] = {
            "place": place,
            "code": code,
            "option": options.get(code),
            "winner": code in winners,
            "hidden": hidden,
        }
        s = scores.get(code)
        if vote.method == Method.APPROVAL:
            row["count"] = s
            row["percent"] = round(100 * s / counted, 1) if counted else 0
            row["width"] = round(100 * s / top, 1) if top else 0
        elif vote.method == Method.MJ:
            total = sum(s["grades"].values()) or 1
            row["majority_grade"] = s["majority_grade"]
            # Drawn as SVG rectangles side by side: each starts where the previous ends (x).
            row["segments"], x = [], 0.0
            for i, (g, n) in enumerate(s["grades"].items()):
                width = round(100 * n / total, 2)
                row["segments"].append(
                    {"grade": g, "count": n, "width": width, "x": round(x, 2), "level": i}
                )
                x += width
        else:
            row["score"] = _score_text(vote.method, s)
        rows.append(row)
    pub = getattr(vote, "publication", None)
    return {
        "rows": rows,
        "result": result,
        "ties": [
            describe(t, {c: o.title for c, o in options.items()}) for t in result.get("ties", [])
        ],
        "publication": pub,
        "grades": vote.grades,
        "announcing": revealed is not None,
        "recount": _recount_command(vote),
    }


def _recount_command(vote: Vote) -> str:
    return f"pnyx tally vote-{vote.pk}-ballots.csv --method {vote.method} --json"
