"""The admin is a window on the apps' actions, never a side door.

Every registered model admin is either a `ReadOnlyAdmin` (it shows, changes nothing) or an
`ActionAdmin`, whose every save and delete, inlines and many-to-many links included, goes
through one action of the app (which checks, writes and journals in one transaction).
`tests/test_admin.py` walks the admin site and fails on any other kind.
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse


class ReadOnlyInline:
    """Mixin for inlines (and admins) that only show."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnlyInline, admin.ModelAdmin):
    """An admin that only shows: every change goes through the app's journaled actions."""


class ActionAdmin(admin.ModelAdmin):
    """Saves and deletes go through the app's actions:

    - `save_action(obj, *, actor, m2m)` creates or changes `obj` (not yet saved) with its
      many-to-many links (`m2m`: field name -> objects), and journals it;
    - `delete_action(obj, *, actor)` deletes it, or refuses with one of `action_errors`.

    Inlines are saved through the same two actions, one object at a time. An action's refusal is
    shown as an error message and nothing is written.
    """

    save_action = None
    delete_action = None
    action_errors: tuple[type[Exception], ...] = (ValidationError,)

    def _m2m(self, form) -> dict:
        names = {f.name for f in form.instance._meta.many_to_many}
        return {n: form.cleaned_data[n] for n in names if n in form.cleaned_data}

    def save_model(self, request, obj, form, change):
        type(self).save_action(obj, actor=request.user, m2m=self._m2m(form))

    def save_related(self, request, form, formsets, change):
        # the many-to-many links were set by save_model's action, with its journal row
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request, form, formset, change):
        formset.save(commit=False)  # fills deleted_objects, new and changed objects, no write
        for obj in formset.deleted_objects:
            type(self).delete_action(obj, actor=request.user)
        deleted = {id(o) for o in formset.deleted_objects}
        for f in formset.forms:
            obj = f.instance
            if id(obj) in deleted or not f.has_changed():
                continue
            if formset.can_delete and formset._should_delete_form(f):
                continue  # a new row ticked for deletion: nothing to create
            if formset.fk is not None:  # an inline: its parent is the saved object
                setattr(obj, formset.fk.name, form.instance)
            type(self).save_action(obj, actor=request.user, m2m=self._m2m(f))

    def delete_model(self, request, obj):
        type(self).delete_action(obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                type(self).delete_action(obj, actor=request.user)

    def _refused(self, request, exc, object_id=None):
        text = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        self.message_user(request, text, messages.ERROR)
        opts = self.model._meta
        if object_id:
            return redirect(
                reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[object_id])
            )
        return redirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except self.action_errors as exc:
            return self._refused(request, exc, object_id)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except self.action_errors as exc:
            return self._refused(request, exc, object_id)

    def changelist_view(self, request, extra_context=None):
        if request.method != "POST":
            return super().changelist_view(request, extra_context)
        try:
            with transaction.atomic():  # a refused bulk action leaves no admin log row either
                return super().changelist_view(request, extra_context)
        except self.action_errors as exc:
            return self._refused(request, exc)
