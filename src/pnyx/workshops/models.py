"""Workshops: the hall, its work steps, plans (seats at tables), topic rankings, table outputs.

One name per idea, shared with `pnyx.seating`: a *part* of the hall, a *table* (numbered across
the hall, the same physical table at every step), a *step* (work step 1..S), a *campaign*, a
*topic* (day 2). A plan is computed by `pnyx.seating`; this app stores it and its seats.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _

from pnyx.programme.models import Campaign, Convention, Item, Participant, Topic


class Hall(models.Model):
    """The shape of the hall and the rules of its plans (one per convention)."""

    convention = models.OneToOneField(Convention, on_delete=models.CASCADE, related_name="hall")
    parts = models.PositiveSmallIntegerField(_("parts of the hall"), default=3)
    table_min = models.PositiveSmallIntegerField(_("smallest table"), default=7)
    table_max = models.PositiveSmallIntegerField(_("largest table"), default=9)
    columns = models.PositiveSmallIntegerField(
        _("tables per row on the map"),
        default=6,
        help_text=_("How many tables stand side by side in each part of the hall."),
    )
    remix = models.BooleanField(
        _("mix people between steps"),
        default=True,
        help_text=_(
            "People change tables at every step (staying in their part) and meet new people."
        ),
    )
    balance = models.CharField(
        _("attributes spread over the tables"), max_length=100, default="gender,region,age"
    )
    apart = models.CharField(_("kept apart"), max_length=100, default="action_group", blank=True)
    seed = models.PositiveIntegerField(_("seed"), default=2026)
    campaigns = models.ManyToManyField(Campaign, blank=True, verbose_name=_("campaigns"))
    topic_max_share = models.FloatField(
        _("largest share of one topic"),
        null=True,
        blank=True,
        help_text=_("For example 0.35: no topic gets more than 35% of the participants."),
    )
    plan_error = models.TextField(_("last planning error"), blank=True)

    class Meta:
        verbose_name = _("hall")
        verbose_name_plural = _("halls")

    def __str__(self):
        return str(self.convention)

    def campaign_list(self) -> list[Campaign]:
        chosen = list(self.campaigns.order_by("order", "name"))
        return chosen or list(self.convention.campaigns.order_by("order", "name"))


class Purpose(models.TextChoices):
    IMPACTS = "impacts", _("Impacts on daily life")
    PROPOSALS = "proposals", _("Proposals and arguments")
    AXES = "axes", _("Campaign axes")


class Step(models.Model):
    """A work step of the hall, linked to the programme's work-step item."""

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="steps")
    number = models.PositiveSmallIntegerField(_("number"))
    item = models.ForeignKey(
        Item,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("programme item"),
        limit_choices_to={"kind": "work_step"},
    )
    purpose = models.CharField(_("what the tables produce"), max_length=20, choices=Purpose.choices)

    class Meta:
        ordering = ["hall", "number"]
        unique_together = [("hall", "number")]
        verbose_name = _("work step")
        verbose_name_plural = _("work steps")

    def __str__(self):
        return self.item.title if self.item else f"{self.number}"


class Table(models.Model):
    """A physical table. Its facilitator's secret is derived, never stored; bumping `version`
    revokes the printed QR code."""

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="tables")
    number = models.PositiveIntegerField(_("number"))
    version = models.PositiveSmallIntegerField(_("QR code version"), default=1)

    class Meta:
        ordering = ["hall", "number"]
        unique_together = [("hall", "number")]
        verbose_name = _("table")
        verbose_name_plural = _("tables")

    def __str__(self):
        return f"{self.number}"

    def token(self) -> str:
        return salted_hmac(
            "pnyx.workshops.table",
            f"{self.hall_id}:{self.number}:{self.version}",
            algorithm="sha256",
        ).hexdigest()[:32]

    def token_matches(self, token: str) -> bool:
        return constant_time_compare(self.token(), token)

    def path(self) -> str:
        return reverse("workshops:table", args=[self.number, self.token()])

    def url(self) -> str:
        return settings.PNYX_SITE_URL + self.path()


