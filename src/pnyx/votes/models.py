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


class Mode(models.TextChoices):
    """How ballots are kept: encrypted in the voter's browser and counted encrypted (Belenios),
    or stored and published in plaintext (the ranked methods, which Belenios's homomorphic
    tally cannot count). See docs/votes.md, "Two modes"."""

    VERIFIABLE = "verifiable", _("Encrypted and verifiable vote")
    PUBLISHED = "published", _("Published ballots")


class Group(models.TextChoices):
    RISTRETTO255 = "RISTRETTO255", "ristretto255"
    BELENIOS_2048 = "BELENIOS-2048", "BELENIOS-2048"


class CredentialMode(models.TextChoices):
    AUTHORITY = "authority", _("A credential authority generates them offline")
    SERVER = "server", _("The server generates and mails them")


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
    mode = models.CharField(_("mode"), max_length=20, choices=Mode.choices, default=Mode.VERIFIABLE)
    group = models.CharField(
        _("group"), max_length=20, choices=Group.choices, default=Group.RISTRETTO255
    )
    credential_mode = models.CharField(
        _("credentials"),
        max_length=20,
        choices=CredentialMode.choices,
        default=CredentialMode.AUTHORITY,
    )
    #: Trustees needed to decrypt (threshold key, Belenios's "threshold" mode); None: every
    #: trustee, each with a "Single" key.
    threshold = models.PositiveSmallIntegerField(_("trustees needed"), null=True, blank=True)
    revote = models.BooleanField(
        _("re-voting allowed"), default=False, help_text=_("The last ballot counts.")
    )
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
    def is_verifiable(self) -> bool:
        return self.mode == Mode.VERIFIABLE

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
    """Who voted. No time, no link to the ballot. One per member and vote, by the database.

    Verifiable mode: `credential` is the public credential the member's ballots are signed
    with (UNIQUE per vote: a credential serves one member only; a member uses one credential
    only). It binds a member to the credential's ballots, which are encrypted: what they say
    is known to nobody without the trustees' shares."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="participations")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="vote_participations")
    # NULL, not "": published-mode participations have none, and UNIQUE ignores NULLs.
    credential = models.CharField(  # noqa: DJ001
        _("public credential"), max_length=700, null=True, blank=True
    )

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        constraints = [
            models.UniqueConstraint(fields=["vote", "member"], name="votes_one_ballot_per_member"),
            models.UniqueConstraint(
                fields=["vote", "credential"], name="votes_one_member_per_credential"
            ),
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


# --- verifiable mode (Belenios) --------------------------------------------------------------


class Election(models.Model):
    """The cryptographic state of a verifiable vote, every item as the exact text that the
    election record holds (docs/verifiable-votes.md): the election (frozen once, its hash
    shown on every page), the trustees' public parameters, the public credentials, the
    encrypted tally, the result. No private key or private credential, ever."""

    vote = models.OneToOneField(
        Vote, primary_key=True, on_delete=models.CASCADE, related_name="election"
    )
    uuid = models.CharField(_("uuid"), max_length=40, blank=True)
    text = models.TextField(_("election"), blank=True)
    hash = models.CharField(_("election hash"), max_length=64, blank=True)
    trustees = models.TextField(_("trustees (public)"), blank=True)
    public_credentials = models.TextField(_("public credentials"), blank=True)
    credentials_count = models.PositiveIntegerField(default=0)
    credentials_fingerprint = models.CharField(max_length=100, blank=True)
    #: Threshold key ceremony, the server's part: the certificates' and polynomials' lists,
    #: and the vinputs offered to each trustee, as the JSON texts of the protocol.
    ceremony = models.JSONField(default=dict, blank=True)
    frozen_at = models.DateTimeField(null=True, blank=True)
    encrypted_tally = models.TextField(_("encrypted tally"), blank=True)
    num_tallied = models.PositiveIntegerField(null=True, blank=True)
    #: "", "computing" (a task computes the encrypted tally), "decrypting" (waiting for the
    #: trustees), "done".
    tally_state = models.CharField(max_length=20, blank=True)
    result_text = models.TextField(_("result"), blank=True)
    record = models.BinaryField(_("election record"), null=True, blank=True)
    record_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("election")
        verbose_name_plural = _("elections")

    def __str__(self):
        return f"{self.vote_id} {self.uuid}"

    def public_credential_set(self) -> frozenset[str]:
        import json

        return frozenset(json.loads(self.public_credentials or "[]"))


class Trustee(models.Model):
    """A named person who holds a share of the election key on their own machine. Their page
    is reached by a secret link; the server receives only public outputs."""

    class State(models.TextChoices):
        INVITED = "invited", _("Invited")
        KEY_SENT = "key", _("Key sent")
        POLYNOMIAL_SENT = "polynomial", _("Polynomial sent")
        DONE = "done", _("Key ceremony done")
        DECRYPTED = "decrypted", _("Partial decryption sent")

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="trustees")
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    secret = models.CharField(max_length=64, editable=False)
    state = models.CharField(max_length=20, choices=State.choices, default=State.INVITED)
    #: Single mode: the trustee_public_key (key with its proof). Threshold mode: the cert.
    public_key = models.TextField(blank=True)
    polynomial = models.TextField(blank=True)
    voutput = models.TextField(blank=True)
    #: The element the partial decryption is checked against (public key or verification key).
    verification_key = models.TextField(blank=True)
    partial_decryption = models.TextField(blank=True)

    class Meta:
        ordering = ["vote", "position"]
        verbose_name = _("trustee")
        verbose_name_plural = _("trustees")

    def __str__(self):
        return self.name

    def token(self) -> str:
        from django.utils.crypto import salted_hmac

        return salted_hmac(
            "pnyx.votes.trustee", f"{self.pk}:{self.secret}", algorithm="sha256"
        ).hexdigest()[:32]

    def token_matches(self, token: str) -> bool:
        from django.utils.crypto import constant_time_compare

        return constant_time_compare(self.token(), token)

    def path(self) -> str:
        from django.urls import reverse

        return reverse("votes:trustee", args=[self.pk, self.token()])


class EncryptedBallot(models.Model):
    """The bulletin board: one row per accepted ballot, as the voter's browser sent it (its
    exact text, its hash = the voter's receipt, Belenios's smart ballot tracker). No member:
    the credential signs it; the credential's binding to a member is the participation's.
    `seq` orders the board; with re-voting, the last ballot of a credential counts."""

    seq = models.BigAutoField(primary_key=True)
    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="encrypted_ballots")
    credential = models.CharField(max_length=700)
    hash = models.CharField(_("hash"), max_length=64)
    text = models.TextField()
    #: Set at closing on the ballots counted (the last one per credential).
    counted = models.BooleanField(default=False)

    class Meta:
        ordering = ["vote", "seq"]
        verbose_name = _("encrypted ballot")
        verbose_name_plural = _("encrypted ballots")
        constraints = [
            models.UniqueConstraint(fields=["vote", "hash"], name="votes_ballot_hash_unique"),
        ]
        indexes = [models.Index(fields=["vote", "credential"], name="votes_eballot_cred")]

    def __str__(self):
        return self.hash
