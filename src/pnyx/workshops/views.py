"""Views parse, call an action, render. Organizer pages under /ateliers/organisation/."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.tasks import TaskResultStatus
from django.tasks.exceptions import TaskResultDoesNotExist, TaskResultMismatch
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from pnyx.programme.models import (
    Participant,
    current_convention,
    current_convention_or_404,
)
from pnyx.programme.permissions import member_required, organizer_required

from . import actions, exports, pdf, review
from .forms import HallForm, InviteForm, MoveForm, OutputForm, RankingForm, StepForm
from .models import (
    Document,
    Hall,
    Output,
    Plan,
    Purpose,
    ReviewCluster,
    ReviewGroup,
    ReviewIdea,
    SynthesisRun,
    Table,
    TopicRanking,
)
from .queries import hall_map, itineraries
from .tasks import plan_task


def _hall(request) -> Hall:
    return actions.get_hall(current_convention_or_404(request))


def _ranges(numbers) -> str:
    """1, 2, 3, 5, 7, 8 -> "1–3, 5, 7–8"."""
    out: list[list[int]] = []
    for n in sorted(numbers):
        if out and n == out[-1][1] + 1:
            out[-1][1] = n
        else:
            out.append([n, n])
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in out)


# --- everyone --------------------------------------------------------------------------------


@require_GET
def index(request):
    """The workshops' public entry: the published plans in figures (no names), the signed-in
    participant's own tables, links to the itinerary, the topic ranking and, for organizers,
    their pages. Reading only: nothing is created here."""
    convention = current_convention_or_404(request)
    hall = Hall.objects.filter(convention=convention).first()
    plan_ = actions.published_plan(hall) if hall else None
    topics_plan = actions.published_plan(hall, Plan.Kind.TOPICS) if hall else None
    steps = list(hall.steps.select_related("item")) if hall else []
    rotation: dict[int, dict] = {}
    if plan_ is not None:
        rows = (
            plan_.seats.values("part", "step", "campaign__name")
            .annotate(tables=Count("table", distinct=True), people=Count("pk"))
            .order_by("part", "step")
        )
        for r in rows:
            part = rotation.setdefault(r["part"], {"part": r["part"], "steps": {}})
            part["steps"][r["step"]] = r
        for part in rotation.values():
            part["cells"] = [(s, part["steps"].get(s.number)) for s in steps]
            first = part["steps"].get(min(part["steps"]))
            part["tables"] = first["tables"] if first else 0
            part["people"] = first["people"] if first else 0
    topic_rows = []
    if topics_plan is not None:
        tables: dict[str, set[int]] = {}
        people: dict[str, int] = {}
        for name, table in topics_plan.topic_seats.values_list("topic__name", "table"):
            tables.setdefault(name, set()).add(table)
            people[name] = people.get(name, 0) + 1
        topic_rows = [
            {"name": t.name, "table_ranges": _ranges(tables[t.name]), "people": people[t.name]}
            for t in convention.topics.order_by("order", "name")
            if t.name in tables
        ]
    member = getattr(request.user, "member", None) if request.user.is_authenticated else None
    participant = (
        Participant.objects.filter(convention=convention, member=member).first()
        if member is not None
        else None
    )
    mine = itineraries(hall, [participant])[0] if participant and hall else None
    return render(
        request,
        "workshops/index.html",
        {
            "convention": convention,
            "hall": hall,
            "plan": plan_,
            "topics_plan": topics_plan,
            "steps": steps,
            "rotation": [rotation[k] for k in sorted(rotation)],
            "topic_rows": topic_rows,
            "participant": participant,
            "it": mine,
            "is_organizer": request.user.is_staff
            and request.user.has_perm("programme.moderate_intervention"),
        },
    )


# --- members ---------------------------------------------------------------------------------


@member_required
@require_GET
def itinerary(request):
    convention = current_convention_or_404(request)
    participant = Participant.objects.filter(convention=convention, member=request.member).first()
    hall = Hall.objects.filter(convention=convention).first()
    item = itineraries(hall, [participant])[0] if participant and hall else None
    return render(
        request,
        "workshops/itinerary.html",
        {"convention": convention, "participant": participant, "it": item},
    )


@member_required
@require_http_methods(["GET", "POST"])
def ranking(request):
    convention = current_convention_or_404(request)
    topics = list(convention.topics.order_by("order", "name"))
    current = TopicRanking.objects.filter(convention=convention, member=request.member).first()
    form = RankingForm(
        request.POST or None,
        topics=topics,
        initial_ranking=current.ranking if current else (),
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_ranking(request.member, convention, form.ranking)
        except actions.WorkshopError as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, _("Your preferences are saved. Thank you!"))
            return redirect("workshops:ranking")
    return render(
        request,
        "workshops/ranking.html",
        {"convention": convention, "form": form, "topics": topics, "saved": current},
    )


# --- table facilitators (by the table's QR code) -------------------------------------------


@require_http_methods(["GET", "POST"])
def table(request, number: int, token: str):
    hall = Hall.objects.filter(convention=current_convention(request)).first()
    t = Table.objects.filter(hall=hall, number=number).select_related("hall").first()
    if t is None or not t.token_matches(token):
        return render(request, "workshops/table_invalid.html", status=404)
    work = actions.table_work(t)
    existing = {
        (o.step_id, o.topic_id): o for o in Output.objects.filter(hall=t.hall, table=t.number)
    }
    entries = []
    for i, w in enumerate(work):
        key = (w["step"].pk if w["step"] else None, w["topic"].pk if w["topic"] else None)
        prefix = f"w{i}"
        data = (
            request.POST
            if request.method == "POST" and request.POST.get("which") == prefix
            else None
        )
        earlier = []
        if w["step"] is not None and w["step"].purpose == Purpose.AXES:
            earlier = review.earlier_steps(t.hall, w["campaign"].slug, w["step"].number)
        entries.append(
            {
                **w,
                "earlier": earlier,
                "prefix": prefix,
                "output": existing.get(key),
                "form": OutputForm(
                    data, prefix=prefix, fields=w["fields"], instance=existing.get(key)
                ),
            }
        )
    if request.method == "POST":
        entry = next((e for e in entries if e["prefix"] == request.POST.get("which")), None)
        if entry is None:
            return redirect(request.path)
        if entry["form"].is_valid():
            try:
                actions.submit_output(
                    t,
                    entry["form"].cleaned_data,
                    step=entry["step"],
                    topic=entry["topic"],
                    facilitator=entry["form"].cleaned_data.get("facilitator", ""),
                )
            except actions.WorkshopError as e:
                entry["form"].add_error(None, str(e))
            else:
                messages.success(
                    request,
                    _("Thank you, the output of table %(n)d is received.") % {"n": t.number},
                )
                return redirect(request.path)
    return render(request, "workshops/table.html", {"table": t, "entries": entries})


# --- organizers ------------------------------------------------------------------------------


#: The session key of the plan task an organizer started (database backend: run by a worker).
PLAN_TASK = "workshops_plan_task"


def _pending_plan(request):
    """The plan task this organizer started, while a worker has not finished it."""
    task_id = request.session.get(PLAN_TASK)
    if not task_id:
        return None
    try:
        result = plan_task.get_result(task_id)
    except (TaskResultDoesNotExist, TaskResultMismatch, NotImplementedError):
        result = None
    if result is not None and result.status in (TaskResultStatus.READY, TaskResultStatus.RUNNING):
        return result
    del request.session[PLAN_TASK]
    if result is not None and result.status == TaskResultStatus.FAILED:
        messages.error(request, _("The plan could not be made: the worker's log says why."))
    return None


@organizer_required
@require_http_methods(["GET", "POST"])
def hall(request):
    h = _hall(request)
    steps = actions.sync_steps(h)
    form = HallForm(request.POST if request.POST.get("form") == "hall" else None, instance=h)
    step_forms = [
        (s, StepForm(
            request.POST if request.POST.get("form") == f"step{s.pk}" else None,
            prefix=f"s{s.pk}",
            initial={"purpose": s.purpose},
        ))
        for s in steps
    ]  # fmt: skip
    if request.method == "POST":
        if request.POST.get("form") == "hall" and form.is_valid():
            try:
                actions.update_hall(
                    h, form.cleaned_data, form.cleaned_data["campaigns"], request.user
                )
            except actions.WorkshopError as e:
                form.add_error(None, str(e))
            else:
                messages.success(request, _("The hall is saved."))
                return redirect("workshops:hall")
        for s, f in step_forms:
            if request.POST.get("form") == f"step{s.pk}" and f.is_valid():
                actions.set_step_purpose(s, f.cleaned_data["purpose"])
                messages.success(request, _("The step is saved."))
                return redirect("workshops:hall")
    plans = list(Plan.objects.filter(hall=h)[:10])
    return render(
        request,
        "workshops/hall.html",
        {
            "hall": h,
            "form": form,
            "step_forms": step_forms,
            "plans": plans,
            "participants": Participant.objects.filter(convention=h.convention).count(),
            "published": actions.published_plan(h),
            "published_topics": actions.published_plan(h, Plan.Kind.TOPICS),
            "pending_plan": _pending_plan(request) if request.method == "GET" else None,
        },
    )


@organizer_required
@require_http_methods(["GET", "POST"])
def participants(request):
    h = _hall(request)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        added, unknown = actions.add_invited(h.convention, form.ids(), request.user)
        messages.success(request, _("%(n)d invited participants added.") % {"n": added})
        if unknown:
            messages.error(
                request, _("Unknown member ids: %(ids)s") % {"ids": ", ".join(unknown[:20])}
            )
        return redirect("workshops:participants")
    qs = Participant.objects.filter(convention=h.convention)
    counts = qs.aggregate(
        total=Count("pk"),
        drawn=Count("pk", filter=Q(source=Participant.Source.DRAWN)),
        invited=Count("pk", filter=Q(source=Participant.Source.INVITED)),
    )
    q = request.GET.get("q", "").strip()
    found = []
    if q:
        found = list(
            qs.filter(
                Q(member__last_name__icontains=q)
                | Q(member__first_name__icontains=q)
                | Q(member__external_id=q)
            ).select_related("member")[:30]
        )
    return render(
        request,
        "workshops/participants.html",
        {
            "hall": h,
            "form": form,
            "counts": counts,
            "q": q,
            "found": itineraries(h, found),
            "rankings": TopicRanking.objects.filter(convention=h.convention).count(),
        },
    )


@organizer_required
@require_POST
def run_plan(request):
    h = _hall(request)
    kind = request.POST.get("kind", Plan.Kind.HALL)
    if kind not in Plan.Kind.values:
        raise Http404
    result = plan_task.enqueue(h.pk, kind, f"user:{request.user.get_username()}")
    if not result.is_finished:  # a worker computes it: the hall page follows it
        request.session[PLAN_TASK] = str(result.id)
        messages.success(request, _("The plan is being computed; this page shows it when ready."))
        return redirect("workshops:hall")
    h.refresh_from_db()
    plan_id = result.return_value
    if plan_id:
        messages.success(request, _("A new draft plan is ready: check it, adjust it, publish it."))
        return redirect("workshops:plan", plan_id)
    if h.plan_error:
        messages.error(request, _("The plan could not be made: %(why)s") % {"why": h.plan_error})
    else:
        messages.success(request, _("The plan is being computed; reload this page in a moment."))
    return redirect("workshops:hall")


def _plan_or_404(pk: int) -> Plan:
    return get_object_or_404(Plan.objects.select_related("hall", "hall__convention"), pk=pk)


@organizer_required
@require_GET
def plan(request, pk: int):
    p = _plan_or_404(pk)
    steps = list(p.hall.steps.select_related("item"))
    try:
        step = int(request.GET.get("step", 1))
    except ValueError:
        step = 1
    q = request.GET.get("q", "").strip()
    found = []
    if q:
        people = Participant.objects.filter(
            Q(member__last_name__icontains=q)
            | Q(member__first_name__icontains=q)
            | Q(member__external_id=q),
            convention=p.hall.convention,
        ).select_related("member")[:30]
        found = list(people)
    table_no = request.GET.get("table")
    at_table = []
    if table_no and table_no.isdigit():
        if p.kind == Plan.Kind.TOPICS:
            at_table = [
                s.participant
                for s in p.topic_seats.filter(table=int(table_no)).select_related(
                    "participant__member"
                )
            ]
        else:
            at_table = [
                s.participant
                for s in p.seats.filter(step=step, table=int(table_no)).select_related(
                    "participant__member"
                )
            ]
    topic_tables = []
    if p.kind == Plan.Kind.TOPICS:
        topic_tables = list(
            p.topic_seats.values("table", "topic__name")
            .annotate(people=Count("pk"))
            .order_by("table")
        )
    return render(
        request,
        "workshops/plan.html",
        {
            "plan": p,
            "hall": p.hall,
            "steps": steps,
            "step": step,
            "map": hall_map(p, step) if p.kind == Plan.Kind.HALL else [],
            "violations": actions.check_plan(p),
            "move_form": MoveForm(initial={"step": step}),
            "q": q,
            "found": itineraries_for_plan(p, found),
            "table_no": table_no,
            "at_table": at_table,
            "topic_tables": topic_tables,
            "parts": range(1, p.hall.parts + 1),
        },
    )


def itineraries_for_plan(p: Plan, people: list[Participant]) -> list[dict]:
    """Seats of these people in plan `p` (which may be a draft)."""
    out = []
    for person in people:
        if p.kind == Plan.Kind.TOPICS:
            seats = [
                {"step": None, "table": s.table, "campaign": None, "topic": s.topic}
                for s in p.topic_seats.filter(participant=person).select_related("topic")
            ]
        else:
            seats = [
                {"step": s.step, "table": s.table, "campaign": s.campaign, "topic": None}
                for s in p.seats.filter(participant=person).select_related("campaign")
            ]
        out.append({"participant": person, "seats": seats})
    return out


@organizer_required
@require_POST
def move(request, pk: int):
    p = _plan_or_404(pk)
    form = MoveForm(request.POST)
    step = request.POST.get("step", "1")
    if form.is_valid():
        person = Participant.objects.filter(
            pk=form.cleaned_data["participant"], convention=p.hall.convention
        ).first()
        if person is None:
            messages.error(request, _("No participant with this number."))
        else:
            try:
                problems = actions.move(
                    p, person, form.cleaned_data["step"], form.cleaned_data["table"], request.user
                )
            except actions.WorkshopError as e:
                messages.error(request, str(e))
            else:
                messages.success(
                    request,
                    _("%(name)s moved to table %(table)d. Rules broken in the plan now: %(n)d.")
                    % {
                        "name": person.member.full_name,
                        "table": form.cleaned_data["table"],
                        "n": len(problems),
                    },
                )
    else:
        messages.error(request, _("Give a participant number, a step and a table."))
    return redirect(reverse("workshops:plan", args=[p.pk]) + f"?step={step}")


@organizer_required
@require_POST
def publish(request, pk: int):
    p = _plan_or_404(pk)
    try:
        actions.publish(p, request.user)
    except actions.WorkshopError as e:
        messages.error(request, str(e))
    else:
        messages.success(request, _("The plan is published: participants see their itinerary."))
    return redirect("workshops:plan", p.pk)


@organizer_required
@require_GET
def plan_csv(request, pk: int):
    p = _plan_or_404(pk)
    response = HttpResponse(actions.plan_csv(p), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="plan-{p.kind}-{p.pk}.csv"'
    return response


@organizer_required
@require_http_methods(["GET", "POST"])
def tables(request):
    h = _hall(request)
    if request.method == "POST":
        t = get_object_or_404(Table, hall=h, number=request.POST.get("table"))
        actions.revoke_table(t, request.user)
        messages.success(
            request, _("Table %(n)d has a new QR code: print its cards again.") % {"n": t.number}
        )
        return redirect("workshops:tables")
    received = dict(
        Output.objects.filter(hall=h).values_list("table").annotate(n=Count("pk")).order_by()
    )
    rows = [(t, received.get(t.number, 0)) for t in h.tables.all()]
    return render(request, "workshops/tables.html", {"hall": h, "rows": rows})


@organizer_required
@require_GET
def outputs(request):
    h = _hall(request)
    campaigns, topics = exports.grouped(h)
    return render(
        request,
        "workshops/outputs.html",
        {"hall": h, "campaigns": campaigns, "topics": topics, "run": review.latest_run(h)},
    )


@organizer_required
@require_GET
def outputs_csv(request):
    h = _hall(request)
    response = HttpResponse(exports.outputs_csv(h), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="table-outputs.csv"'
    return response


@organizer_required
@require_GET
def outputs_md(request):
    h = _hall(request)
    response = HttpResponse(
        exports.outputs_markdown(h), content_type="text/markdown; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="table-outputs.md"'
    return response


@organizer_required
@require_GET
def synthesis_md(request):
    """The reviewed synthesis of every campaign (and topic), one after the other."""
    h = _hall(request)
    keys = [c.slug for c in h.campaign_list()]
    keys += sorted({g.campaign for g in review.groups_of(h) if g.campaign.startswith("topic:")})
    text = "\n".join(review.final_markdown(h, k) for k in keys)
    response = HttpResponse(text, content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="synthesis.md"'
    return response


def _pdf(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


#: Badges rendered inside the request (the participants page's "badge" link); more go through
#: a background document.
BADGES_IN_REQUEST = 8


@organizer_required
@require_GET
def table_cards_pdf(request):
    """Old address of the table cards: the documents page prepares them (off the request)."""
    return redirect("workshops:documents")


@organizer_required
@require_GET
def badges_pdf(request):
    """A few participants' badges (`?ids=1,2`), rendered at once; the whole hall or a part is
    a background document (documents page)."""
    h = _hall(request)
    ids = [int(x) for x in request.GET.get("ids", "").split(",") if x.strip().isdigit()]
    if not ids:
        return redirect("workshops:documents")
    if len(ids) > BADGES_IN_REQUEST:
        return HttpResponseBadRequest(
            _("At most %(n)d badges at once here: prepare the others on the documents page.")
            % {"n": BADGES_IN_REQUEST}
        )
    qs = Participant.objects.filter(convention=h.convention, pk__in=ids).select_related("member")
    people = list(qs.order_by("member__last_name", "member__first_name", "pk"))
    if not people:
        raise Http404(_("No participant."))
    return _pdf(pdf.badges(h, people), "badges.pdf")


def _document_targets(h: Hall) -> list[dict]:
    """What the documents page offers: badges (all, each part) and table cards (published
    plans: all steps, each step; topic tables)."""
    targets = []
    hall_plan = actions.published_plan(h)
    topics_plan = actions.published_plan(h, Plan.Kind.TOPICS)
    if hall_plan is not None or topics_plan is not None:
        targets.append({"kind": Document.Kind.BADGES, "params": {}, "label": _("All badges")})
    if hall_plan is not None:
        for n in range(1, h.parts + 1):
            targets.append(
                {
                    "kind": Document.Kind.BADGES,
                    "params": {"part": n},
                    "label": _("Badges of part %(n)d") % {"n": n},
                }
            )
        targets.append(
            {
                "kind": Document.Kind.TABLE_CARDS,
                "params": {"plan": hall_plan.pk},
                "label": _("Table cards, all steps"),
            }
        )
        for s in h.steps.all():
            targets.append(
                {
                    "kind": Document.Kind.TABLE_CARDS,
                    "params": {"plan": hall_plan.pk, "step": s.number},
                    "label": _("Table cards, step %(n)d") % {"n": s.number},
                }
            )
    if topics_plan is not None:
        targets.append(
            {
                "kind": Document.Kind.TABLE_CARDS,
                "params": {"plan": topics_plan.pk},
                "label": _("Topic table cards"),
            }
        )
    if review.latest_run(h) is not None:
        for c in h.campaign_list():
            targets.append(
                {
                    "kind": Document.Kind.SYNTHESIS,
                    "params": {"campaign": c.slug},
                    "label": _("Final synthesis: %(name)s") % {"name": c.name},
                }
            )
    return targets


@organizer_required
@require_GET
def documents(request):
    h = _hall(request)
    targets = _document_targets(h)
    latest: dict[str, Document] = {}
    for d in Document.objects.filter(hall=h).order_by("-requested_at", "-pk")[:200]:
        latest.setdefault(d.key, d)
    for t in targets:
        t["key"] = actions.document_key(t["kind"], t["params"])
        t["document"] = latest.pop(t["key"], None)
    # Documents of other plans (a draft's table cards, a replaced plan) are listed too.
    targets += [
        {"kind": d.kind, "params": d.params, "label": str(d), "key": key, "document": d}
        for key, d in latest.items()
    ]
    for t in targets:
        d = t["document"]
        t["stale"] = (
            d is not None
            and d.status == Document.Status.DONE
            and actions.current_source_digest(d) != d.source_digest
        )
    return render(
        request,
        "workshops/documents.html",
        {
            "hall": h,
            "targets": targets,
            "active": any(t["document"] and t["document"].active for t in targets),
        },
    )


@organizer_required
@require_POST
def document_start(request):
    h = _hall(request)
    kind = request.POST.get("kind", "")
    params = {}
    for name in ("plan", "step", "part"):
        value = request.POST.get(name, "").strip()
        if value:
            if not value.isdigit():
                messages.error(request, _("The plan, the step and the part are numbers."))
                return redirect("workshops:documents")
            params[name] = int(value)
    if request.POST.get("campaign"):
        params["campaign"] = request.POST["campaign"][:130]
    try:
        doc, started = actions.request_document(h, kind, params, actor=request.user)
    except actions.WorkshopError as e:
        messages.error(request, str(e))
        return redirect("workshops:documents")
    if started:
        messages.success(
            request, _("The document is being prepared; this page shows its progress.")
        )
    else:
        messages.info(request, _("This document is already being prepared."))
    return redirect(reverse("workshops:documents") + f"#doc-{doc.pk}")


@organizer_required
@require_GET
def document_file(request, pk: int, name: str):
    h = _hall(request)
    doc = get_object_or_404(Document, hall=h, pk=pk, status=Document.Status.DONE)
    if not doc.file or name != doc.filename():
        raise Http404
    try:
        handle = doc.file.open("rb")
    except FileNotFoundError as e:
        raise Http404(_("The file is gone: prepare the document again.")) from e
    response = FileResponse(handle, content_type="application/pdf", filename=doc.filename())
    response["Content-Disposition"] = f'inline; filename="{doc.filename()}"'
    response["Cache-Control"] = "private, no-store"
    return response


@member_required
@require_GET
def my_badge_pdf(request):
    convention = current_convention_or_404(request)
    participant = get_object_or_404(Participant, convention=convention, member=request.member)
    return _pdf(pdf.badges(actions.get_hall(convention), [participant]), "badge.pdf")


# --- the synthesis and its review (organizers) ------------------------------------------------


@organizer_required
@require_http_methods(["GET", "POST"])
def synthesis(request):
    """The synthesis' runs (start one: a background task) and the groups to review."""
    h = _hall(request)
    if request.method == "POST":
        _run, started = review.request_synthesis(h, actor=request.user)
        if started:
            messages.success(request, _("The synthesis is being computed; reload this page."))
        else:
            messages.info(request, _("The synthesis is already being computed."))
        return redirect("workshops:synthesis")
    run = review.latest_run(h)
    active = SynthesisRun.objects.filter(
        hall=h, status__in=[SynthesisRun.Status.QUEUED, SynthesisRun.Status.RUNNING]
    ).first()
    failed = SynthesisRun.objects.filter(hall=h).first()
    labels = review.names(h)
    groups = []
    for g in review.groups_of(h):
        clusters = g.clusters.annotate(n=Count("ideas", filter=Q(ideas__stale=False)))
        groups.append(
            {
                "group": g,
                "campaign": labels.get(g.campaign, g.campaign),
                "field": labels.get(g.field, g.field),
                "clusters": sum(1 for c in clusters if c.n),
                "retained": sum(1 for c in clusters if c.retained),
                "stale": g.ideas.filter(stale=True).count(),
            }
        )
    campaigns = [{"slug": c.slug, "name": c.name} for c in h.campaign_list()]
    campaigns += [
        {"slug": f"topic:{t.slug}", "name": t.name}
        for t in h.convention.topics.order_by("order", "name")
        if ReviewGroup.objects.filter(hall=h, campaign=f"topic:{t.slug}").exists()
    ]
    return render(
        request,
        "workshops/synthesis.html",
        {
            "hall": h,
            "run": run,
            "active": active,
            "failed": failed if failed and failed.status == SynthesisRun.Status.FAILED else None,
            "groups": groups,
            "campaigns": campaigns,
        },
    )


