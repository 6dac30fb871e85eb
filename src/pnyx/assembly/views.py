"""Pages of the assembly: the public page (composition, members, mandates, calendar, every
draw with its files and the command to re-check it), its iCalendar, the member's invitation,
and the organizers' page. Views parse, call an action, render."""

from __future__ import annotations

import csv
import io
import shlex

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from pnyx.core.ratelimit import by_address_and_user, rate_limited
from pnyx.members.models import Member
from pnyx.programme.models import current_convention_or_404
from pnyx.programme.permissions import member_required, organizer_required

from . import actions
from .forms import (
    AnswerForm,
    AssemblyForm,
    CollegeForm,
    DesignateForm,
    MilestoneForm,
    SeedForm,
    WaveForm,
)
from .ical import assembly_ics
from .models import Assembly, Candidate, College, Mandate, Wave

FILES = {
    "DIST.json": "application/json",
    "POOL.csv": "text/csv",
    "QUOTAS.csv": "text/csv",
    "PANEL.csv": "text/csv",
}


def _assembly(request) -> Assembly:
    convention = current_convention_or_404(request)
    assembly = Assembly.objects.filter(convention=convention).first()
    if assembly is None or (not assembly.launched_at and not actions.is_organizer(request.user)):
        raise Http404(_("The representative assembly is not set up yet."))
    return assembly


def verify_command(wave: Wave) -> str:
    return (
        f"pnyx verify-draw --distribution DIST.json --seed {shlex.quote(wave.seed)} "
        "--panel PANEL.csv"
    )


def _colleges(assembly: Assembly, today):
    out = []
    for college in assembly.colleges.all():
        mandates = [m for m in college.mandates.all() if m.ends_on > today]
        out.append(
            {
                "college": college,
                "mandates": mandates,
                "waves": [
                    w
                    for w in college.waves.all()
                    if w.status in (Wave.Status.PUBLISHED, Wave.Status.REVEALED)
                ],
            }
        )
    return out


@require_GET
def public(request):
    try:
        assembly = _assembly(request)
    except Http404:
        current_convention_or_404(request)
        return render(request, "assembly/not_yet.html")
    today = timezone.localdate()
    colleges = _colleges(assembly, today)
    for c in colleges:
        for w in c["waves"]:
            w.command = verify_command(w) if w.seed else ""
    return render(
        request,
        "assembly/public.html",
        {
            "assembly": assembly,
            "colleges": colleges,
            "milestones": assembly.milestones.all(),
            "seats": sum(c["college"].seats for c in colleges),
        },
    )


@require_GET
def calendar(request):
    assembly = _assembly(request)
    host = request.get_host().split(":")[0]
    response = HttpResponse(
        assembly_ics(assembly, host), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{assembly.convention.slug}-assemblee.ics"'
    )
    return response


def file_bytes(wave: Wave, name: str) -> bytes:
    if name == "DIST.json":
        return bytes(wave.distribution)
    if name == "POOL.csv":
        return wave.pool_csv.encode()
    if name == "QUOTAS.csv":
        return wave.quotas_csv.encode()
    # PANEL.csv: the drawn (codes and features), as `pnyx verify-draw --panel` reads it.
    rows = list(csv.reader(io.StringIO(wave.pool_csv)))
    drawn = set(wave.candidates.values_list("code", flat=True))
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(rows[0])
    for row in rows[1:]:
        if row[0] in drawn:
            w.writerow(row)
    return out.getvalue().encode()


@require_GET
def download(request, pk: int, name: str):
    assembly = _assembly(request)
    wave = get_object_or_404(Wave, pk=pk, college__assembly=assembly)
    if name not in FILES or not wave.digest or (name == "PANEL.csv" and not wave.seed):
        raise Http404
    response = HttpResponse(file_bytes(wave, name), content_type=FILES[name])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@member_required
