"""Members in the admin: they only show; deactivating and reactivating go through the journaled
actions (bulk actions of the list). Importing members has its own command. Accounts (users and
groups: who may organize) are edited here, through journaled actions."""

from contextvars import ContextVar

from django.contrib import admin, messages
from django.contrib.auth import admin as auth_admin
from django.contrib.auth.models import Group, User
from django.utils.translation import gettext_lazy as _

from pnyx.core.admin import ActionAdmin, ReadOnlyAdmin

from . import actions
from .models import ActionGroup, Member


@admin.register(ActionGroup)
class ActionGroupAdmin(ReadOnlyAdmin):
    search_fields = ("name",)


@admin.register(Member)
class MemberAdmin(ReadOnlyAdmin):
    list_display = (
        "external_id",
        "first_name",
        "last_name",
        "email",
        "gender",
        "region",
        "volunteer",
        "active",
    )
    list_filter = ("gender", "volunteer", "active", "region")
    search_fields = ("external_id", "first_name", "last_name", "email")
    exclude = ("user",)
    actions = ["deactivate", "reactivate"]

    def has_activation_permission(self, request):
        return request.user.has_perm("members.change_member")

    def _each(self, request, queryset, action, done):
        n = 0
        for member in queryset:
            try:
                action(member, actor=request.user)
            except actions.MemberError as exc:
                self.message_user(request, f"{member}: {exc}", messages.WARNING)
            else:
                n += 1
        self.message_user(request, done % {"n": n})

    @admin.action(
        description=_("Deactivate (every session of theirs ends)"), permissions=["activation"]
    )
    def deactivate(self, request, queryset):
        self._each(request, queryset, actions.deactivate_member, _("%(n)d members deactivated."))

    @admin.action(description=_("Reactivate"), permissions=["activation"])
    def reactivate(self, request, queryset):
        self._each(request, queryset, actions.reactivate_member, _("%(n)d members reactivated."))


# --- accounts: Django's user and group admins, with their writes through the actions ---------

_password_actor: ContextVar = ContextVar("pnyx_password_actor")


class _JournaledPasswordForm(auth_admin.UserAdmin.change_password_form):
    def save(self, commit=True):
        user = super().save(commit=False)
        if commit:
            actions.save_account(user, actor=_password_actor.get())
        return user


class AccountAdmin(ActionAdmin):
    save_action = staticmethod(actions.save_account)
    delete_action = staticmethod(actions.delete_account)
    action_errors = (*ActionAdmin.action_errors, actions.MemberError)


admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class UserAdmin(AccountAdmin, auth_admin.UserAdmin):
    change_password_form = _JournaledPasswordForm

    def user_change_password(self, request, id, form_url=""):
        token = _password_actor.set(request.user)
        try:
            return super().user_change_password(request, id, form_url)
        finally:
            _password_actor.reset(token)


@admin.register(Group)
class GroupAdmin(AccountAdmin, auth_admin.GroupAdmin):
    pass