def _review_post(request, group) -> None:
    """One decision of the review page; errors become messages."""
    op = request.POST.get("op", "")

    def cluster(name):
        value = request.POST.get(name, "")
        c = ReviewCluster.objects.filter(group=group, pk=value).first() if value.isdigit() else None
        if c is None:
            raise review.ReviewError(_("Choose a cluster of this group."))
        return c

    def idea(value):
        i = ReviewIdea.objects.filter(group=group, pk=value).first() if value.isdigit() else None
        if i is None:
            raise review.ReviewError(_("Choose an idea of this group."))
        return i

    if op == "merge":
        review.merge_clusters(cluster("cluster"), cluster("other"), actor=request.user)
        messages.success(request, _("The clusters are merged."))
    elif op == "split":
        chosen = [idea(v) for v in request.POST.getlist("ideas")]
        review.split_cluster(
            cluster("cluster"), chosen, actor=request.user, label=request.POST.get("label", "")
        )
        messages.success(request, _("The chosen ideas form a new cluster."))
    elif op == "move":
        target = None if request.POST.get("other") == "alone" else cluster("other")
        review.move_idea(idea(request.POST.get("idea", "")), target, actor=request.user)
        messages.success(request, _("The idea is moved."))
    elif op == "rename":
        review.rename_cluster(cluster("cluster"), request.POST.get("label", ""), actor=request.user)
        messages.success(request, _("The cluster is renamed."))
    elif op in ("retain", "unretain"):
        target = idea(request.POST["idea"]) if request.POST.get("idea") else cluster("cluster")
        review.set_retained(target, op == "retain", actor=request.user)
        messages.success(request, _("Retained.") if op == "retain" else _("No longer retained."))
    else:
        raise review.ReviewError(_("Unknown decision."))


