from django import template

from pnyx.core.cache import TTLCache

register = template.Library()

# Whether a member takes part, asked by the menu on every page: kept a minute per process (a
# member who has just accepted a seat sees the link within that time).
_participants = TTLCache(seconds=60.0, max_entries=50_000)


@register.simple_tag(takes_context=True)
def is_participant(context) -> bool:
    """Whether the signed-in user takes part in the current convention."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or user is None or not user.is_authenticated:
        return False
    from pnyx.programme.models import Participant, current_convention

    member = getattr(user, "member", None)
    convention = current_convention(request)
    if member is None or convention is None:
        return False
    return _participants.get(
        (convention.pk, member.pk),
        lambda: Participant.objects.filter(convention=convention, member=member).exists(),
    )
