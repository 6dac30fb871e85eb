from datetime import datetime

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from pnyx.core.ratelimit import rate_limited
from pnyx.members.actions import safe_next, user_for_member
from pnyx.members.backends import BACKEND

from . import actions
from .forms import InterventionForm, ModerationForm, PlacementForm
from .ical import programme_ics
from .models import (
    Convention,
    Intervention,
    InterventionStatus,
    Item,
    ItemKind,
    Participant,
    current_convention,
    current_convention_or_404,
)
from .permissions import member_required, organizer_required
from .sessions import remember_badge
from .uploads import UploadRejected


def _days_with_items(convention: Convention):
    placed = (
        Intervention.objects.filter(slot__isnull=False)
        .select_related("member")
        .order_by("slot_position")
    )
    items = Item.objects.prefetch_related(
        "campaigns", "topics", Prefetch("placed_interventions", queryset=placed, to_attr="placed")
    )
    return convention.days.prefetch_related(Prefetch("items", queryset=items))


@require_GET
def home(request):
    convention = current_convention(request)
    if convention is None:
        return render(request, "programme/empty.html")
    return render(
        request,
        "programme/programme.html",
        {
            "convention": convention,
            "days": _days_with_items(convention),
            "news": convention.news.filter(published=True, published_at__lte=timezone.now())[:5],
        },
    )


@require_GET
def news_list(request):
    convention = current_convention_or_404(request)
    return render(
        request,
        "programme/news.html",
        {
            "convention": convention,
            "news": convention.news.filter(published=True, published_at__lte=timezone.now()),
        },
    )


