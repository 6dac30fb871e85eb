from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _

from pnyx.core.cache import TTLCache
from pnyx.members.models import Member


class ConventionQuerySet(models.QuerySet):
    def current(self):
        """The convention the site shows: the one flagged current, else the latest."""
        return self.order_by("-is_current", "-starts_on").first()


# Every page shows the current convention: each process keeps it a few seconds (a change made
# in another process shows within that time; in this one, at once).
_current = TTLCache(seconds=5.0, max_entries=1)


def forget_current_convention(**_kwargs) -> None:
    _current.forget()


def current_convention(request=None):
    """The convention the site shows, fetched at most once per request and every few seconds."""
    if request is not None and hasattr(request, "_pnyx_current_convention"):
        return request._pnyx_current_convention
    value = _current.get("current", Convention.objects.current)
    if request is not None:
        request._pnyx_current_convention = value
    return value


def current_convention_or_404(request=None):
    from django.http import Http404

    convention = current_convention(request)
    if convention is None:
        raise Http404(_("No convention has been set up yet."))
    return convention


class Convention(models.Model):
    slug = models.SlugField(_("short name"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    city = models.CharField(_("city"), max_length=100, blank=True)
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    description = models.TextField(_("description"), blank=True)
    is_current = models.BooleanField(_("shown on the home page"), default=False)
    proposals_open = models.BooleanField(_("call for interventions open"), default=False)
    proposals_close_at = models.DateTimeField(
        _("call for interventions closes at"), null=True, blank=True
    )
    proposals_from_all = models.BooleanField(
        _("any member may propose"),
        default=False,
        help_text=_("Otherwise only members who were not drawn to take part."),
    )

    objects = ConventionQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("convention")
        verbose_name_plural = _("conventions")

    def __str__(self):
        return self.name

    def call_is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.proposals_open and (
            self.proposals_close_at is None or now < self.proposals_close_at
        )


class Campaign(models.Model):
    convention = models.ForeignKey(Convention, on_delete=models.CASCADE, related_name="campaigns")
    slug = models.SlugField(_("short name"))
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["convention", "order", "name"]
        unique_together = [("convention", "slug")]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self):
        return self.name


class Topic(models.Model):
    convention = models.ForeignKey(Convention, on_delete=models.CASCADE, related_name="topics")
    slug = models.SlugField(_("short name"))
    name = models.CharField(_("name"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["convention", "order", "name"]
        unique_together = [("convention", "slug")]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self):
        return self.name


class Day(models.Model):
    convention = models.ForeignKey(Convention, on_delete=models.CASCADE, related_name="days")
    date = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=200, blank=True)

    class Meta:
        ordering = ["convention", "date"]
        unique_together = [("convention", "date")]
        verbose_name = _("day")
        verbose_name_plural = _("days")

    def __str__(self):
        return self.title or str(self.date)


class ItemKind(models.TextChoices):
    OPENING = "opening", _("Opening")
    REPORT = "report", _("Report")
    RESULTS = "results", _("Vote results")
    PLENARY = "plenary", _("Plenary")
    WORK_STEP = "work_step", _("Work step")
    TESTIMONIES = "testimonies", _("Testimonies")
    TRAINING = "training", _("Training")
    TOPIC_TABLES = "topic_tables", _("Topic tables")
    PRESENTATION = "presentation", _("Presentation")
    LAUNCH = "launch", _("Launch")
    BREAK = "break", _("Break")
    CONCLUSION = "conclusion", _("Conclusion")


class Item(models.Model):
    day = models.ForeignKey(Day, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    kind = models.CharField(_("kind"), max_length=20, choices=ItemKind.choices)
    starts_at = models.TimeField(_("starts at"))
    ends_at = models.TimeField(_("ends at"))
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    step = models.PositiveSmallIntegerField(_("work step number"), null=True, blank=True)
    campaigns = models.ManyToManyField(
        Campaign, blank=True, related_name="items", verbose_name=_("campaigns")
    )
    topics = models.ManyToManyField(
        Topic, blank=True, related_name="items", verbose_name=_("topics")
    )

    class Meta:
        ordering = ["day", "order", "starts_at"]
        verbose_name = _("programme item")
        verbose_name_plural = _("programme items")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gte=models.F("starts_at")), name="item_ends_after_start"
            ),
        ]

    def __str__(self):
        return f"{self.day} {self.starts_at:%H:%M} {self.title}"

    @property
    def convention(self):
        return self.day.convention

    @property
    def is_testimony_slot(self) -> bool:
        return self.kind == ItemKind.TESTIMONIES


