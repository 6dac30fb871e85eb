from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _


def is_organizer(user) -> bool:
    """Organizers: signed-in staff with the moderation permission (interventions, votes, draws,
    workshops, the charter, the assembly and the live console all use this one test)."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_staff
        and user.has_perm("programme.moderate_intervention")
    )


def organizer_required(view):
    """Staff with the moderation permission; others get 403 (or the sign-in page)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_organizer(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def member_required(view):
    """A signed-in user who is a member (has a Member record)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        member = getattr(request.user, "member", None)
        if member is None:
            return render(
                request,
                "programme/not_a_member.html",
                {"message": _("This page is for members of the movement.")},
                status=403,
            )
        request.member = member
        return view(request, *args, **kwargs)

    return wrapper
