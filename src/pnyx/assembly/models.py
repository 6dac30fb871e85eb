"""The representative assembly set up after the convention: colleges, waves, mandates, calendar.

A college's seats are drawn by lot (waves of invitations, each one a verifiable draw of the
pure engine `pnyx.lottery` among the eligible people not yet invited) or designated by a body
(entered by organizers). Mandates renew by thirds (`pnyx.lottery.rotation`). The milestones
form the assembly's public calendar (iCalendar).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pnyx.members.models import ActionGroup, Member
from pnyx.programme.models import Convention


class Assembly(models.Model):
    convention = models.OneToOneField(
        Convention, on_delete=models.CASCADE, related_name="assembly", verbose_name=_("convention")
    )
    title = models.CharField(_("title"), max_length=200)
    starts_on = models.DateField(_("first session on"))
    period_months = models.PositiveSmallIntegerField(
        _("months between renewals"),
        default=12,
        help_text=_("A third of the seats renews each time."),
    )
    exclusion_months = models.PositiveSmallIntegerField(
        _("months before a former member may be drawn again"), default=24
    )
    answer_days = models.PositiveSmallIntegerField(_("days to answer an invitation"), default=10)
    prior_rate = models.FloatField(_("acceptance rate expected before any answer"), default=0.5)
    launched_at = models.DateTimeField(_("calendar launched at"), null=True, blank=True)
    # DTSTAMP of the iCalendar export: when the calendar last changed (set by the actions).
    calendar_changed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("representative assembly")
        verbose_name_plural = _("representative assemblies")

    def __str__(self):
        return self.title


class GroupLeader(models.Model):
    """A leader (animateur, animatrice) of an action group, with the group's département."""

    action_group = models.ForeignKey(
        ActionGroup,
        on_delete=models.CASCADE,
        related_name="leaders",
        verbose_name=_("action group"),
    )
    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="group_leaderships", verbose_name=_("member")
    )
    department = models.CharField(_("département"), max_length=3)

    class Meta:
        ordering = ["department", "action_group"]
        verbose_name = _("action group leader")
        verbose_name_plural = _("action group leaders")
        constraints = [
            models.UniqueConstraint(
                fields=["action_group", "member"], name="one_leadership_per_group"
            )
        ]

    def __str__(self):
        return f"{self.member} ({self.action_group}, {self.department})"


class College(models.Model):
    class Eligibility(models.TextChoices):
        MEMBERS = "members", _("All active members")
        GROUP_MEMBERS = "group_members", _("Members of an action group")
        GROUP_LEADERS = "group_leaders", _("Action group leaders")
        DESIGNATED = "designated", _("Designated by a body")

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="colleges")
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveSmallIntegerField(default=0)
    seats = models.PositiveIntegerField(_("seats"))
    eligibility = models.CharField(_("eligibility"), max_length=20, choices=Eligibility.choices)
    # Quota rules: [{"feature": "gender", "kind": "parity", "tolerance": 0.0}, ...]
    rules = models.JSONField(_("quota rules"), default=list, blank=True)

    class Meta:
        ordering = ["assembly", "position", "pk"]
        verbose_name = _("college")
        verbose_name_plural = _("colleges")
        constraints = [
            models.UniqueConstraint(fields=["assembly", "name"], name="college_name_unique")
        ]

    def __str__(self):
        return self.name

    @property
    def drawn(self) -> bool:
        return self.eligibility != self.Eligibility.DESIGNATED

    def rules_display(self) -> list[str]:
        """The quota rules in words ("gender: parity")."""
        features = {
            "gender": _("gender"),
            "region": _("region"),
            "age": _("age band"),
            "department": _("département"),
        }
        kinds = {
            "parity": _("parity"),
            "proportional": _("in proportion"),
            "one_each": _("one seat each"),
        }
        return [
            _("%(feature)s: %(kind)s")
            % {
                "feature": features.get(r["feature"], r["feature"]),
                "kind": kinds.get(r["kind"], r["kind"]),
            }
            for r in self.rules
        ]