@require_GET
def calendar(request):
    convention = current_convention_or_404(request)
    response = HttpResponse(
        programme_ics(convention, request), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{convention.slug}.ics"'
    return response


def _intervention_form_view(request, convention, instance=None):
    form_kwargs = {"convention": convention, "instance": instance}
    if request.method == "POST":
        # A body over this page's limit never reaches here (pnyx.core.bodies: 413 at once).
        form = InterventionForm(request.POST, request.FILES, **form_kwargs)
        if form.is_valid():
            data = {
                k: form.cleaned_data.get(k)
                for k in ("title", "summary", "campaign", "item", "format", "video_link")
            }
            try:
                if instance is None:
                    actions.submit_intervention(
                        request.member, convention, data, form.cleaned_data.get("video")
                    )
                    messages.success(
                        request, _("Your proposal was sent. You will get an email at each step.")
                    )
                else:
                    actions.revise_intervention(
                        instance, request.member, data, form.cleaned_data.get("video")
                    )
                    messages.success(
                        request, _("Your proposal was updated and will be reviewed again.")
                    )
                return None, 302
            except UploadRejected as exc:
                form.add_error("video", str(exc))
            except actions.ProposalError as exc:
                form.add_error(None, str(exc))
        return form, 400
    return InterventionForm(**form_kwargs), 200


@member_required
@require_http_methods(["GET", "POST"])
def propose(request):
    convention = current_convention_or_404(request)
    if not convention.call_is_open():
        return render(
            request, "programme/propose_closed.html", {"convention": convention}, status=403
        )
    if not actions.may_propose(request.member, convention):
        return render(
            request, "programme/propose_drawn.html", {"convention": convention}, status=403
        )
    form, status = _intervention_form_view(request, convention)
    if form is None:
        return redirect("programme:my_interventions")
    return render(
        request, "programme/propose.html", {"convention": convention, "form": form}, status=status
    )


@member_required
@require_http_methods(["GET", "POST"])
def revise(request, pk):
    intervention = get_object_or_404(Intervention, pk=pk, member=request.member)
    if not intervention.editable_by_member:
        messages.error(request, _("This proposal has been decided and can no longer be changed."))
        return redirect("programme:my_interventions")
    form, status = _intervention_form_view(request, intervention.convention, instance=intervention)
    if form is None:
        return redirect("programme:my_interventions")
    return render(
        request,
        "programme/propose.html",
        {"convention": intervention.convention, "form": form, "intervention": intervention},
        status=status,
    )


@member_required
@require_GET
def my_interventions(request):
    interventions = (
        Intervention.objects.filter(member=request.member)
        .select_related("convention", "campaign", "slot", "slot__day")
        .order_by("-created_at")
    )
    return render(request, "programme/my_interventions.html", {"interventions": interventions})


@require_GET
def video(request, pk):
    """Stream an uploaded video to its author, to organizers, or to all once it is programmed."""
    intervention = get_object_or_404(Intervention, pk=pk)
    if not intervention.video_file:
        raise Http404
    user = request.user
    is_owner = (
        user.is_authenticated
        and getattr(getattr(user, "member", None), "pk", None) == intervention.member_id
    )
    is_organizer = (
        user.is_authenticated and user.is_staff and user.has_perm("programme.moderate_intervention")
    )
    is_public = (
        intervention.status == InterventionStatus.ACCEPTED and intervention.slot_id is not None
    )
    if not (is_owner or is_organizer or is_public):
        raise PermissionDenied
    response = FileResponse(
        intervention.video_file.open("rb"), content_type=intervention.video_type
    )
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _now_for_screen(request):
    """The live screen's clock; `?at=2026-11-28T14:50` rehearses a moment of the programme."""
    at = request.GET.get("at")
    if at:
        try:
            moment = datetime.fromisoformat(at)
        except ValueError:
            moment = None
        if moment is not None:
            return timezone.make_aware(moment) if timezone.is_naive(moment) else moment
    return timezone.now()


@require_GET
def screen(request):
    """The hall's projector: what is happening now, what comes next. Refreshes itself."""
    convention = current_convention_or_404(request)
    from pnyx.live.screens import follow_context, hall_screen_if_driven

    if "at" not in request.GET and (driven := hall_screen_if_driven(request, convention)):
        return driven  # a console drives the day: the screen shows what the operator says
    now = timezone.localtime(_now_for_screen(request))
    items = [
        (
            datetime.combine(item.day.date, item.starts_at, tzinfo=now.tzinfo),
            datetime.combine(item.day.date, item.ends_at, tzinfo=now.tzinfo),
            item,
        )
        for item in Item.objects.filter(day__convention=convention)
        .select_related("day")
        .prefetch_related(
            "campaigns",
            Prefetch(
                "placed_interventions",
                queryset=Intervention.objects.select_related("member").order_by("slot_position"),
                to_attr="placed",
            ),
        )
        .order_by("day__date", "starts_at")
    ]
    current = next((i for start, end, i in items if start <= now < end), None)
    upcoming = [i for start, _end, i in items if start > now][:2]
    synthesis = []
    if current is not None and current.kind == ItemKind.CONCLUSION:
        # At the conclusion the screen shows what the organizers retained of the tables' work.
        from pnyx.workshops.models import Hall
        from pnyx.workshops.review import retained_for_screen

        hall = Hall.objects.filter(convention=convention).first()
        synthesis = retained_for_screen(hall) if hall is not None else []
    return render(
        request,
        "programme/screen.html",
        {
            "convention": convention,
            "now": now,
            "current": current,
            "upcoming": upcoming,
            "synthesis": synthesis,
            "refresh": 20,
            "live": follow_context(convention),  # reloads at once when a console takes over
        },
    )


@require_http_methods(["GET", "POST"])
@rate_limited("sign_in_link", methods=("GET", "POST"), failures_only=True)
def badge(request, pk, token):
    """The QR code of a participant's badge: signs the participant in and marks them present."""
    participant = Participant.objects.select_related("member", "convention").filter(pk=pk).first()
    if participant is None or not participant.badge_token_matches(token):
        return render(request, "programme/badge.html", {"valid": False}, status=404)
    if request.method == "GET":
        return render(request, "programme/badge.html", {"valid": True, "participant": participant})
    actions.check_in(participant)
    login(
        request,
        user_for_member(participant.member),
        backend=BACKEND,
    )
    remember_badge(request, participant)
    messages.success(request, _("Welcome, %(name)s.") % {"name": participant.member.first_name})
    return redirect(
        request.POST.get("next") if safe_next(request.POST.get("next")) else "programme:home"
    )


# --- organizers ---------------------------------------------------------------------------


@organizer_required
@require_GET
def organizer_home(request):
    """Every organizer page, from one place (the menu keeps a single "Organizers" link)."""
    convention = current_convention_or_404(request)
    return render(
        request,
        "programme/organizer_home.html",
        {
            "convention": convention,
            "to_moderate": convention.interventions.filter(
                status=InterventionStatus.SUBMITTED
            ).count(),
        },
    )


@organizer_required
@require_GET
def moderation_list(request):
    convention = current_convention_or_404(request)
    status = request.GET.get("status") or InterventionStatus.SUBMITTED
    qs = (
        Intervention.objects.filter(convention=convention)
        .select_related("member", "campaign", "item", "slot", "slot__day")
        .order_by("created_at")
    )
    if status != "all":
        qs = qs.filter(status=status)
    counts = {
        s: convention.interventions.filter(status=s).count() for s in InterventionStatus.values
    }
    rows = [
        (
            i,
            ModerationForm(prefix=f"m{i.pk}"),
            PlacementForm(prefix=f"p{i.pk}", convention=convention),
        )
        for i in qs
    ]
    return render(
        request,
        "programme/moderation.html",
        {
            "convention": convention,
            "rows": rows,
            "status": status,
            "statuses": InterventionStatus.choices,
            "counts": counts,
        },
    )


def _back_to_moderation(request):
    status = request.POST.get("back_status", "")
    url = reverse("programme:moderation")
    return redirect(f"{url}?status={status}" if status else url)


@organizer_required
@require_POST
def moderate(request, pk):
    intervention = get_object_or_404(Intervention, pk=pk)
    form = ModerationForm(request.POST, prefix=f"m{pk}")
    if not form.is_valid():
        messages.error(request, _("Choose a decision."))
        return _back_to_moderation(request)
    try:
        actions.moderate(
            intervention, form.cleaned_data["decision"], request.user, form.cleaned_data["note"]
        )
        messages.success(
            request, _("Decision recorded for “%(title)s”.") % {"title": intervention.title}
        )
    except actions.ProposalError as exc:
        messages.error(request, f"“{intervention.title}”: {exc}")
    return _back_to_moderation(request)


@organizer_required
@require_POST
def place(request, pk):
    intervention = get_object_or_404(Intervention, pk=pk)
    form = PlacementForm(request.POST, prefix=f"p{pk}", convention=intervention.convention)
    if not form.is_valid():
        messages.error(request, _("Choose a testimony slot."))
        return _back_to_moderation(request)
    try:
        actions.place(
            intervention, form.cleaned_data["slot"], request.user, form.cleaned_data["position"]
        )
        messages.success(
            request, _("“%(title)s” is in the programme.") % {"title": intervention.title}
        )
    except actions.ProposalError as exc:
        messages.error(request, f"“{intervention.title}”: {exc}")
    if request.POST.get("back") == "slots":
        return redirect("programme:slots")
    return _back_to_moderation(request)


@organizer_required
@require_POST
def unplace(request, pk):
    intervention = get_object_or_404(Intervention, pk=pk)
    actions.unplace(intervention, request.user)
    messages.success(
        request, _("“%(title)s” was taken out of the programme.") % {"title": intervention.title}
    )
    return redirect("programme:slots")


@organizer_required
@require_GET
def slots(request):
    convention = current_convention_or_404(request)
    return render(
        request,
        "programme/slots.html",
        {"convention": convention, "days": _days_with_items(convention)},
    )
