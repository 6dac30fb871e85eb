from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def is_participant(context) -> bool:
    """Whether the signed-in user takes part in the current convention (cached per request)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or user is None or not user.is_authenticated:
        return False
    cached = getattr(request, "_pnyx_is_participant", None)
    if cached is None:
        from pnyx.programme.models import Participant, current_convention

        member = getattr(user, "member", None)
        convention = current_convention(request)
        cached = bool(
            member
            and convention
            and Participant.objects.filter(convention=convention, member=member).exists()
        )
        request._pnyx_is_participant = cached
    return cached
