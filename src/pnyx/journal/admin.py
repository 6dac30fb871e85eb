from django.contrib import admin

from pnyx.core.admin import ReadOnlyAdmin

from .models import JournalEntry


@admin.register(JournalEntry)
class JournalEntryAdmin(ReadOnlyAdmin):
    list_display = ("seq", "created_at", "actor", "action", "object_type", "object_id")
    list_filter = ("action",)
    search_fields = ("action", "actor", "object_id")