@organizer_required
@require_http_methods(["GET", "POST"])
def review_group(request, pk: int):
    """One (campaign, step, field): the machine's grouping beside the reviewed one."""
    h = _hall(request)
    group = get_object_or_404(ReviewGroup.objects.select_related("run"), hall=h, pk=pk)
    if request.method == "POST":
        try:
            _review_post(request, group)
        except review.ReviewError as e:
            messages.error(request, str(e))
        return redirect(reverse("workshops:review", args=[group.pk]) + "#reviewed")
    labels = review.names(h)
    report = next((r for r in group.run.report if r.get("group") == group.pk), None)
    return render(
        request,
        "workshops/review.html",
        {
            "hall": h,
            "group": group,
            "campaign": labels.get(group.campaign, group.campaign),
            "field": labels.get(group.field, group.field),
            "step_title": review.step_titles(h).get(group.step, ""),
            "machine": review.machine_group(group),
            "clusters": review.reviewed_clusters(group),
            "report": report,
        },
    )


def _campaign_or_404(h: Hall, campaign: str) -> None:
    known = {c.slug for c in h.campaign_list()} | {
        f"topic:{t.slug}" for t in h.convention.topics.all()
    }
    if campaign not in known:
        raise Http404(_("No such campaign."))


@organizer_required
@require_GET
def final(request, campaign: str):
    h = _hall(request)
    _campaign_or_404(h, campaign)
    params = {"campaign": campaign}
    key = actions.document_key(Document.Kind.SYNTHESIS, params)
    doc = Document.objects.filter(hall=h, key=key).first()
    return render(
        request,
        "workshops/final.html",
        {
            "hall": h,
            "data": review.final_synthesis(h, campaign),
            "axes": len(review.retained_axes(h, campaign)),
            "run": review.latest_run(h),
            "document": doc,
            "stale": doc is not None
            and doc.status == Document.Status.DONE
            and actions.current_source_digest(doc) != doc.source_digest,
        },
    )


@organizer_required
@require_GET
def final_md(request, campaign: str):
    h = _hall(request)
    _campaign_or_404(h, campaign)
    response = HttpResponse(
        review.final_markdown(h, campaign), content_type="text/markdown; charset=utf-8"
    )
    name = campaign.replace(":", "-")
    response["Content-Disposition"] = f'attachment; filename="synthesis-{name}.md"'
    return response


@organizer_required
@require_POST
def final_vote(request, campaign: str):
    """The hall ranks the campaign's retained axes: a draft in-hall vote, opened from its page."""
    h = _hall(request)
    _campaign_or_404(h, campaign)
    try:
        vote = review.vote_on_axes(h, campaign, actor=request.user)
    except review.ReviewError as e:
        messages.error(request, str(e))
        return redirect("workshops:final", campaign)
    messages.success(request, _("A draft in-hall vote on the axes is ready: check it, open it."))
    return redirect("votes:manage", vote.pk)
