from django.contrib import admin

from .models import Hall, Output, Plan, Step, Table


class StepInline(admin.TabularInline):
    model = Step
    extra = 0


@admin.register(Hall)
class HallAdmin(admin.ModelAdmin):
    list_display = ["convention", "parts", "table_min", "table_max", "remix"]
    inlines = [StepInline]


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["pk", "hall", "kind", "status", "created_at", "published_at", "moves"]
    list_filter = ["kind", "status"]
    readonly_fields = ["stats", "rotation", "inputs_digest"]


@admin.register(Table)
class TableAdmin(admin.ModelAdmin):
    list_display = ["number", "hall", "version"]


@admin.register(Output)
class OutputAdmin(admin.ModelAdmin):
    list_display = ["table", "step", "topic", "campaign", "facilitator", "received_at"]
    list_filter = ["campaign", "step", "topic"]
