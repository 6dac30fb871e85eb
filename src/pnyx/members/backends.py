from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class MemberAwareBackend(ModelBackend):
    """The model backend, fetching the user's member record in the same query."""

    def get_user(self, user_id):
        User = get_user_model()
        try:
            user = User._default_manager.select_related("member").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    def user_can_authenticate(self, user):
        """An inactive member's user is refused at every request, whatever opened the session
        (badge, sign-in link) and whatever stores it (database, Redis)."""
        if not super().user_can_authenticate(user):
            return False
        member = getattr(user, "member", None)
        return member is None or member.active


BACKEND = "pnyx.members.backends.MemberAwareBackend"
