from django.contrib import admin

from .models import Campaign, Convention, Day, Intervention, Item, News, Participant, Topic


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
class ConventionAdmin(admin.ModelAdmin):
    list_display = ("name", "starts_on", "ends_on", "is_current", "proposals_open")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [DayInline, CampaignInline, TopicInline]


class ItemInline(admin.StackedInline):
    model = Item
    extra = 0
    filter_horizontal = ("campaigns", "topics")


@admin.register(Day)
class DayAdmin(admin.ModelAdmin):
    list_display = ("convention", "date", "title")
    inlines = [ItemInline]


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    list_display = ("title", "day", "starts_at", "ends_at", "kind")
    list_filter = ("kind", "day__convention")


@admin.register(News)
class NewsAdmin(admin.ModelAdmin):
    list_display = ("title", "convention", "published_at", "published")
    list_filter = ("published", "convention")


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = ("member", "convention", "source")
    list_filter = ("source", "convention")
    raw_id_fields = ("member",)


@admin.register(Intervention)
class InterventionAdmin(admin.ModelAdmin):
    """Read-only here: decisions go through the moderation page so that they are journaled."""

    list_display = ("title", "member", "format", "status", "slot", "slot_position")
    list_filter = ("status", "format", "convention")
    search_fields = ("title", "member__last_name")

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
