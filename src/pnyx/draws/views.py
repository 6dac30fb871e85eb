"""Pages of the draws app: the public draw page and its files, the member's own result and
invitation, and the organizers' ceremony page. Views parse, call an action, render."""

from __future__ import annotations

import csv
import io
import shlex
from collections import Counter
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import F, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from pnyx.programme.models import current_convention_or_404
from pnyx.programme.permissions import member_required, organizer_required

from . import actions, engine
from .forms import DrawForm, HelperForm, PoolForm, SeedForm, SettingsForm
from .models import FEATURE_LABELS, FEATURES, GROUP_COLUMN, Draw, Invitation, PoolEntry
from .templatetags.draws_tags import percent

FILES = {
    "DIST.json": "application/json",
    "POOL.csv": "text/csv",
    "QUOTAS.csv": "text/csv",
    "PANEL.csv": "text/csv",
    "REPLACEMENTS.csv": "text/csv",
    "PROBS.csv": "text/csv",
}
AFTER_REVEAL = {"PANEL.csv", "REPLACEMENTS.csv"}


def _is_organizer(user) -> bool:
    return bool(
        user.is_authenticated and user.is_staff and user.has_perm("programme.moderate_intervention")
    )


def _public_draw(request, pk: int) -> Draw:
    draw = get_object_or_404(Draw.objects.select_related("pool", "convention"), pk=pk)
    if not draw.is_public and not _is_organizer(request.user):
        raise Http404
    return draw


def _own_entry(request, draw: Draw) -> PoolEntry | None:
    member = getattr(request.user, "member", None) if request.user.is_authenticated else None
    if member is None:
        return None
    return draw.pool.entries.filter(member=member).first()


def _member_result(draw: Draw, entry: PoolEntry | None) -> dict | None:
    """What a member may see about themself: code, probability, invitation (theirs only)."""
    if entry is None:
        return None
    invitation = draw.invitations.filter(entry=entry).first() if draw.seed else None
    return {
        "entry": entry,
        "probability": engine.entry_probability(draw, entry) if draw.profiles else None,
        "invitation": invitation,
        "revealed": bool(draw.seed),
    }


# --- public ----------------------------------------------------------------------------------


@require_GET
def index(request):
    convention = current_convention_or_404(request)
    draws = Draw.objects.filter(
        convention=convention, status__in=(Draw.Status.PUBLISHED, Draw.Status.REVEALED)
    )
    if len(draws) == 1:
        return redirect("draws:public", draws[0].pk)
    return render(request, "draws/index.html", {"convention": convention, "draws": draws})


def _profile_rows(draw: Draw) -> list[dict]:
    """Profiles by feature values (groups merged): size and probability (a range if groups differ)."""
    merged: dict[tuple, dict] = {}
    for p in draw.profiles:
        key = tuple(p["values"])
        row = merged.setdefault(key, {"values": p["values"], "size": 0, "lo": 1.0, "hi": 0.0})
        row["size"] += p["size"]
        row["lo"] = min(row["lo"], p["probability"])
        row["hi"] = max(row["hi"], p["probability"])
    for row in merged.values():
        row["chance"] = _chance_range([row["lo"], row["hi"]], 2)
    return sorted(merged.values(), key=lambda r: (r["lo"], r["values"]))


def _chance_range(values: list[float], digits: int) -> str:
    if not values:
        return ""
    lo, hi = percent(min(values), digits), percent(max(values), digits)
    return lo if lo == hi else f"{lo} – {hi}"


def _category_rows(draw: Draw) -> list[dict]:
    """Per quota: pool count, bounds, seats on the panel as drawn and as it stands now."""
    pool_counts = {f: engine.value_counts(draw.pool, f) for f in draw.features}
    now = actions.panel_counts(draw) if draw.seed else {}
    drawn: dict[str, Counter] = {f: Counter() for f in draw.features}
    if draw.seed:
        first = draw.invitations.filter(replacement_number__isnull=True).select_related("entry")
        for inv in first:
            for f in draw.features:
                drawn[f][inv.entry.value(f)] += 1
    chances: dict[tuple[str, str], list[float]] = {}
    for p in draw.profiles:
        for f, v in zip(draw.features, p["values"], strict=True):
            chances.setdefault((f, v), []).append(p["probability"])
    rows = []
    quotas = actions.quota_bounds(draw)
    for f in draw.features:
        for value in engine.sort_values(f, {v for (ff, v) in quotas if ff == f}):
            lo, hi = quotas[(f, value)]
            chance = chances.get((f, value), [])
            rows.append(
                {
                    "feature": FEATURE_LABELS[f],
                    "value": value,
                    "pool": pool_counts[f].get(value, 0),
                    "min": lo,
                    "max": hi,
                    "drawn": drawn[f][value] if draw.seed else None,
                    "now": now.get(f, {}).get(value, 0) if draw.seed else None,
                    "chance": _chance_range(chance, 1),
                }
            )
    return rows


