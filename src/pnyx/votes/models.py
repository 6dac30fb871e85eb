"""Votes, their options, and the two halves of a cast: who voted, and what was voted.

Secrecy by construction: a `Participation` (vote, member) says who voted; a `Ballot` (vote,
receipt, content) says what was voted. Both are written in one transaction, and nothing in the
schema joins them: a ballot has no member, no time, and a random UUID for a key. Published
ballots are sorted by receipt (random), never by insertion. See docs/votes.md.
"""

from __future__ import annotations

import re
import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from pnyx.members.models import Member
from pnyx.programme.models import Convention

#: Option codes are the names used in published ballot files (`pnyx tally`): no `|`, `>`,
#: `=`, `,`, quotes or line breaks, which the ballot formats use as separators.
CODE_RE = re.compile(r"^[\w][\w .'’-]{0,39}$")


def validate_code(value: str) -> None:
    if not CODE_RE.match(value) or value != value.strip():
        raise ValidationError(
            _("A short code: letters, digits, spaces, dots, hyphens or apostrophes (40 at most).")
        )


class Method(models.TextChoices):
    APPROVAL = "approval", _("Approval (choose up to k)")
    MJ = "mj", _("Majority judgment (a grade per option)")
    SCHULZE = "schulze", _("Schulze (ranking)")
    RANKED_PAIRS = "ranked-pairs", _("Ranked pairs (ranking)")
    IRV = "irv", _("Instant runoff (ranking)")
    STV = "stv", _("Single transferable vote (ranking, several seats)")


RANKED_METHODS = {Method.SCHULZE, Method.RANKED_PAIRS, Method.IRV, Method.STV}


class Electorate(models.TextChoices):
    MEMBERS = "members", _("Members")
    PARTICIPANTS = "participants", _("Participants of the convention")
    PRESENT = "present", _("Participants present in the hall")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PROPOSALS = "proposals", _("Proposals open")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Vote(models.Model):
    convention = models.ForeignKey(Convention, on_delete=models.CASCADE, related_name="votes")
    question = models.CharField(_("question"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    method = models.CharField(_("method"), max_length=20, choices=Method.choices)
    seats = models.PositiveSmallIntegerField(
        _("winners"), default=1, help_text=_("Number of options elected (seats for STV).")
    )
    max_choices = models.PositiveSmallIntegerField(
        _("choices per ballot"), null=True, blank=True, help_text=_("Approval: up to k options.")
    )
    exactly = models.BooleanField(_("exactly k choices"), default=False)
    grades = models.JSONField(
        _("grade scale"), default=list, blank=True, help_text=_("Majority judgment, best first.")
    )
    electorate = models.CharField(
        _("electorate"), max_length=20, choices=Electorate.choices, default=Electorate.MEMBERS
    )
    joined_before = models.DateField(_("members who joined before"), null=True, blank=True)
    in_hall = models.BooleanField(_("in-hall vote"), default=False)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    result = models.JSONField(_("result"), null=True, blank=True)
    #: Announcement mode: how many places of the ranking are revealed, from the last one up.
    announced = models.PositiveSmallIntegerField(_("places revealed"), default=0)
    announcing = models.BooleanField(_("announcement mode"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("vote")
        verbose_name_plural = _("votes")

    def __str__(self):
        return self.question

    @property
    def is_ranked(self) -> bool:
        return self.method in RANKED_METHODS

    @property
    def method_summary(self) -> str:
        """The method as voters read it, with the number of choices for approval."""
        if self.method == Method.APPROVAL and self.max_choices:
            if self.exactly:
                template = ngettext(
                    "Approval: choose exactly %(k)d option",
                    "Approval: choose exactly %(k)d options",
                    self.max_choices,
                )
            else:
                template = ngettext(
                    "Approval: choose up to %(k)d option",
                    "Approval: choose up to %(k)d options",
                    self.max_choices,
                )
            return template % {"k": self.max_choices}
        return str(self.get_method_display())

    def accepts_ballots(self, now=None) -> bool:
        now = now or timezone.now()
        return (
            self.status == Status.OPEN
            and (self.opens_at is None or self.opens_at <= now)
            and (self.closes_at is None or now < self.closes_at)
        )

    def tally_params(self) -> dict:
        """What `pnyx.tally.count` needs besides the ballots (the file states it too)."""
        params: dict = {"seats": self.seats}
        if self.method == Method.APPROVAL:
            params |= {"max_choices": self.max_choices, "exactly": self.exactly}
        return params


class Option(models.Model):
    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="options")
    code = models.CharField(
        _("code"),
        max_length=40,
        validators=[validate_code],
        help_text=_("Its name in the published ballots, e.g. P07."),
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    author = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="vote_options"
    )
    author_name = models.CharField(_("author"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["vote", "order", "code"]
        verbose_name = _("option")
        verbose_name_plural = _("options")
        constraints = [
            models.UniqueConstraint(fields=["vote", "code"], name="votes_option_code_unique"),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"


class Proposal(models.Model):
    """A member's proposal during the proposal phase; organizers curate them into options."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        ACCEPTED = "accepted", _("Made an option")
        REJECTED = "rejected", _("Not retained")

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="proposals")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="vote_proposals")
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), max_length=3000, blank=True)
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.SUBMITTED
    )
    option = models.OneToOneField(
        Option, null=True, blank=True, on_delete=models.SET_NULL, related_name="proposal"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")

    def __str__(self):
        return self.title


class Participation(models.Model):
    """Who voted. No time, no link to the ballot. One per member and vote, by the database."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="participations")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="vote_participations")

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        constraints = [
            models.UniqueConstraint(fields=["vote", "member"], name="votes_one_ballot_per_member"),
        ]

    def __str__(self):
        return f"{self.member_id} voted in {self.vote_id}"


class Ballot(models.Model):
    """What was voted. No member, no time, a random key; found again only by its receipt.

    ``content`` is in the terms of the published file: approval, a list of option codes;
    ranked, a list of groups of tied codes, best first; graded, one grade per option (in the
    order of the vote's options at closing, codes as keys).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="ballots")
    receipt = models.CharField(_("receipt"), max_length=20)
    content = models.JSONField(_("content"))

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [
            models.UniqueConstraint(fields=["vote", "receipt"], name="votes_receipt_unique"),
        ]

    def __str__(self):
        return self.receipt


class Publication(models.Model):
    """The published ballot file of a closed vote; its SHA-256 is in the journal."""

    vote = models.OneToOneField(
        Vote, primary_key=True, on_delete=models.CASCADE, related_name="publication"
    )
    content = models.TextField()
    sha256 = models.CharField(max_length=64)
    ballots = models.PositiveIntegerField()
    published_at = models.DateTimeField()

    class Meta:
        verbose_name = _("published ballots")
        verbose_name_plural = _("published ballots")

    def __str__(self):
        return f"{self.vote_id} {self.sha256}"
