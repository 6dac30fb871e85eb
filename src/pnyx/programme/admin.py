"""The programme in the admin: its edits go through `pnyx.programme.actions` and are journaled;
participants and interventions only show (their changes have their own pages and actions)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from pnyx.core.admin import ActionAdmin, ReadOnlyAdmin

from . import actions
from .models import Campaign, Convention, Day, Intervention, Item, News, Participant, Topic


class ProgrammeAdmin(ActionAdmin):
    save_action = staticmethod(actions.save_programme)
    delete_action = staticmethod(actions.delete_programme)
    action_errors = (*ActionAdmin.action_errors, actions.ProgrammeError)


class DayInline(admin.TabularInline):
    model = Day
    extra = 0


class CampaignInline(admin.TabularInline):
    model = Campaign
    extra = 0


class TopicInline(admin.TabularInline):
    model = Topic
    extra = 0


@admin.register(Convention)
class ConventionAdmin(ProgrammeAdmin):
    list_display = ("name", "starts_on", "ends_on", "is_current", "proposals_open")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [DayInline, CampaignInline, TopicInline]

    def has_delete_permission(self, request, obj=None):
        return False  # its votes, draws and journal refer to it (the action refuses too)


class ItemInline(admin.StackedInline):
    model = Item
    extra = 0
    filter_horizontal = ("campaigns", "topics")


@admin.register(Day)
class DayAdmin(ProgrammeAdmin):
    list_display = ("convention", "date", "title")
    inlines = [ItemInline]


@admin.register(Item)
class ItemAdmin(ProgrammeAdmin):
    list_display = ("title", "day", "starts_at", "ends_at", "kind")
    list_filter = ("kind", "day__convention")
    filter_horizontal = ("campaigns", "topics")


@admin.register(News)
class NewsAdmin(ProgrammeAdmin):
    list_display = ("title", "convention", "published_at", "published")
    list_filter = ("published", "convention")


@admin.register(Participant)
class ParticipantAdmin(ReadOnlyAdmin):
    """Participants come from draws and invitations (their own pages); here a lost badge can be
    revoked, through the journaled action."""

    list_display = ("member", "convention", "source", "badge_version", "checked_in_at")
    list_filter = ("source", "convention")
    search_fields = ("member__last_name", "member__external_id")
    list_select_related = ("member", "convention")
    actions = ["revoke_badges"]

    def has_revoke_permission(self, request):
        return request.user.is_staff and request.user.has_perm("programme.moderate_intervention")

    @admin.action(description=_("Revoke the badge (its sessions end)"), permissions=["revoke"])
    def revoke_badges(self, request, queryset):
        for participant in queryset:
            actions.revoke_badge(participant, actor=request.user)
        self.message_user(request, _("%(n)d badges revoked.") % {"n": queryset.count()})


@admin.register(Intervention)
class InterventionAdmin(ReadOnlyAdmin):
    """Read-only here: decisions go through the moderation page so that they are journaled."""

    list_display = ("title", "member", "format", "status", "slot", "slot_position")
    list_filter = ("status", "format", "convention")
    search_fields = ("title", "member__last_name")