def _invitation_counts(draw: Draw) -> dict[str, int]:
    counts = Counter(draw.invitations.values_list("status", flat=True))
    return {
        "accepted": counts[Invitation.Status.ACCEPTED],
        "invited": counts[Invitation.Status.INVITED],
        "drawn": counts[Invitation.Status.DRAWN],
        "declined": counts[Invitation.Status.DECLINED],
        "expired": counts[Invitation.Status.EXPIRED],
        "replacements": draw.invitations.filter(replacement_number__isnull=False).count(),
        "unfilled": draw.invitations.filter(replacement_impossible=True).count(),
    }


def _commands(draw: Draw) -> dict[str, str]:
    seed = shlex.quote(draw.seed) if draw.seed else "SEED"
    verify = f"pnyx verify-draw --distribution DIST.json --seed {seed} --panel PANEL.csv"
    if draw.invitations.filter(replacement_number__isnull=False).exists():
        verify += " --replacements REPLACEMENTS.csv"
    recompute = (
        f"pnyx draw --pool POOL.csv --quotas QUOTAS.csv --size {draw.size} --method {draw.method}"
    )
    if draw.max_per_group:
        recompute += f" --group-column {GROUP_COLUMN} --max-per-group {draw.max_per_group}"
    return {"sha": "sha256sum DIST.json", "verify": verify, "recompute": recompute}


@require_GET
def public(request, pk: int):
    draw = _public_draw(request, pk)
    context = {
        "draw": draw,
        "convention": draw.convention,
        "features": [FEATURE_LABELS[f] for f in draw.features],
        "profiles": _profile_rows(draw),
        "categories": _category_rows(draw),
        "counts": _invitation_counts(draw) if draw.seed else None,
        "commands": _commands(draw),
        "files": [f for f in FILES if draw.seed or f not in AFTER_REVEAL],
        "mine": _member_result(draw, _own_entry(request, draw)),
        "is_organizer": _is_organizer(request.user),
    }
    return render(request, "draws/public.html", context)


def _csv(rows: list[list]) -> bytes:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerows(rows)
    return out.getvalue().encode()


def file_bytes(draw: Draw, name: str) -> bytes:
    """The published files, exactly as `pnyx draw` writes them (formats: docs/formats.md)."""
    if name == "DIST.json":
        return bytes(draw.distribution)
    dist = engine.load_distribution(draw)
    pool = dist.problem.pool
    if name == "POOL.csv":
        return _csv(
            [[pool.id_column, *pool.columns]]
            + [[i, *r] for i, r in zip(pool.ids, pool.rows, strict=True)]
        )
    if name == "QUOTAS.csv":
        return _csv(
            [["feature", "value", "min", "max"]]
            + [[q.feature, q.value, q.min, q.max] for q in dist.problem.quotas]
        )
    if name == "PROBS.csv":
        return _csv(
            [["id", "probability"]]
            + [
                [i, repr(p)]
                for i, p in zip(pool.ids, dist.person_probability.tolist(), strict=True)
            ]
        )
    if name == "PANEL.csv":
        first = sorted(
            draw.invitations.filter(replacement_number__isnull=True).values_list(
                "entry__code", flat=True
            )
        )
        return _csv(
            [[pool.id_column, *pool.columns]] + [[c, *pool.rows[pool.index[c]]] for c in first]
        )
    if name == "REPLACEMENTS.csv":
        return _csv(
            [["number", "declined", "replacement"], *map(list, actions.replacement_rows(draw))]
        )
    raise Http404


@require_GET
def download(request, pk: int, name: str):
    draw = _public_draw(request, pk)
    if name not in FILES or not draw.digest or (name in AFTER_REVEAL and not draw.seed):
        raise Http404
    response = HttpResponse(file_bytes(draw, name), content_type=FILES[name])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- members -----------------------------------------------------------------------------------


@member_required
@require_GET
def mine(request):
    convention = current_convention_or_404(request)
    entries = PoolEntry.objects.filter(
        member=request.member, pool__convention=convention
    ).select_related("pool")
    results = []
    for entry in entries:
        for draw in entry.pool.draws.filter(
            status__in=(Draw.Status.PUBLISHED, Draw.Status.REVEALED)
        ):
            results.append({"draw": draw, **_member_result(draw, entry)})
    return render(request, "draws/mine.html", {"convention": convention, "results": results})


