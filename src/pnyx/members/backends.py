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


BACKEND = "pnyx.members.backends.MemberAwareBackend"
