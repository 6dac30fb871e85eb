from django.contrib import admin

from .models import ActionGroup, Member


@admin.register(ActionGroup)
class ActionGroupAdmin(admin.ModelAdmin):
    search_fields = ("name",)


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = (
        "external_id",
        "first_name",
        "last_name",
        "email",
        "gender",
        "region",
        "volunteer",
    )
    list_filter = ("gender", "volunteer", "active", "region")
    search_fields = ("external_id", "first_name", "last_name", "email")
    raw_id_fields = ("user", "action_group")
