"""Read-only views of the workshops: the hall, plans, tables and outputs change through the
organizer pages and `pnyx.workshops.actions`, which journal them."""

from django.contrib import admin

from pnyx.core.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import Hall, Output, Plan, ReviewCluster, Step, SynthesisRun, Table


class StepInline(ReadOnlyInline, admin.TabularInline):
    model = Step
    extra = 0


@admin.register(Hall)
class HallAdmin(ReadOnlyAdmin):
    list_display = ["convention", "parts", "table_min", "table_max", "remix"]
    inlines = [StepInline]


@admin.register(Plan)
class PlanAdmin(ReadOnlyAdmin):
    list_display = ["pk", "hall", "kind", "status", "created_at", "published_at", "moves"]
    list_filter = ["kind", "status"]
    readonly_fields = ["stats", "rotation", "inputs_digest"]


@admin.register(Table)
class TableAdmin(ReadOnlyAdmin):
    list_display = ["number", "hall", "version"]


@admin.register(Output)
class OutputAdmin(ReadOnlyAdmin):
    list_display = ["table", "step", "topic", "campaign", "facilitator", "received_at"]
    list_filter = ["campaign", "step", "topic"]


@admin.register(SynthesisRun)
class SynthesisRunAdmin(ReadOnlyAdmin):
    list_display = ["pk", "hall", "status", "method", "units", "requested_at", "finished_at"]
    list_filter = ["status"]
    readonly_fields = ["result", "report", "inputs_digest"]


@admin.register(ReviewCluster)
class ReviewClusterAdmin(ReadOnlyAdmin):
    list_display = ["label", "group", "retained"]
    list_filter = ["retained"]
