"""Read-only views of draws in the admin: every change goes through the ceremony's actions."""

from django.contrib import admin

from .models import Draw, Invitation, Pool


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Pool)
class PoolAdmin(ReadOnlyAdmin):
    list_display = ["name", "convention", "size", "created_at"]


@admin.register(Draw)
class DrawAdmin(ReadOnlyAdmin):
    list_display = ["title", "convention", "size", "method", "status", "published_at"]
    list_filter = ["status"]
    exclude = ["distribution", "profiles"]


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    list_display = ["entry", "draw", "status", "replacement_number", "deadline"]
    list_filter = ["status", "draw"]
    list_select_related = ["entry", "draw"]