def _respond(request, invitation: Invitation):
    decision = request.POST.get("decision")
    if decision not in ("accept", "decline"):
        messages.error(request, _("Choose to accept or to decline."))
        return False
    try:
        actions.respond(invitation, decision == "accept")
    except actions.DrawError as exc:
        messages.error(request, str(exc))
        return False
    if decision == "accept":
        messages.success(
            request, _("Thank you: your seat is confirmed. See you at the convention!")
        )
    else:
        messages.success(
            request, _("Your answer is recorded; someone else will be drawn for your seat.")
        )
    return True


@member_required
@require_POST
def respond(request, pk: int):
    invitation = get_object_or_404(Invitation, pk=pk, entry__member=request.member)
    _respond(request, invitation)
    return redirect("draws:mine")


@require_http_methods(["GET", "POST"])
def invitation(request, token: str):
    """The link of the invitation email: works without signing in; answers by POST only."""
    inv = actions.find_invitation(token)
    if inv is None:
        return render(request, "draws/invitation.html", {"invitation": None}, status=404)
    if request.method == "POST":
        _respond(request, inv)
        return redirect("draws:invitation", token)
    return render(
        request,
        "draws/invitation.html",
        {"invitation": inv, "draw": inv.draw, "member": inv.entry.member},
    )


# --- organizers --------------------------------------------------------------------------------


@organizer_required
@require_http_methods(["GET", "POST"])
def organizer_list(request):
    convention = current_convention_or_404(request)
    pool_form = PoolForm(prefix="pool")
    draw_form = DrawForm(prefix="draw", convention=convention, initial={"size": 10})
    if request.method == "POST":
        if request.POST.get("op") == "pool":
            pool_form = PoolForm(request.POST, prefix="pool")
            if pool_form.is_valid():
                try:
                    pool = actions.create_pool(
                        convention, actor=request.user, **pool_form.cleaned_data
                    )
                    messages.success(
                        request, _("Pool created: %(n)s volunteers.") % {"n": pool.size}
                    )
                    return redirect("draws:organizer_list")
                except actions.DrawError as exc:
                    pool_form.add_error(None, str(exc))
        elif request.POST.get("op") == "draw":
            draw_form = DrawForm(request.POST, prefix="draw", convention=convention)
            if draw_form.is_valid():
                data = draw_form.cleaned_data
                try:
                    draw = actions.create_draw(
                        data["pool"],
                        title=data["title"],
                        size=data["size"],
                        method=data["method"],
                        max_per_group=data["max_per_group"],
                        response_days=data["response_days"] or 7,
                        actor=request.user,
                    )
                    return redirect("draws:organizer_draw", draw.pk)
                except actions.DrawError as exc:
                    draw_form.add_error(None, str(exc))
    return render(
        request,
        "draws/organizer_list.html",
        {
            "convention": convention,
            "pools": convention.draw_pools.all(),
            "draws": convention.draws.select_related("pool"),
            "pool_form": pool_form,
            "draw_form": draw_form,
        },
    )


def _quota_sections(draw: Draw) -> list[dict]:
    quotas = actions.quota_bounds(draw)
    sections = []
    for f in FEATURES:
        counts = engine.value_counts(draw.pool, f)
        rows = [
            {"i": i, "value": v, "pool": c, "bounds": quotas.get((f, v))}
            for i, (v, c) in enumerate(counts.items())
        ]
        sections.append(
            {
                "feature": f,
                "label": FEATURE_LABELS[f],
                "rows": rows,
                "used": any(ff == f for ff, _v in quotas),
            }
        )
    return sections


def _op_quotas(request, draw: Draw) -> None:
    feature = request.POST.get("feature", "")
    if feature not in FEATURES:
        raise actions.DrawError(_("Unknown feature."))
    values = list(engine.value_counts(draw.pool, feature))
    bounds = {}
    try:
        for i, v in enumerate(values):
            lo, hi = request.POST.get(f"min_{i}", ""), request.POST.get(f"max_{i}", "")
            if lo == "" and hi == "":
                continue
            bounds[v] = (int(lo or 0), int(hi or 0))
    except ValueError:
        raise actions.DrawError(_("Quotas are whole numbers.")) from None
    actions.set_quotas(draw, feature, bounds)


