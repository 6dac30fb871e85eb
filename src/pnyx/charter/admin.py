"""Read-only views of charters: texts, amendments and votes change through the organizer
pages and `pnyx.charter.actions`, which journal them."""

from django.contrib import admin

from pnyx.core.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import Amendment, Article, Charter


class ArticleInline(ReadOnlyInline, admin.TabularInline):
    model = Article
    extra = 0


@admin.register(Charter)
class CharterAdmin(ReadOnlyAdmin):
    list_display = ["title", "convention", "status", "amendments_open_at", "amendments_close_at"]
    list_filter = ["status"]
    inlines = [ArticleInline]


@admin.register(Amendment)
class AmendmentAdmin(ReadOnlyAdmin):
    list_display = ["label", "charter", "article", "kind", "state", "table_number", "position"]
    list_filter = ["state", "kind"]
