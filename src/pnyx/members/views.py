from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from pnyx.core.ratelimit import rate_limited
from pnyx.programme.sessions import forget_badge

from . import actions
from .backends import BACKEND
from .forms import SignInForm
from .tasks import send_sign_in_link_task


@require_http_methods(["GET", "POST"])
@rate_limited("sign_in")
def sign_in(request):
    if request.method == "POST":
        form = SignInForm(request.POST)
        if form.is_valid():
            # The same work for every address, known or not: one task, off the request.
            email = form.cleaned_data["email"].strip().lower()
            send_sign_in_link_task.enqueue(
                email, actions.safe_next(form.cleaned_data["next"]), translation.get_language()
            )
            return render(request, "members/sign_in_sent.html", {"email": email})
    else:
        form = SignInForm(initial={"next": actions.safe_next(request.GET.get("next"))})
    return render(request, "members/sign_in.html", {"form": form})


@require_http_methods(["GET", "POST"])
@rate_limited("sign_in_link", methods=("GET", "POST"), failures_only=True)
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