@require_http_methods(["GET", "POST"])
@rate_limited("assembly_answer", key=by_address_and_user)
def mine(request):
    candidates = Candidate.objects.filter(member=request.member).select_related(
        "wave__college__assembly"
    )
    if request.method == "POST":
        candidate = get_object_or_404(candidates, pk=request.POST.get("candidate") or 0)
        form = AnswerForm(request.POST)
        if form.is_valid():
            try:
                c = actions.answer(
                    candidate,
                    accept=form.cleaned_data["decision"] == "accept",
                    public_name=form.cleaned_data["public_name"],
                    actor=request.member,
                )
            except actions.AssemblyError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, c.get_status_display())
            return redirect("assembly:mine")
        messages.error(request, _("Choose to accept or to decline."))
    return render(
        request,
        "assembly/mine.html",
        {
            "candidates": candidates,
            "default_name": f"{request.member.first_name} {request.member.last_name[:1]}.",
            "mandates": Mandate.objects.filter(member=request.member).select_related("college"),
        },
    )


def _organizer_post(request, assembly):
    op = request.POST.get("op")
    user = request.user
    if op == "assembly":
        form = AssemblyForm(request.POST)
        if not form.is_valid():
            return form
        actions.create_assembly(current_convention_or_404(request), actor=user, **form.cleaned_data)
        return None
    if assembly is None:
        raise Http404
    if op == "college":
        form = CollegeForm(request.POST)
        if not form.is_valid():
            return form
        d = form.cleaned_data
        actions.add_college(
            assembly,
            name=d["name"],
            seats=d["seats"],
            eligibility=d["eligibility"],
            rules=form.rules(),
            actor=user,
        )
    elif op == "calendar":
        actions.launch_calendar(assembly, actor=user)
    elif op == "milestone":
        form = MilestoneForm(request.POST)
        if not form.is_valid():
            return form
        actions.add_milestone(assembly, actor=user, **form.cleaned_data)
    else:
        college = get_object_or_404(College, pk=request.POST.get("college") or 0, assembly=assembly)
        if op == "wave":
            form = WaveForm(request.POST)
            if not form.is_valid():
                return form
            actions.expire_answers(college, actor=user)
            actions.launch_wave(college, round_=form.cleaned_data["round"], actor=user)
        elif op == "seed":
            wave = get_object_or_404(Wave, pk=request.POST.get("wave") or 0, college=college)
            form = SeedForm(request.POST)
            if not form.is_valid():
                return form
            actions.reveal_wave(wave, actor=user, **form.cleaned_data)
        elif op == "designate":
            form = DesignateForm(request.POST)
            if not form.is_valid():
                return form
            member = Member.objects.filter(external_id=form.cleaned_data["member"].strip()).first()
            if member is None:
                raise actions.AssemblyError(_("No member has this id."))
            actions.designate(
                college,
                member=member,
                body=form.cleaned_data["body"],
                public_name=form.cleaned_data["public_name"],
                actor=user,
            )
        else:
            raise Http404
    return None


@organizer_required
@require_http_methods(["GET", "POST"])
def organizer(request):
    convention = current_convention_or_404(request)
    assembly = Assembly.objects.filter(convention=convention).first()
    if request.method == "POST":
        try:
            bad = _organizer_post(request, assembly)
        except (actions.AssemblyError, PermissionDenied) as exc:
            messages.error(request, str(exc))
        else:
            if bad is None:
                messages.success(request, _("Done."))
            else:
                messages.error(
                    request, "; ".join(f"{k}: {' '.join(v)}" for k, v in bad.errors.items())
                )
        return redirect("assembly:organizer")
    colleges = []
    if assembly is not None:
        for college in assembly.colleges.all():
            waves = list(college.waves.all())
            current_round = max((w.round for w in waves), default=0)
            colleges.append(
                {
                    "college": college,
                    "waves": waves,
                    "free": len(actions.free_seats(college, current_round)),
                    "counts": actions.round_counts(college, current_round),
                    "invited": Candidate.objects.filter(
                        wave__college=college, wave__round=current_round
                    ).select_related("member"),
                    "next_size": actions.next_wave_size(college, current_round)
                    if college.drawn
                    else 0,
                    "problems": actions.describe(actions.check_college(college))
                    if college.drawn
                    else "",
                }
            )
    return render(
        request,
        "assembly/organizer.html",
        {
            "assembly": assembly,
            "colleges": colleges,
            "assembly_form": AssemblyForm(),
            "college_form": CollegeForm(),
            "milestone_form": MilestoneForm(),
            "wave_form": WaveForm(),
            "seed_form": SeedForm(),
            "designate_form": DesignateForm(),
        },
    )
