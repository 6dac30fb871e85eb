"""Pools of volunteers, draws with quotas, and the invitations of the drawn.

A pool is a snapshot: the features of each volunteer are copied when the pool is created, so a
draw's inputs never change afterwards, whatever happens to the members' records. Each entry
has a pseudonymous public code, the id used in every published file (DIST.json, POOL.csv,
PANEL.csv); only the member themself and the organizers can link a code to a person.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pnyx.members.models import Member
from pnyx.programme.models import Convention

# The features of a pool entry, in the order of the published files.
FEATURES: tuple[str, ...] = ("gender", "region", "age", "seniority")
FEATURE_LABELS = {
    "gender": _("gender"),
    "region": _("region"),
    "age": _("age band"),
    "seniority": _("seniority band"),
}
# Column of the published pool holding the pseudonymous action group (for "at most N per group").
GROUP_COLUMN = "action_group"


class Pool(models.Model):
    convention = models.ForeignKey(
        Convention,
        on_delete=models.CASCADE,
        related_name="draw_pools",
        verbose_name=_("convention"),
    )
    name = models.CharField(_("name"), max_length=200)
    joined_before = models.DateField(
        _("joined before"),
        null=True,
        blank=True,
        help_text=_("Only members who joined before this date (leave empty for all)."),
    )
    active_only = models.BooleanField(_("active members only"), default=True)
    size = models.PositiveIntegerField(_("volunteers"), default=0)
    digest = models.CharField(_("snapshot digest"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("pool")
        verbose_name_plural = _("pools")

    def __str__(self):
        return self.name


class PoolEntry(models.Model):
    """One volunteer of a pool, with the features copied at the pool's creation."""

    pool = models.ForeignKey(Pool, on_delete=models.CASCADE, related_name="entries")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="pool_entries")
    code = models.CharField(_("public code"), max_length=16)
    gender = models.CharField(_("gender"), max_length=8)
    region = models.CharField(_("region"), max_length=100)
    age = models.CharField(_("age band"), max_length=16)
    seniority = models.CharField(_("seniority band"), max_length=16)
    action_group = models.CharField(_("action group (code)"), max_length=16, blank=True)

    class Meta:
        ordering = ["pool", "code"]
        verbose_name = _("pool entry")
        verbose_name_plural = _("pool entries")
        constraints = [
            models.UniqueConstraint(fields=["pool", "code"], name="pool_entry_code_unique"),
            models.UniqueConstraint(fields=["pool", "member"], name="pool_entry_member_unique"),
        ]

    def __str__(self):
        return self.code

    def value(self, feature: str) -> str:
        return getattr(self, feature)


class Draw(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Preparing quotas")
        COMPUTING = "computing", _("Computing the distribution")
        FAILED = "failed", _("Computation failed")
        COMPUTED = "computed", _("Distribution computed")
        PUBLISHED = "published", _("Digest published, waiting for the seed")
        REVEALED = "revealed", _("Panel revealed")

    class Method(models.TextChoices):
        LEXIMIN = "leximin", _("Leximin (fairest to every volunteer)")
        LEGACY = "legacy", _("Legacy (greedy random selection)")

    convention = models.ForeignKey(
        Convention, on_delete=models.CASCADE, related_name="draws", verbose_name=_("convention")
    )
    pool = models.ForeignKey(Pool, on_delete=models.PROTECT, related_name="draws")
    title = models.CharField(_("title"), max_length=200)
    size = models.PositiveIntegerField(_("panel size"))
    method = models.CharField(_("method"), max_length=10, choices=Method.choices, default="leximin")
    max_per_group = models.PositiveSmallIntegerField(
        _("at most this many per action group"),
        null=True,
        blank=True,
        help_text=_("Leave empty for no limit."),
    )
    response_days = models.PositiveSmallIntegerField(_("days to answer an invitation"), default=7)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default="draft")
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    progress_message = models.CharField(max_length=200, blank=True)
    task_id = models.CharField(max_length=100, blank=True)
    error = models.TextField(_("error"), blank=True)
    # The published distribution: DIST.json exactly as served, and its SHA-256.
    distribution = models.BinaryField(null=True, editable=False)
    digest = models.CharField(_("SHA-256 of DIST.json"), max_length=64, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    # Per profile: values (in `features` order), group, size, probability.
    profiles = models.JSONField(default=list, blank=True)
    features = models.JSONField(default=list, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(_("digest published at"), null=True, blank=True)
    seed = models.CharField(_("public seed"), max_length=200, blank=True)
    witnesses = models.TextField(_("witnesses"), blank=True)
    revealed_at = models.DateTimeField(_("revealed at"), null=True, blank=True)
    invitations_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("draw")
        verbose_name_plural = _("draws")

    def __str__(self):
        return self.title

    @property
    def is_public(self) -> bool:
        return self.status in (self.Status.PUBLISHED, self.Status.REVEALED)

    @property
    def progress_percent(self) -> int:
        if not self.progress_total:
            return 0
        return round(100 * self.progress_done / self.progress_total)


class Quota(models.Model):
    draw = models.ForeignKey(Draw, on_delete=models.CASCADE, related_name="quotas")
    feature = models.CharField(_("feature"), max_length=20)
    value = models.CharField(_("value"), max_length=100)
    min = models.PositiveIntegerField(_("minimum"))
    max = models.PositiveIntegerField(_("maximum"))

    class Meta:
        ordering = ["draw", "feature", "value"]
        verbose_name = _("quota")
        verbose_name_plural = _("quotas")
        constraints = [
            models.UniqueConstraint(fields=["draw", "feature", "value"], name="draw_quota_unique"),
            models.CheckConstraint(
                condition=models.Q(min__lte=models.F("max")), name="quota_min_le_max"
            ),
        ]

    def __str__(self):
        return f"{self.feature}={self.value}: {self.min}..{self.max}"


class Invitation(models.Model):
    """A seat of the panel offered to a drawn volunteer (first drawn, or a replacement)."""

    class Status(models.TextChoices):
        DRAWN = "drawn", _("Drawn, not yet invited")
        INVITED = "invited", _("Invited, waiting for an answer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("No answer in time")

    draw = models.ForeignKey(Draw, on_delete=models.CASCADE, related_name="invitations")
    entry = models.ForeignKey(PoolEntry, on_delete=models.PROTECT, related_name="invitations")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default="drawn")
    # For a replacement: whom it replaces and its number in the seed chain (1, 2, ...).
    replaces = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by"
    )
    replacement_number = models.PositiveIntegerField(null=True, blank=True)
    # Set when nobody could replace this person without breaking a quota; `unfilled_number`
    # is the replacement number that was tried (not used up: the next replacement gets it).
    replacement_impossible = models.BooleanField(default=False)
    unfilled_number = models.PositiveIntegerField(null=True, blank=True)
    token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    deadline = models.DateTimeField(_("answer before"), null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["draw", "replacement_number", "entry__code"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(fields=["draw", "entry"], name="one_invitation_per_entry"),
            models.UniqueConstraint(
                fields=["draw", "replacement_number"], name="replacement_number_unique"
            ),
        ]

    def __str__(self):
        return f"{self.entry.code} ({self.get_status_display()})"

    @property
    def holds_seat(self) -> bool:
        return self.status not in (self.Status.DECLINED, self.Status.EXPIRED)