class Plan(models.Model):
    """One run of the planner: seats at hall tables (kind "hall") or topic tables ("topics")."""

    class Kind(models.TextChoices):
        HALL = "hall", _("hall plan")
        TOPICS = "topics", _("topic tables")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")
        RETIRED = "retired", _("replaced")

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="plans")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.HALL)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    seed = models.PositiveIntegerField(_("seed"))
    remix = models.BooleanField(_("mixed between steps"), default=False)
    rotation = models.JSONField(_("rotation"), default=list)  # [part][step] -> campaign slug
    stats = models.JSONField(_("figures"), default=dict)
    inputs_digest = models.CharField(_("inputs digest"), max_length=64, blank=True)
    moves = models.PositiveIntegerField(_("manual moves"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.CharField(_("created by"), max_length=200, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        constraints = [
            models.UniqueConstraint(
                fields=["hall", "kind"],
                condition=models.Q(status="published"),
                name="one_published_plan_per_kind",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"


class Seat(models.Model):
    """Participant at `table` of `part` at work step `step`, working on `campaign`."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="seats")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    step = models.PositiveSmallIntegerField(_("step"))
    part = models.PositiveSmallIntegerField(_("part"))
    table = models.PositiveIntegerField(_("table"))
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["plan", "step", "table", "participant"]
        unique_together = [("plan", "participant", "step")]
        indexes = [models.Index(fields=["plan", "step", "table"])]

    def __str__(self):
        return f"{self.participant_id}: step {self.step}, table {self.table}"


class TopicSeat(models.Model):
    """Participant at topic `table` working on `topic` (day 2); `rank` of that topic for them."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="topic_seats")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="+")
    table = models.PositiveIntegerField(_("table"))
    rank = models.PositiveSmallIntegerField(_("rank"), null=True, blank=True)

    class Meta:
        ordering = ["plan", "table", "participant"]
        unique_together = [("plan", "participant")]

    def __str__(self):
        return f"{self.participant_id}: table {self.table}"


class TopicRanking(models.Model):
    """A member's ranking of the day-2 topics, first choice first (topic ids)."""

    convention = models.ForeignKey(Convention, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="topic_rankings"
    )
    ranking = models.JSONField(_("ranking"), default=list)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        unique_together = [("convention", "member")]
        verbose_name = _("topic ranking")
        verbose_name_plural = _("topic rankings")

    def __str__(self):
        return f"{self.member_id}: {self.ranking}"


class Output(models.Model):
    """What a table produced at a step (or on its day-2 topic), sent by its facilitator."""

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="outputs")
    table = models.PositiveIntegerField(_("table"))
    step = models.ForeignKey(
        Step, null=True, blank=True, on_delete=models.CASCADE, related_name="outputs"
    )
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    topic = models.ForeignKey(
        Topic, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    impacts = models.TextField(_("impacts on daily life"), blank=True, max_length=5000)
    proposals = models.TextField(_("proposals"), blank=True, max_length=5000)
    arguments = models.TextField(_("arguments"), blank=True, max_length=5000)
    axes = models.TextField(_("campaign axes"), blank=True, max_length=5000)
    ideas = models.TextField(_("ideas and proposals"), blank=True, max_length=5000)
    facilitator = models.CharField(_("facilitator"), max_length=150, blank=True)
    received_at = models.DateTimeField(_("received at"), auto_now=True)

    class Meta:
        ordering = ["table"]
        verbose_name = _("table output")
        verbose_name_plural = _("table outputs")
        constraints = [
            models.UniqueConstraint(
                fields=["hall", "table", "step"],
                condition=models.Q(step__isnull=False),
                name="one_output_per_table_and_step",
            ),
            models.UniqueConstraint(
                fields=["hall", "table", "topic"],
                condition=models.Q(topic__isnull=False),
                name="one_output_per_topic_table",
            ),
        ]

    def __str__(self):
        return f"table {self.table}, step {self.step_id or '-'}, topic {self.topic_id or '-'}"

    FIELDS = ("impacts", "proposals", "arguments", "axes", "ideas")

    def texts(self) -> list[tuple[str, str]]:
        """(label, text) of the non-empty fields."""
        return [
            (str(self._meta.get_field(f).verbose_name), getattr(self, f))
            for f in self.FIELDS
            if getattr(self, f).strip()
        ]


#: The fields a facilitator fills for each purpose of a step (topics: "ideas").
PURPOSE_FIELDS: dict[str, tuple[str, ...]] = {
    Purpose.IMPACTS: ("impacts",),
    Purpose.PROPOSALS: ("proposals", "arguments"),
    Purpose.AXES: ("axes",),
    "topic": ("ideas",),
}


class Document(models.Model):
    """A printable PDF (badges, table cards) generated by a background task into a stored file.

    The file lives under MEDIA_ROOT (never served directly: a permission-checked view serves
    it). `source_digest` is the digest of what it was made from (plans and their moves, table
    QR code versions, badge versions, names): when the hall changes, the file is stale."""

    class Kind(models.TextChoices):
        BADGES = "badges", _("badges")
        TABLE_CARDS = "table_cards", _("table cards")
        SYNTHESIS = "synthesis", _("final synthesis")

    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting for a worker")
        RUNNING = "running", _("being generated")
        DONE = "done", _("ready")
        FAILED = "failed", _("failed")

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    params = models.JSONField(_("parameters"), default=dict)
    #: The same `key` for the same kind and parameters: one generation of it runs at a time.
    key = models.CharField(max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    done = models.PositiveIntegerField(_("items done"), default=0)
    total = models.PositiveIntegerField(_("items in all"), default=0)
    file = models.FileField(_("file"), upload_to="workshops/documents/", blank=True)
    pages = models.PositiveIntegerField(_("pages"), default=0)
    size = models.PositiveBigIntegerField(_("bytes"), default=0)
    source_digest = models.CharField(_("digest of the sources"), max_length=64, blank=True)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.CharField(_("requested by"), max_length=200, blank=True)
    requested_at = models.DateTimeField(_("requested at"))
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    task_id = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("printable document")
        verbose_name_plural = _("printable documents")
        constraints = [
            models.UniqueConstraint(
                fields=["hall", "key"],
                condition=models.Q(status__in=["queued", "running"]),
                name="one_running_document_per_key",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    def progress_percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    def filename(self) -> str:
        parts = [self.kind.replace("_", "-")]
        for k in ("plan", "step", "part", "campaign"):
            if self.params.get(k):
                parts.append(f"{k}{self.params[k]}")
        return "-".join(parts) + f"-{self.pk}.pdf"


# --- the synthesis: the machine's runs, and the organizers' review beside them ---------------


class SynthesisRun(models.Model):
    """One run of `pnyx.synthesis` over every table output, computed by a background task.

    `result` is the engine's `Synthesis.to_dict()`, kept as it came out: the organizers' review
    (`ReviewGroup`, `ReviewCluster`, `ReviewIdea`) is a separate layer and never changes it.
    `inputs_digest` is the SHA-256 of the contributions it was computed from; `report` says,
    per reviewed group, which reviewed ideas the run no longer found and which ideas it added."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting for a worker")
        RUNNING = "running", _("being computed")
        DONE = "done", _("ready")
        FAILED = "failed", _("failed")

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="synthesis_runs")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    method = models.CharField(_("method"), max_length=200, blank=True)
    threshold = models.FloatField(_("threshold"), null=True, blank=True)
    inputs_digest = models.CharField(_("inputs digest"), max_length=64, blank=True)
    units = models.PositiveIntegerField(_("idea units"), default=0)
    result = models.JSONField(_("result"), default=dict)
    report = models.JSONField(_("changes since the review"), default=list)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.CharField(_("requested by"), max_length=200, blank=True)
    requested_at = models.DateTimeField(_("requested at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("synthesis run")
        verbose_name_plural = _("synthesis runs")
        constraints = [
            models.UniqueConstraint(
                fields=["hall"],
                condition=models.Q(status__in=["queued", "running"]),
                name="one_running_synthesis_per_hall",
            )
        ]

    def __str__(self):
        return f"synthesis #{self.pk}"

    @property
    def active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


class ReviewGroup(models.Model):
    """The organizers' review of one (campaign, step, field) of the synthesis. `campaign` is
    the synthesis' key: a campaign's slug, or "topic:<slug>" (step 0) for a day-2 topic."""

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="review_groups")
    campaign = models.CharField(_("campaign"), max_length=120)
    step = models.PositiveSmallIntegerField(_("step"))
    field = models.CharField(_("field"), max_length=20)
    run = models.ForeignKey(
        SynthesisRun, on_delete=models.PROTECT, related_name="+", verbose_name=_("last run")
    )

    class Meta:
        ordering = ["hall", "campaign", "step", "pk"]
        unique_together = [("hall", "campaign", "step", "field")]
        verbose_name = _("reviewed group")
        verbose_name_plural = _("reviewed groups")

    def __str__(self):
        return f"{self.campaign} · {self.step} · {self.field}"


class ReviewCluster(models.Model):
    """A cluster as the organizers see it: made from a machine cluster, then merged, split,
    renamed, retained. `machine_terms` are the label terms of the machine cluster it came from."""

    group = models.ForeignKey(ReviewGroup, on_delete=models.CASCADE, related_name="clusters")
    label = models.CharField(_("label"), max_length=200)
    machine_terms = models.JSONField(_("machine's terms"), default=list)
    retained = models.BooleanField(_("retained"), default=False)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["group", "order", "pk"]
        verbose_name = _("reviewed cluster")
        verbose_name_plural = _("reviewed clusters")

    def __str__(self):
        return self.label


class ReviewIdea(models.Model):
    """One idea unit in the review, identified as in the synthesis by its group and (table,
    line, text). `stale`: a later run no longer found it (the table's output changed); `added`:
    a later run brought it after the review had begun."""

    group = models.ForeignKey(ReviewGroup, on_delete=models.CASCADE, related_name="ideas")
    cluster = models.ForeignKey(ReviewCluster, on_delete=models.CASCADE, related_name="ideas")
    table = models.PositiveIntegerField(_("table"))
    line = models.PositiveIntegerField(_("line"), default=0)
    text = models.TextField(_("text"))
    key = models.CharField(max_length=64)
    retained = models.BooleanField(_("retained"), default=False)
    stale = models.BooleanField(_("no longer in the outputs"), default=False)
    added = models.BooleanField(_("added by a later run"), default=False)

    class Meta:
        ordering = ["group", "cluster", "pk"]
        unique_together = [("group", "key")]
        verbose_name = _("reviewed idea")
        verbose_name_plural = _("reviewed ideas")

    def __str__(self):
        return self.text[:60]