class Wave(models.Model):
    """One wave of invitations of a college: its own draw among those not yet invited."""

    class Status(models.TextChoices):
        COMPUTING = "computing", _("Computing the distribution")
        FAILED = "failed", _("Computation failed")
        PUBLISHED = "published", _("Digest published, waiting for the seed")
        REVEALED = "revealed", _("Drawn and invited")

    college = models.ForeignKey(College, on_delete=models.CASCADE, related_name="waves")
    round = models.PositiveSmallIntegerField(
        _("renewal"), default=0, help_text=_("0 for the first composition, r for the r-th renewal.")
    )
    number = models.PositiveSmallIntegerField(_("wave"))
    size = models.PositiveIntegerField(_("invitations"))
    open_seats = models.PositiveIntegerField(_("seats open when sized"))
    status = models.CharField(max_length=10, choices=Status.choices, default="computing")
    error = models.TextField(blank=True)
    # The round's quotas for its seats: [[feature, value, min, max], ...] (same in every wave).
    round_quotas = models.JSONField(default=list)
    features = models.JSONField(default=list)
    # POOL.csv as published (codes and the features the draw uses), and which member each
    # code is ({code: member pk}; never published).
    pool_csv = models.TextField(blank=True)
    codes = models.JSONField(default=dict, editable=False)
    quotas_csv = models.TextField(blank=True)
    distribution = models.BinaryField(null=True, editable=False)
    digest = models.CharField(_("SHA-256 of DIST.json"), max_length=64, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    seed = models.CharField(_("public seed"), max_length=200, blank=True)
    witnesses = models.TextField(_("witnesses"), blank=True)
    revealed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["college", "round", "number"]
        verbose_name = _("wave")
        verbose_name_plural = _("waves")
        constraints = [
            models.UniqueConstraint(
                fields=["college", "round", "number"], name="wave_number_unique"
            )
        ]

    def __str__(self):
        return f"{self.college} · {self.round}.{self.number}"


class Candidate(models.Model):
    """A person a wave drew and invited (known by `code` in the published files)."""

    class Status(models.TextChoices):
        INVITED = "invited", _("Invited, waiting for an answer")
        SEATED = "seated", _("Accepted, seated")
        RESERVE = "reserve", _("Accepted, on the reserve list")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("No answer in time")

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="candidates")
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="assembly_candidacies"
    )
    code = models.CharField(max_length=16)
    values = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default="invited")
    deadline = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["wave", "code"]
        constraints = [
            models.UniqueConstraint(fields=["wave", "code"], name="candidate_code_unique"),
            models.UniqueConstraint(fields=["wave", "member"], name="candidate_member_unique"),
        ]

    def __str__(self):
        return self.code


class Mandate(models.Model):
    class Source(models.TextChoices):
        DRAWN = "drawn", _("Drawn by lot")
        DESIGNATED = "designated", _("Designated")

    college = models.ForeignKey(College, on_delete=models.CASCADE, related_name="mandates")
    seat = models.PositiveIntegerField(_("seat"))
    round = models.PositiveSmallIntegerField(default=0)
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="assembly_mandates")
    public_name = models.CharField(
        _("name shown"), max_length=120, help_text=_("How the member chose to appear in public.")
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    source = models.CharField(max_length=10, choices=Source.choices)
    body = models.CharField(_("designated by"), max_length=200, blank=True)
    candidate = models.OneToOneField(
        Candidate, null=True, blank=True, on_delete=models.PROTECT, related_name="mandate"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["college", "seat", "starts_on"]
        verbose_name = _("mandate")
        verbose_name_plural = _("mandates")
        constraints = [
            models.UniqueConstraint(
                fields=["college", "seat", "round"], name="one_mandate_per_seat_round"
            )
        ]

    def __str__(self):
        return f"{self.public_name} ({self.college}, {self.starts_on}–{self.ends_on})"


class Milestone(models.Model):
    class Kind(models.TextChoices):
        CALL = "call", _("Call for volunteers")
        DRAW = "draw", _("Draw")
        SESSION = "session", _("Session")
        RENEWAL = "renewal", _("Renewal by thirds")

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="milestones")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["assembly", "starts_at", "pk"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gte=models.F("starts_at")), name="milestone_ends_after"
            )
        ]

    def __str__(self):
        return self.title
