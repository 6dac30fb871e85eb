"""Read-only views of the assembly in the admin: every change goes through its actions."""

from django.contrib import admin

from pnyx.core.admin import ReadOnlyAdmin

from .models import Assembly, College, GroupLeader, Mandate, Milestone, Wave


@admin.register(Assembly)
class AssemblyAdmin(ReadOnlyAdmin):
    list_display = ["title", "convention", "starts_on", "launched_at"]


@admin.register(College)
class CollegeAdmin(ReadOnlyAdmin):
    list_display = ["name", "assembly", "seats", "eligibility"]


@admin.register(Wave)
class WaveAdmin(ReadOnlyAdmin):
    list_display = ["college", "round", "number", "size", "status", "digest"]
    exclude = ["distribution"]


@admin.register(Mandate)
class MandateAdmin(ReadOnlyAdmin):
    list_display = ["public_name", "college", "seat", "starts_on", "ends_on", "source"]


@admin.register(Milestone)
class MilestoneAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "starts_at"]


@admin.register(GroupLeader)
class GroupLeaderAdmin(ReadOnlyAdmin):
    list_display = ["member", "action_group", "department"]