def _op_helper(request, draw: Draw) -> None:
    form = HelperForm(request.POST)
    if not form.is_valid():
        raise actions.DrawError(_("Choose a category and how to fill in its quotas."))
    d = form.cleaned_data
    tolerance = (d["tolerance"] or 0) / 100
    if d["helper"] == "parity":
        if d["feature"] != "gender":
            raise actions.DrawError(_("Parity applies to gender."))
        actions.set_parity(draw, tolerance)
    elif d["helper"] == "proportional":
        actions.set_proportional(draw, d["feature"], tolerance)
    else:
        actions.set_quotas(draw, d["feature"], {})


def _op_settings(request, draw: Draw) -> None:
    form = SettingsForm(request.POST, instance=Draw.objects.get(pk=draw.pk))
    if not form.is_valid():
        raise actions.DrawError("; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
    d = form.cleaned_data
    actions.update_draw(
        draw,
        size=d["size"],
        method=d["method"],
        max_per_group=d["max_per_group"],
        response_days=d["response_days"],
    )


def _op_reveal(request, draw: Draw) -> None:
    form = SeedForm(request.POST)
    if not form.is_valid():
        raise actions.DrawError(_("Enter the public seed."))
    actions.reveal(draw, form.cleaned_data["seed"], form.cleaned_data["witnesses"], request.user)


INVITATIONS_PER_PAGE = 50


def _invitations_page(request, draw: Draw) -> dict:
    """One page of the draw's invitations, searched by name, member id or public code (`q`) and
    filtered by status (`status`); the query string of the other pages keeps both."""
    q = request.GET.get("q", "").strip()[:100]
    status = request.GET.get("status", "")
    if status not in Invitation.Status.values:
        status = ""
    qs = draw.invitations.select_related("entry__member", "replaces__entry")
    if q:
        words = q.split()
        for w in words:
            qs = qs.filter(
                Q(entry__member__first_name__icontains=w)
                | Q(entry__member__last_name__icontains=w)
                | Q(entry__member__external_id__iexact=w)
                | Q(entry__code__iexact=w)
            )
    if status:
        qs = qs.filter(status=status)
    paginator = Paginator(
        qs.order_by(F("replacement_number").asc(nulls_first=True), "entry__code", "pk"),
        INVITATIONS_PER_PAGE,
    )
    page = paginator.get_page(request.GET.get("page"))
    keep = {k: v for k, v in (("q", q), ("status", status)) if v}
    return {
        "invitations": page,
        "invitations_page": page,
        "invitations_found": paginator.count,
        "invitation_q": q,
        "invitation_status": status,
        "invitation_statuses": Invitation.Status.choices,
        "invitation_query": urlencode(keep),
    }


OPERATIONS = {
    "settings": _op_settings,
    "quotas": _op_quotas,
    "helper": _op_helper,
    "compute": lambda r, d: actions.start_computation(d, r.user),
    "discard": lambda r, d: actions.discard_distribution(d, r.user),
    "publish": lambda r, d: actions.publish_digest(d, r.user),
    "reveal": _op_reveal,
    "invite": lambda r, d: actions.send_invitations(d, r.user),
}


@organizer_required
@require_http_methods(["GET", "POST"])
def organizer_draw(request, pk: int):
    draw = get_object_or_404(Draw.objects.select_related("pool", "convention"), pk=pk)
    if request.method == "POST":
        op = request.POST.get("op")
        if op not in OPERATIONS:
            messages.error(request, _("Unknown operation."))
        else:
            try:
                OPERATIONS[op](request, draw)
            except actions.DrawError as exc:
                messages.error(request, str(exc))
        return redirect("draws:organizer_draw", pk)
    diagnosis = diagnosis_error = None
    if draw.status in (Draw.Status.DRAFT, Draw.Status.FAILED):
        try:
            diagnosis = actions.diagnose(draw)
        except actions.DrawError as exc:
            diagnosis_error = str(exc)
    invitations = _invitations_page(request, draw) if draw.seed else {}
    return render(
        request,
        "draws/organizer_draw.html",
        {
            "draw": draw,
            "convention": draw.convention,
            "settings_form": SettingsForm(instance=draw),
            "helper_form": HelperForm(),
            "seed_form": SeedForm(),
            "sections": _quota_sections(draw),
            "diagnosis": diagnosis,
            "diagnosis_error": diagnosis_error,
            **invitations,
            "counts": _invitation_counts(draw) if draw.seed else None,
            "editable": draw.status
            in (Draw.Status.DRAFT, Draw.Status.FAILED, Draw.Status.COMPUTED),
        },
    )