class News(models.Model):
    convention = models.ForeignKey(Convention, on_delete=models.CASCADE, related_name="news")
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    published_at = models.DateTimeField(_("published at"), default=timezone.now)
    published = models.BooleanField(_("published"), default=True)

    class Meta:
        ordering = ["-published_at"]
        verbose_name = _("news")
        verbose_name_plural = _("news")

    def __str__(self):
        return self.title


class Participant(models.Model):
    """A member who takes part in the closing session (drawn by lot, or invited)."""

    class Source(models.TextChoices):
        DRAWN = "drawn", _("drawn by lot")
        INVITED = "invited", _("invited")

    convention = models.ForeignKey(
        Convention, on_delete=models.CASCADE, related_name="participants"
    )
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="participations")
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    # Bumping the version revokes a lost badge: its QR code stops working.
    badge_version = models.PositiveSmallIntegerField(_("badge version"), default=1)
    checked_in_at = models.DateTimeField(_("arrived at"), null=True, blank=True)

    class Meta:
        unique_together = [("convention", "member")]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")

    def __str__(self):
        return f"{self.member} ({self.convention})"

    def badge_token(self) -> str:
        """The secret in the badge's QR code: an HMAC of the participant, nothing stored."""
        return salted_hmac(
            "pnyx.badge", f"{self.pk}:{self.badge_version}", algorithm="sha256"
        ).hexdigest()[:32]

    def badge_path(self) -> str:
        return reverse("programme:badge", args=[self.pk, self.badge_token()])

    def badge_token_matches(self, token: str) -> bool:
        return constant_time_compare(self.badge_token(), token)


class InterventionFormat(models.TextChoices):
    SPEAK = "speak", _("Speak in the hall")
    VIDEO = "video", _("Send a video")


class InterventionStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class Intervention(models.Model):
    convention = models.ForeignKey(
        Convention, on_delete=models.CASCADE, related_name="interventions"
    )
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="interventions")
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), max_length=3000)
    campaign = models.ForeignKey(
        Campaign,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="interventions",
        verbose_name=_("campaign"),
    )
    item = models.ForeignKey(
        Item,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="concerned_by",
        verbose_name=_("programme item"),
    )
    format = models.CharField(_("format"), max_length=10, choices=InterventionFormat.choices)
    video_file = models.FileField(_("video file"), upload_to="videos/", blank=True)
    video_sha256 = models.CharField(_("video SHA-256"), max_length=64, blank=True)
    video_type = models.CharField(_("video type"), max_length=50, blank=True)
    video_size = models.PositiveBigIntegerField(_("video size"), null=True, blank=True)
    video_link = models.URLField(_("video link"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=InterventionStatus.choices,
        default=InterventionStatus.SUBMITTED,
    )
    moderation_note = models.TextField(_("message from the organizers"), blank=True)
    slot = models.ForeignKey(
        Item,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="placed_interventions",
        limit_choices_to={"kind": ItemKind.TESTIMONIES},
        verbose_name=_("testimony slot"),
    )
    slot_position = models.PositiveSmallIntegerField(
        _("position in the slot"), null=True, blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("intervention")
        verbose_name_plural = _("interventions")
        permissions = [("moderate_intervention", "Can moderate and place interventions")]
        constraints = [
            models.UniqueConstraint(
                fields=["slot", "slot_position"], name="one_intervention_per_slot_position"
            ),
            models.CheckConstraint(
                condition=models.Q(slot__isnull=True) | models.Q(status="accepted"),
                name="only_accepted_interventions_are_placed",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def has_video(self) -> bool:
        return bool(self.video_file or self.video_link)

    @property
    def editable_by_member(self) -> bool:
        return self.status in (InterventionStatus.SUBMITTED, InterventionStatus.CHANGES_REQUESTED)


models.signals.post_save.connect(forget_current_convention, sender=Convention)
models.signals.post_delete.connect(forget_current_convention, sender=Convention)
