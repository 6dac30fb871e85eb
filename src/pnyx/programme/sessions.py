"""Sessions opened by a badge remember which badge, and version, opened them.

The check runs on every request that carries such a session, whatever the session backend
(database, cache, Redis, signed cookies): once the badge is revoked (its version bumped, see
`pnyx.programme.actions.revoke_badge`) or the participant removed, the session is flushed and the
request is anonymous.
"""

from __future__ import annotations

from django.contrib.auth import logout

BADGE_SESSION_KEY = "pnyx_badge"


def remember_badge(request, participant) -> None:
    """Call right after `login()` from a badge."""
    request.session[BADGE_SESSION_KEY] = f"{participant.pk}:{participant.badge_version}"


def forget_badge(request) -> None:
    """Call right after a sign-in that is not a badge's (the session no longer depends on it)."""
    request.session.pop(BADGE_SESSION_KEY, None)


def badge_is_current(value) -> bool:
    from .models import Participant

    try:
        pk, version = (int(part) for part in str(value).split(":"))
    except ValueError:
        return False
    return Participant.objects.filter(pk=pk, badge_version=version).exists()


class BadgeSessionMiddleware:
    """After `AuthenticationMiddleware`: a session whose badge was revoked is signed out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        value = request.session.get(BADGE_SESSION_KEY)
        if value is not None and not badge_is_current(value):
            logout(request)  # flushes the session in its store, request.user becomes anonymous
        return self.get_response(request)
