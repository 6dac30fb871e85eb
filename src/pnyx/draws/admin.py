"""Read-only views of draws in the admin: every change goes through the ceremony's actions."""

from django.contrib import admin

from pnyx.core.admin import ReadOnlyAdmin

from .models import Draw, Invitation, Pool


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
