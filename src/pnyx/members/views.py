from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from pnyx.programme.sessions import forget_badge

from . import actions
from .backends import BACKEND
from .forms import SignInForm


@require_http_methods(["GET", "POST"])
def sign_in(request):
    if request.method == "POST":
        form = SignInForm(request.POST)
        if form.is_valid():
            actions.send_sign_in_link(form.cleaned_data["email"], form.cleaned_data["next"])
            return render(
                request, "members/sign_in_sent.html", {"email": form.cleaned_data["email"]}
            )
    else:
        form = SignInForm(initial={"next": actions.safe_next(request.GET.get("next"))})
    return render(request, "members/sign_in.html", {"form": form})


@require_http_methods(["GET", "POST"])
def sign_in_link(request, token):
    """GET shows a button (mail scanners follow links but do not post); POST signs in."""
    if request.method == "GET":
        valid = actions.find_valid_token(token) is not None
        return render(
            request, "members/sign_in_confirm.html", {"valid": valid}, status=200 if valid else 410
        )
    result = actions.consume_token(token)
    if result is None:
        return render(request, "members/sign_in_confirm.html", {"valid": False}, status=410)
    user, next_url = result
    login(request, user, backend=BACKEND)
    forget_badge(request)  # this session no longer hangs on a badge
    messages.success(request, _("You are signed in."))
    return redirect(next_url or "programme:home")
