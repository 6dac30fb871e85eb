"""State changes of votes: set up, proposals, open, cast, close and publish, announce.

Counting is never done here: the published ballot file is read back by `pnyx.tally` exactly as
`pnyx tally FILE` reads it, so the results page and an auditor's recount are the same
computation on the same bytes.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import secrets
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from pnyx import tally
from pnyx.journal.actions import record
from pnyx.journal.chain import digest
from pnyx.members.models import Member
from pnyx.programme.models import Convention, Participant

from .models import (
    RANKED_METHODS,
    Ballot,
    Electorate,
    Method,
    Mode,
    Option,
    Participation,
    Proposal,
    Publication,
    Status,
    Vote,
    validate_code,
)


class VoteError(Exception):
    """A request that cannot be granted; the message is shown to the user."""


class AlreadyVoted(VoteError):
    pass


class VoteClosed(VoteError):
    """The vote closed before this ballot could be recorded: nothing was written."""


# --- locks -----------------------------------------------------------------------------------
#
# Casting and changing a vote's status are serialised by a lock per vote, taken first thing in
# the transaction (docs/votes.md, "Closing is race-free"). On PostgreSQL it is a
# transaction-level advisory lock: casts take it shared (they run side by side), opening and
# closing take it exclusive (they wait for the casts in flight, and casts that come later queue
# behind them, then read the new status). Row locks would not do: the foreign keys are
# DEFERRABLE INITIALLY DEFERRED, so an insert locks the vote row only at commit, and a stream of
# FOR SHARE row locks can starve a FOR UPDATE, whereas the lock manager queues a shared request
# behind a waiting exclusive one. Transaction-level locks are released at commit or rollback,
# so they are safe with pooled connections. On SQLite, `transaction_mode` IMMEDIATE makes every
# transaction take the database's write lock at BEGIN: all of them are serialised already.

#: First key of the two-key advisory locks (the second is the vote's id): "vote" in ASCII.
VOTE_LOCK_CLASS = 0x766F7465


def _lock_vote(vote_pk: int, *, shared: bool) -> None:
    """Take the vote's lock for the rest of the current transaction (see above)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("a vote's lock is taken inside a transaction")
    if connection.vendor != "postgresql":
        return
    fn = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {fn}(%s, %s)", [VOTE_LOCK_CLASS, vote_pk % 2**31])


def _check_accepts(status: str, opens_at, closes_at, now) -> None:
    """Raise VoteClosed or VoteError unless a vote in this state accepts a ballot at `now`."""
    if status == Status.CLOSED or (
        status == Status.OPEN and closes_at is not None and now >= closes_at
    ):
        raise VoteClosed(_("This vote is closed."))
    if status != Status.OPEN or (opens_at is not None and now < opens_at):
        raise VoteError(_("This vote is not open."))


def _lock_for_casting(vote: Vote, now) -> None:
    """In the cast's transaction: take the shared lock, then read the vote's state as it is
    now (a statement after the lock, so a close that committed meanwhile is seen)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("a vote's lock is taken inside a transaction")
    if connection.vendor == "postgresql":
        # Both statements in one round trip (the cast is the busiest request; on a loaded
        # machine every extra round trip costs a wake-up). Sent without parameters, they go by
        # the simple query protocol, which runs them one after the other, each with its own
        # snapshot: the read sees the vote as it is once the lock is granted.
        pk = int(vote.pk)
        table = connection.ops.quote_name(Vote._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT pg_advisory_xact_lock_shared({VOTE_LOCK_CLASS}, {pk % 2**31}); "
                f"SELECT status, opens_at, closes_at FROM {table} WHERE id = {pk}"
            )
            cursor.nextset()
            row = cursor.fetchone()
    else:
        fields = ("status", "opens_at", "closes_at")
        row = Vote.objects.filter(pk=vote.pk).values_list(*fields).first()
    if row is None:
        raise VoteError(_("This vote is not open."))
    _check_accepts(*row, now)


# --- set-up ----------------------------------------------------------------------------------


def check_settings(vote: Vote) -> None:
    """Raise VoteError when the method's parameters are incomplete or unusable."""
    if vote.method == Method.APPROVAL and not vote.max_choices:
        raise VoteError(_("Approval needs the number of choices per ballot."))
    if vote.method == Method.MJ:
        grades = list(vote.grades or [])
        if len(grades) < 2 or len(set(grades)) != len(grades):
            raise VoteError(_("Majority judgment needs at least two distinct grades."))
        for g in grades:
            if not g.strip() or any(ch in g for ch in '|,\n"') or g != g.strip():
                raise VoteError(_("A grade may not contain '|', ',' or quotes: %(g)s") % {"g": g})
    if vote.seats < 1:
        raise VoteError(_("At least one winner."))
    check_times(vote.opens_at, vote.closes_at)


def create_vote(convention: Convention, actor, **fields: Any) -> Vote:
    """A new vote, in draft. Without `mode`, verifiable for approval and majority judgment,
    published ballots for the ranked methods (`default_mode`)."""
    fields.setdefault("mode", default_mode(fields.get("method", "")))
    vote = Vote(convention=convention, **fields)
    check_settings(vote)
    check_mode(vote)
    with transaction.atomic():
        vote.save()
        payload = {"question": vote.question, "method": vote.method, "in_hall": vote.in_hall}
        if vote.is_verifiable:
            payload |= {
                "mode": vote.mode,
                "group": vote.group,
                "credentials": vote.credential_mode,
                "threshold": vote.threshold,
                "revote": vote.revote,
                "blank": vote.blank_allowed,
            }
        record("vote.created", actor=actor, obj=vote, payload=payload)
    return vote


def next_code(vote: Vote) -> str:
    n = vote.options.count() + 1
    codes = set(vote.options.values_list("code", flat=True))
    while f"P{n:02d}" in codes:
        n += 1
    return f"P{n:02d}"


def _editable(vote: Vote) -> None:
    if vote.status not in (Status.DRAFT, Status.PROPOSALS):
        raise VoteError(_("Options can no longer change once the vote is open."))
    _not_frozen(vote)


def _not_frozen(vote: Vote) -> None:
    from .models import Election

    if Election.objects.filter(vote_id=vote.pk, frozen_at__isnull=False).exists():
        raise VoteError(_("Options can no longer change once the election is made."))


def _lock_editable(vote: Vote, *, frozen_ok: bool = False) -> None:
    """In the transaction of an option's change: the vote's exclusive lock, then its status
    read again, so that no option changes after `open_vote` froze and journaled them."""
    _lock_vote(vote.pk, shared=False)
    status = Vote.objects.filter(pk=vote.pk).values_list("status", flat=True).first()
    if status not in (Status.DRAFT, Status.PROPOSALS):
        raise VoteError(_("Options can no longer change once the vote is open."))
    if not frozen_ok:
        _not_frozen(vote)


def add_option(
    vote: Vote,
    actor,
    *,
    title: str,
    code: str = "",
    description: str = "",
    author: Member | None = None,
    author_name: str = "",
) -> Option:
    _editable(vote)
    code = (code or "").strip() or next_code(vote)
    try:
        validate_code(code)
    except Exception as exc:
        raise VoteError(" ".join(getattr(exc, "messages", [str(exc)]))) from None
    with transaction.atomic():
        _lock_editable(vote)
        if vote.options.filter(code=code).exists():
            raise VoteError(_("Another option already has the code %(code)s.") % {"code": code})
        option = Option.objects.create(
            vote=vote,
            code=code,
            title=title.strip(),
            description=description.strip(),
            author=author,
            author_name=author_name or (author.full_name if author else ""),
            order=vote.options.count(),
        )
        record("vote.option_added", actor=actor, obj=vote, payload={"code": code, "title": title})
    return option


def remove_option(option: Option, actor) -> None:
    _editable(option.vote)
    with transaction.atomic():
        _lock_editable(option.vote)
        Proposal.objects.filter(option=option).update(state=Proposal.State.SUBMITTED)
        record("vote.option_removed", actor=actor, obj=option.vote, payload={"code": option.code})
        option.delete()


def open_proposals(vote: Vote, actor) -> Vote:
    if vote.status != Status.DRAFT:
        raise VoteError(_("Only a draft vote can open a proposal phase."))
    election = getattr(vote, "election", None)
    if election is not None and election.frozen_at:
        # The election's questions (the options) are fixed: no proposal could become one.
        raise VoteError(_("Options can no longer change once the election is made."))
    with transaction.atomic():
        Vote.objects.filter(pk=vote.pk).update(status=Status.PROPOSALS)
        vote.status = Status.PROPOSALS
        record("vote.proposals_opened", actor=actor, obj=vote)
    return vote


def submit_proposal(vote: Vote, member: Member, title: str, description: str = "") -> Proposal:
    if vote.status != Status.PROPOSALS:
        raise VoteError(_("Proposals are not open for this vote."))
    if not is_eligible(vote, member):
        raise VoteError(_("You are not in the electorate of this vote."))
    with transaction.atomic():
        proposal = Proposal.objects.create(
            vote=vote, member=member, title=title.strip(), description=description.strip()
        )
        record(
            "vote.proposal_submitted",
            actor=f"member:{member.external_id}",
            obj=vote,
            payload={"proposal": proposal.pk, "title": proposal.title},
        )
    return proposal


def accept_proposal(proposal: Proposal, actor, *, title: str = "", code: str = "") -> Option:
    """Curate a proposal into an option (organizers may shorten or merge titles)."""
    if proposal.state == Proposal.State.ACCEPTED:
        raise VoteError(_("This proposal is already an option."))
    with transaction.atomic():
        option = add_option(
            proposal.vote,
            actor,
            title=title or proposal.title,
            code=code,
            description=proposal.description,
            author=proposal.member,
        )
        proposal.state = Proposal.State.ACCEPTED
        proposal.option = option
        proposal.save(update_fields=["state", "option"])
    return option


def reject_proposal(proposal: Proposal, actor) -> Proposal:
    with transaction.atomic():
        proposal.state = Proposal.State.REJECTED
        proposal.save(update_fields=["state"])
        record(
            "vote.proposal_rejected",
            actor=actor,
            obj=proposal.vote,
            payload={"proposal": proposal.pk},
        )
    return proposal


# --- electorate ------------------------------------------------------------------------------


def electorate(vote: Vote) -> QuerySet[Member]:
    """The members who may vote, by the vote's rules."""
    qs = Member.objects.filter(active=True)
    if vote.joined_before:
        qs = qs.filter(joined_on__lt=vote.joined_before)
    if vote.electorate in (Electorate.PARTICIPANTS, Electorate.PRESENT):
        participants = Participant.objects.filter(convention_id=vote.convention_id)
        if vote.electorate == Electorate.PRESENT:
            participants = participants.filter(checked_in_at__isnull=False)
        qs = qs.filter(pk__in=participants.values("member_id"))
    return qs


def is_eligible(vote: Vote, member: Member) -> bool:
    """The same rules as `electorate`; no query for an electorate of members."""
    if vote.electorate == Electorate.MEMBERS:
        joined = member.joined_on
        if isinstance(joined, str):
            joined = date.fromisoformat(joined)
        return member.active and (vote.joined_before is None or joined < vote.joined_before)
    return electorate(vote).filter(pk=member.pk).exists()


def has_voted(vote: Vote, member: Member) -> bool:
    return Participation.objects.filter(vote=vote, member=member).exists()


# --- opening ---------------------------------------------------------------------------------


#: The longest "open for N minutes": 31 days (a longer vote sets its closing time instead).
MAX_MINUTES = 31 * 24 * 60


def check_minutes(minutes: Any) -> int | None:
    """The duration of "open for N minutes" as a whole number of minutes, or None (no
    duration); a VoteError names what is wrong with anything else."""
    if minutes is None or (isinstance(minutes, str) and not minutes.strip()):
        return None
    if isinstance(minutes, bool):
        raise VoteError(_("The duration is a whole number of minutes."))
    if isinstance(minutes, int):
        value = minutes
    elif isinstance(minutes, str) and re.fullmatch(r"[+-]?[0-9]{1,12}", minutes.strip()):
        value = int(minutes.strip())
    else:
        raise VoteError(_("The duration is a whole number of minutes."))
    if value < 1:
        raise VoteError(_("The duration must be at least one minute."))
    if value > MAX_MINUTES:
        raise VoteError(
            _("The duration may not exceed %(max)d minutes (31 days); set a closing time instead.")
            % {"max": MAX_MINUTES}
        )
    return value


def check_times(opens_at, closes_at) -> None:
    """Raise VoteError when the closing time is not after the opening time."""
    if opens_at is not None and closes_at is not None and closes_at <= opens_at:
        raise VoteError(_("The closing time must be after the opening time."))


def open_vote(vote: Vote, actor, *, minutes: int | str | None = None) -> Vote:
    """Open the vote now (for `minutes` when given: a short in-hall vote)."""
    minutes = check_minutes(minutes)
    if vote.status not in (Status.DRAFT, Status.PROPOSALS):
        raise VoteError(_("This vote has already been opened."))
    now = timezone.now()
    with transaction.atomic():
        # The state is checked again under the vote's locks: an organizer's page may be stale.
        _lock_vote(vote.pk, shared=False)
        vote = Vote.objects.select_for_update().get(pk=vote.pk)
        if vote.status not in (Status.DRAFT, Status.PROPOSALS):
            raise VoteError(_("This vote has already been opened."))
        check_settings(vote)
        codes = list(vote.options.values_list("code", flat=True))
        if len(codes) < 2:
            raise VoteError(_("A vote needs at least two options."))
        if vote.method == Method.APPROVAL and vote.max_choices > len(codes):
            raise VoteError(_("More choices per ballot than options."))
        check_ready(vote)
        vote.status = Status.OPEN
        if minutes:
            vote.opens_at, vote.closes_at = now, now + timedelta(minutes=minutes)
        elif vote.opens_at is None:
            vote.opens_at = now
        check_times(vote.opens_at, vote.closes_at)
        vote.save(update_fields=["status", "opens_at", "closes_at"])
        Proposal.objects.filter(vote=vote, state=Proposal.State.SUBMITTED).update(
            state=Proposal.State.REJECTED
        )
        record(
            "vote.opened",
            actor=actor,
            obj=vote,
            payload={
                "question": vote.question,
                "method": vote.method,
                "params": vote.tally_params() | {"grades": vote.grades},
                "options": {o.code: o.title for o in vote.options.all()},
                "electorate": vote.electorate,
                "joined_before": vote.joined_before,
                "opens_at": vote.opens_at,
                "closes_at": vote.closes_at,
            },
        )
    return vote


# --- casting ---------------------------------------------------------------------------------


def normalize(vote: Vote, options: Sequence[str], raw: Any) -> Any:
    """Validate a ballot (server side, whatever the page did) and return its stored content.

    `options` are the vote's option codes. Approval: an iterable of codes. Majority judgment: a
    mapping code -> grade. Ranked methods: a mapping code -> rank (1 = first; equal ranks are
    ties; empty = unranked).
    """
    valid = set(options)
    if vote.method == Method.APPROVAL:
        chosen = [str(c) for c in raw]
        if len(set(chosen)) != len(chosen) or not set(chosen) <= valid:
            raise VoteError(_("This ballot names an unknown option."))
        k = vote.max_choices or len(options)
        if not chosen:
            raise VoteError(_("Choose at least one option."))
        if len(chosen) > k:
            raise VoteError(_("Choose at most %(k)d options.") % {"k": k})
        if vote.exactly and len(chosen) != k:
            raise VoteError(_("Choose exactly %(k)d options.") % {"k": k})
        return sorted(chosen, key=list(options).index)
    if vote.method == Method.MJ:
        grades = list(vote.grades)
        raw = dict(raw)
        if set(raw) - valid:
            raise VoteError(_("This ballot names an unknown option."))
        out = {}
        for code in options:
            g = raw.get(code)
            if g not in grades:
                raise VoteError(_("Give a grade to every option."))
            out[code] = g
        return out
    # ranked
    raw = dict(raw)
    if set(raw) - valid:
        raise VoteError(_("This ballot names an unknown option."))
    ranks: dict[int, list[str]] = {}
    for code in options:
        value = raw.get(code)
        if value in (None, ""):
            continue
        try:
            r = int(value)
        except (TypeError, ValueError):
            raise VoteError(_("A rank is a whole number.")) from None
        if r < 1 or r > len(options):
            raise VoteError(_("A rank is between 1 and the number of options."))
        ranks.setdefault(r, []).append(code)
    if not ranks:
        raise VoteError(_("Rank at least one option."))
    if vote.method in (Method.IRV, Method.STV) and any(len(g) > 1 for g in ranks.values()):
        # The runoff methods transfer a ballot to one next preference: no ties.
        raise VoteError(_("With this method, two options cannot share a rank."))
    return [ranks[r] for r in sorted(ranks)]


RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def new_receipt() -> str:
    """12 random characters (60 bits), grouped by four: K7QF-2MXD-9TZA."""
    s = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(12))
    return f"{s[:4]}-{s[4:8]}-{s[8:]}"


def clean_receipt(text: str) -> str:
    s = "".join(ch for ch in (text or "").upper() if ch.isalnum())
    return f"{s[:4]}-{s[4:8]}-{s[8:12]}" if len(s) == 12 else s


def cast(vote: Vote, member: Member, raw: Any, *, options: Sequence[str] | None = None) -> str:
    """Record a ballot and the member's participation in one transaction; return the receipt.

    The transaction first takes the vote's lock shared and reads the vote's state (`vote` may
    be a cached copy): a cast either commits before the close takes its exclusive lock (its
    ballot is then in the published file) or raises VoteClosed and writes nothing. One ballot
    per member is enforced by the UNIQUE (vote, member) constraint of Participation: of
    concurrent attempts, one commits, the others fail and write nothing. Nothing joins the two
    rows; nothing is logged.
    """
    now = timezone.now()
    _check_accepts(vote.status, vote.opens_at, vote.closes_at, now)
    if vote.is_verifiable:
        raise VoteError(_("This vote takes encrypted ballots only."))
    if not is_eligible(vote, member):
        raise VoteError(_("You are not in the electorate of this vote."))
    if options is None:
        options = list(vote.options.values_list("code", flat=True))
    content = normalize(vote, options, raw)
    for _attempt in range(3):
        receipt = new_receipt()
        try:
            with transaction.atomic():
                _lock_for_casting(vote, timezone.now())
                Participation.objects.create(vote=vote, member=member)
                Ballot.objects.create(vote=vote, receipt=receipt, content=content)
            return receipt
        except IntegrityError:
            if has_voted(vote, member):
                raise AlreadyVoted(_("You have already voted.")) from None
            # else: a receipt collision (2^-60 per pair); draw another one.
    raise VoteError(_("Please try again."))


def cast_many(vote: Vote, ballots: Iterable[tuple[Member, Any]], *, batch: int = 2000) -> int:
    """Bulk path (the demo, imports of paper ballots counted in the hall): the same invariants
    as `cast` — the vote's lock and state read first in the transaction, eligibility,
    validation, one participation per member by the same UNIQUE constraint, one ballot per
    participation in the same transaction, random keys and receipts — with a few statements
    per thousand ballots. All or nothing."""
    _check_accepts(vote.status, vote.opens_at, vote.closes_at, timezone.now())
    if vote.is_verifiable:
        raise VoteError(_("This vote takes encrypted ballots only."))
    options = list(vote.options.values_list("code", flat=True))
    allowed = set(electorate(vote).values_list("pk", flat=True))
    parts: list[Participation] = []
    rows: list[Ballot] = []
    for member, raw in ballots:
        if member.pk not in allowed:
            raise VoteError(_("You are not in the electorate of this vote."))
        parts.append(Participation(vote=vote, member=member))
        rows.append(Ballot(vote=vote, receipt=new_receipt(), content=normalize(vote, options, raw)))
    # Shuffle the ballots so that not even the insertion order follows the list of voters.
    secrets.SystemRandom().shuffle(rows)
    with transaction.atomic():
        _lock_for_casting(vote, timezone.now())
        Participation.objects.bulk_create(parts, batch_size=batch)
        Ballot.objects.bulk_create(rows, batch_size=batch)
    return len(rows)


# --- closing and publishing ------------------------------------------------------------------


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def ballot_file(vote: Vote, options: Sequence[Option], ballots: Iterable[tuple[str, Any]]) -> str:
    """The published ballots, in the CSV formats of `pnyx tally` (docs/formats.md), sorted by
    receipt. A header of `# key: value` lines states the method and its parameters."""
    codes = [o.code for o in options]
    out = io.StringIO()
    out.write(f"# vote: {vote.pk}\n")
    out.write(f"# question: {' '.join(vote.question.split())}\n")
    out.write(f"# method: {vote.method}\n")
    out.write(f"# seats: {vote.seats}\n")
    if vote.method == Method.APPROVAL:
        out.write(f"# max-choices: {vote.max_choices}\n")
        out.write(f"# exactly: {_yes(vote.exactly)}\n")
    if vote.method == Method.MJ:
        out.write(f"# grades: {'|'.join(vote.grades)}\n")
    out.write(f"# options: {'|'.join(codes)}\n")
    for o in options:
        out.write(f"# option {o.code}: {' '.join(o.title.split())}\n")
    w = csv.writer(out, lineterminator="\n")
    rows = sorted(ballots)
    if vote.method == Method.APPROVAL:
        w.writerow(["receipt", "choices"])
        w.writerows([r, "|".join(c)] for r, c in rows)
    elif vote.method == Method.MJ:
        w.writerow(["receipt", *codes])
        w.writerows([r, *(c.get(code, "") for code in codes)] for r, c in rows)
    else:
        w.writerow(["receipt", "ranking"])
        w.writerows([r, ">".join("=".join(g) for g in c)] for r, c in rows)
    return out.getvalue()


def count_file(vote: Vote, text: str) -> tally.Result:
    """Count a published file as `pnyx tally FILE --method M` does (same reader, same params)."""
    bf = tally.read_csv_text(text, f"vote-{vote.pk}.csv")
    return tally.count(vote.method, bf.ballots, **vote.tally_params())


def close_vote(vote: Vote, actor, *, due_at=None, announce: bool = False) -> Vote:
    """Close, publish the anonymous ballots (SHA-256 journaled) and store the count.

    `due_at` (the automatic close): close only if the closing time is still at or before it.
    `announce`: start the announcement in the same transaction, so that the results are never
    shown before the announcement reveals them (not even between the close and its start).
    """
    with transaction.atomic():
        # The exclusive lock waits for the casts in flight (each holds the lock shared until
        # it commits) and makes later casts wait, then read the vote closed and write nothing.
        # The ballots read below are therefore exactly those of the receipts issued.
        _lock_vote(vote.pk, shared=False)
        vote = Vote.objects.select_for_update().get(pk=vote.pk)
        if vote.status == Status.CLOSED:
            raise VoteError(_("This vote is already closed."))
        if vote.status != Status.OPEN:
            raise VoteError(_("This vote has not been opened."))
        if due_at is not None and (vote.closes_at is None or vote.closes_at > due_at):
            raise VoteError(_("This vote is not due to close yet."))
        now = timezone.now()
        vote.status = Status.CLOSED
        vote.closed_at = now
        vote.save(update_fields=["status", "closed_at"])
        if vote.is_verifiable:
            _close_verifiable(vote, actor, now)
            if announce:
                vote.announcing, vote.announced = True, 0
                vote.save(update_fields=["announcing", "announced"])
                record("vote.announcement_started", actor=actor, obj=vote)
            return vote
        options = list(vote.options.all())
        ballots = list(vote.ballots.values_list("receipt", "content"))
        voters = sorted(
            vote.participations.values_list("member__external_id", flat=True).iterator()
        )
        if len(voters) != len(ballots):
            raise RuntimeError(
                f"vote {vote.pk}: {len(voters)} participations but {len(ballots)} ballots"
            )
        text = ballot_file(vote, options, ballots)
        sha = hashlib.sha256(text.encode()).hexdigest()
        Publication.objects.create(
            vote=vote, content=text, sha256=sha, ballots=len(ballots), published_at=now
        )
        result = count_file(vote, text)
        vote.result = result.to_json()
        vote.save(update_fields=["result"])
        record(
            "vote.closed",
            actor=actor,
            obj=vote,
            payload={"participations": len(voters), "ballots": len(ballots)},
            inputs_digest=digest(voters),
        )
        record(
            "vote.published",
            actor=actor,
            obj=vote,
            payload={
                "sha256": sha,
                "ballots": len(ballots),
                "method": vote.method,
                "winners": list(result.winners),
                "ranking": list(result.ranking),
            },
            inputs_digest=sha,
        )
        if announce:
            vote.announcing, vote.announced = True, 0
            vote.save(update_fields=["announcing", "announced"])
            record("vote.announcement_started", actor=actor, obj=vote)
    return vote


def close_due_votes(actor="system", now=None) -> list[Vote]:
    """Close every open vote whose closing time has passed (`pnyx close-votes`)."""
    now = now or timezone.now()
    closed = []
    for vote in Vote.objects.filter(status=Status.OPEN, closes_at__lte=now):
        try:
            # Checked again under the lock: another run, or an organizer, may have closed the
            # vote or moved its closing time meanwhile.
            closed.append(close_vote(vote, actor, due_at=now))
        except VoteError:
            continue
    return closed


def find_receipt(vote: Vote, receipt: str) -> bool:
    """Whether the receipt is in the vote's published file (not in the live table)."""
    pub = Publication.objects.filter(vote=vote).first()
    if pub is None:
        return False
    receipt = clean_receipt(receipt)
    if len(receipt) != 14:
        return False
    return f"\n{receipt}," in pub.content


# --- announcement ----------------------------------------------------------------------------


def _ranking(vote: Vote) -> list[str]:
    if vote.status != Status.CLOSED or not vote.result:
        raise VoteError(_("Results are announced once the vote is closed."))
    return list(vote.result["ranking"])


def announce_start(vote: Vote, actor) -> Vote:
    _ranking(vote)
    with transaction.atomic():
        Vote.objects.filter(pk=vote.pk).update(announcing=True, announced=0)
        vote.announcing, vote.announced = True, 0
        record("vote.announcement_started", actor=actor, obj=vote)
    return vote


def announce_next(vote: Vote, actor) -> Vote:
    """Reveal one more place of the ranking, from the last to the first."""
    n = len(_ranking(vote))
    with transaction.atomic():
        vote = Vote.objects.select_for_update().get(pk=vote.pk)
        if not vote.announcing:
            raise VoteError(_("Start the announcement first."))
        if vote.announced >= n:
            raise VoteError(_("Every place has been revealed."))
        vote.announced += 1
        vote.save(update_fields=["announced"])
        place = n - vote.announced + 1
        record(
            "vote.announced",
            actor=actor,
            obj=vote,
            payload={"place": place, "option": vote.result["ranking"][place - 1]},
        )
    return vote


def announce_all(vote: Vote, actor) -> Vote:
    n = len(_ranking(vote))
    with transaction.atomic():
        Vote.objects.filter(pk=vote.pk).update(announcing=False, announced=n)
        vote.announcing, vote.announced = False, n
        record("vote.announcement_ended", actor=actor, obj=vote)
    return vote


def results_hidden(vote: Vote) -> bool:
    """Whether part of the result is still hidden by the announcement (then the ballot file,
    which gives the result away, is withheld too)."""
    return revealed(vote) is not None and vote.announced < len(vote.result["ranking"])


def revealed(vote: Vote) -> Mapping[int, str] | None:
    """Announcement mode: {place: code} revealed so far; None when not announcing."""
    if not vote.announcing or not vote.result:
        return None
    ranking = vote.result["ranking"]
    n = len(ranking)
    return {p: ranking[p - 1] for p in range(n - vote.announced + 1, n + 1)}


# --- verifiable mode (Belenios) --------------------------------------------------------------
#
# A verifiable vote is a Belenios election (docs/verifiable-votes.md): trustees make the key
# offline and upload only public outputs; the credential authority (or the server, in the
# simpler mode) makes the credentials; the voter's browser encrypts and signs the ballot; the
# server checks every proof before it acknowledges a ballot, keeps the bulletin board, computes
# the encrypted tally at closing, and the trustees decrypt it. The cryptography is the pure
# `pnyx.crypto` package; this section only stores its exact texts, checks states, journals.

#: A ballot's text, at most (a majority-judgment ballot of 30 options × 6 grades in the
#: finite-field group is about 1 MB).
MAX_BALLOT_BYTES = 2_000_000
#: An uploaded trustee output or credentials file, at most.
MAX_UPLOAD_BYTES = 20_000_000
#: Above this many ballots, the encrypted tally is computed by a task, not in the request.
TALLY_INLINE_MAX = 200


def _crypto():
    """The pure cryptography (imported late: the Django app loads without it)."""
    from pnyx.crypto import ballots, credentials, election, groups, tally, trustees

    return ballots, credentials, election, groups, tally, trustees


def default_mode(method: str) -> str:
    """Verifiable for the methods a homomorphic tally counts (approval, majority judgment);
    published ballots for the ranked methods."""
    return Mode.PUBLISHED if method in RANKED_METHODS else Mode.VERIFIABLE


def check_mode(vote: Vote) -> None:
    if vote.mode == Mode.VERIFIABLE and vote.method in RANKED_METHODS:
        raise VoteError(_("Ranked votes are counted from published ballots only."))
    if vote.threshold is not None and vote.threshold < 1:
        raise VoteError(_("At least one trustee is needed to decrypt."))
    if vote.blank_allowed and not (vote.is_verifiable and vote.method == Method.APPROVAL):
        raise VoteError(_("A blank vote is offered in verifiable approval votes only."))


def questions(vote: Vote, options: Sequence[Option] | None = None) -> list[dict]:
    """The vote in Belenios's terms (election's "questions"): approval k of n is one question
    whose answers are the options (at least one, at most k; exactly k when the vote says so);
    majority judgment is one question per option whose answers are the grades, exactly one.
    A blank-allowed approval vote is a Belenios "blank": true question (the plaintext has one
    more, leading value: 1 = blank, then every option 0)."""
    options = list(options if options is not None else vote.options.all())
    if vote.method == Method.APPROVAL:
        k = vote.max_choices or len(options)
        return [
            {
                "question": vote.question,
                "answers": [f"{o.code} {o.title}"[:300] for o in options],
                "min": k if vote.exactly else 1,
                "max": k,
            }
            | ({"blank": True} if vote.blank_allowed else {})
        ]
    if vote.method == Method.MJ:
        return [
            {
                "question": f"{o.code} {o.title}"[:300],
                "answers": list(vote.grades),
                "min": 1,
                "max": 1,
            }
            for o in options
        ]
    raise VoteError(_("Ranked votes are counted from published ballots only."))


def answers_for(vote: Vote, options: Sequence[str], content: Any) -> list[list[int]]:
    """A plaintext choice (as `normalize` returns it) as Belenios's answers: one 0/1 vector
    per question. Used by the demo and the tests; the server never sees a voter's choice.
    A blank-allowed vote has the blank flag first: an empty choice is a blank ballot."""
    if vote.method == Method.APPROVAL:
        row = [1 if c in content else 0 for c in options]
        if vote.blank_allowed:
            row = [0 if any(row) else 1, *row]
        return [row]
    grades = list(vote.grades)
    return [[1 if content[c] == g else 0 for g in grades] for c in options]


def _election_row(vote: Vote):
    from .models import Election

    row, _created = Election.objects.get_or_create(vote=vote)
    return row


def _trustee_actor(trustee) -> str:
    return f"trustee:{trustee.pk}"


def _need_setup(vote: Vote) -> None:
    if not vote.is_verifiable:
        raise VoteError(_("This vote publishes its ballots: it has no trustees."))
    if vote.status not in (Status.DRAFT, Status.PROPOSALS):
        raise VoteError(_("The election is set up before the vote opens."))
    if getattr(vote, "election", None) is not None and vote.election.frozen_at:
        raise VoteError(_("The election is frozen."))


def add_trustee(vote: Vote, actor, *, name: str, email: str = ""):
    """A named trustee; their private page is reached by a secret link (`Trustee.path`)."""
    from .models import Trustee

    _need_setup(vote)
    name = " ".join((name or "").split())
    if not name:
        raise VoteError(_("Give the trustee's name."))
    with transaction.atomic():
        _lock_editable(vote)
        position = vote.trustees.count()
        trustee = Trustee.objects.create(
            vote=vote, name=name, email=email, position=position, secret=secrets.token_hex(16)
        )
        record("vote.trustee_added", actor=actor, obj=vote, payload={"name": name})
    return trustee


def remove_trustee(trustee, actor) -> None:
    vote = trustee.vote
    _need_setup(vote)
    with transaction.atomic():
        _lock_editable(vote)
        record("vote.trustee_removed", actor=actor, obj=vote, payload={"name": trustee.name})
        trustee.delete()
        for i, t in enumerate(vote.trustees.order_by("position", "pk")):
            if t.position != i:
                type(t).objects.filter(pk=t.pk).update(position=i)
        if vote.threshold is not None:
            # Everyone's threshold steps depend on the set of certificates: start them again.
            vote.trustees.update(
                state="invited", public_key="", polynomial="", voutput="", verification_key=""
            )
            _election_row(vote).__class__.objects.filter(vote=vote).update(ceremony={})


def _bounded(text: str | bytes, limit: int = MAX_UPLOAD_BYTES) -> str:
    if isinstance(text, bytes):
        if len(text) > limit:
            raise VoteError(_("This file is too large."))
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise VoteError(_("This file is not UTF-8 text.")) from None
    if len(text) > limit:
        raise VoteError(_("This file is too large."))
    return text.strip()


def _locked_trustee(trustee):
    """In a transaction: the vote's exclusive lock, the set-up still open, the trustee re-read."""
    from .models import Trustee

    _lock_editable(trustee.vote)
    return Trustee.objects.select_for_update().get(pk=trustee.pk)


def trustee_upload_key(trustee, text: str | bytes):
    """Step 1 of the key ceremony. Single mode (no threshold): the trustee's public key with its
    proof of knowledge (`pnyx trustee generate`, Belenios's `trustee_public_key`), checked.
    Threshold mode: the trustee's certificate (Belenios's `cert`, step 1), checked."""
    trustees = _crypto()[5]
    vote = trustee.vote
    _need_setup(vote)
    text = _bounded(text)
    import json

    group = _crypto()[3].get(vote.group)
    try:
        if vote.threshold is None:
            key = group.to_str(trustees.check_key(group, json.loads(text)))
        else:
            trustees.step2(group, [text])
            key = ""
    except (ValueError, KeyError, TypeError) as exc:
        raise VoteError(_("This key was refused: %(reason)s") % {"reason": exc}) from None
    with transaction.atomic():
        t = _locked_trustee(trustee)
        if (
            vote.threshold is not None
            and vote.trustees.exclude(pk=t.pk)
            .exclude(state="invited")
            .filter(state__in=["polynomial", "done"])
            .exists()
        ):
            raise VoteError(_("The other trustees have moved on: the certificates are fixed."))
        t.public_key, t.verification_key = text, key
        t.state = "done" if vote.threshold is None else "key"
        t.save(update_fields=["public_key", "verification_key", "state"])
        record(
            "vote.trustee_key_received",
            actor=_trustee_actor(t),
            obj=vote,
            payload={"trustee": t.name, "sha256": hashlib.sha256(text.encode()).hexdigest()},
        )
    return t


def ceremony_certs(vote: Vote) -> str:
    """Threshold mode: every trustee's certificate, one JSON a line (the `--certs` file)."""
    certs = list(vote.trustees.order_by("position").values_list("public_key", flat=True))
    if not all(certs):
        raise VoteError(_("Every trustee must first send their certificate."))
    return "\n".join(certs) + "\n"


def trustee_upload_polynomial(trustee, text: str | bytes):
    """Threshold step 3: the trustee's polynomial (computed offline from the certificates).
    When every polynomial is in, the server computes each trustee's vinput (step 4)."""
    trustees = _crypto()[5]
    vote = trustee.vote
    _need_setup(vote)
    text = _bounded(text)
    with transaction.atomic():
        t = _locked_trustee(trustee)
        certs = ceremony_certs(vote)
        t.polynomial, t.state = text, "polynomial"
        t.save(update_fields=["polynomial", "state"])
        polys = list(vote.trustees.order_by("position").values_list("polynomial", flat=True))
        if all(polys):
            # Step 4 checks every polynomial's signed coefficients; a bad one refuses this
            # upload (the transaction rolls back).
            try:
                vinputs = trustees.step4(vote.group, certs, polys)
            except (ValueError, KeyError, TypeError) as exc:
                raise VoteError(
                    _("This polynomial was refused: %(reason)s") % {"reason": exc}
                ) from None
            row = _election_row(vote)
            row.ceremony = {"vinputs": list(vinputs)}
            row.save(update_fields=["ceremony"])
        record(
            "vote.trustee_polynomial_received",
            actor=_trustee_actor(t),
            obj=vote,
            payload={"trustee": t.name, "sha256": hashlib.sha256(text.encode()).hexdigest()},
        )
    return t


def trustee_vinput(trustee) -> str | None:
    """Threshold step 4's output for this trustee (to download), once every polynomial is in."""
    vinputs = (_election_row(trustee.vote).ceremony or {}).get("vinputs")
    return vinputs[trustee.position] if vinputs else None


def trustee_upload_voutput(trustee, text: str | bytes):
    """Threshold step 5: the trustee's voutput (from their vinput, offline). When every voutput
    is in, the server computes the threshold parameters (step 6): the trustees' public part."""
    import json

    trustees = _crypto()[5]
    vote = trustee.vote
    _need_setup(vote)
    text = _bounded(text)
    with transaction.atomic():
        t = _locked_trustee(trustee)
        if trustee_vinput(t) is None:
            raise VoteError(_("The vinputs are not ready: every polynomial is needed first."))
        t.voutput, t.state = text, "done"
        t.save(update_fields=["voutput", "state"])
        outs = list(vote.trustees.order_by("position").values_list("voutput", flat=True))
        if all(outs):
            certs = ceremony_certs(vote)
            polys = list(vote.trustees.order_by("position").values_list("polynomial", flat=True))
            try:
                params, dkeys = trustees.step6(vote.group, certs, polys, outs)
            except (ValueError, KeyError, TypeError) as exc:
                raise VoteError(_("A voutput was refused: %(reason)s") % {"reason": exc}) from None
            row = _election_row(vote)
            row.ceremony = {**(row.ceremony or {}), "threshold": params, "dkeys": list(dkeys)}
            row.save(update_fields=["ceremony"])
            keys = [vk["public_key"] for vk in json.loads(params)["verification_keys"]]
            for other, key in zip(vote.trustees.order_by("position"), keys, strict=True):
                type(other).objects.filter(pk=other.pk).update(verification_key=key)
        record(
            "vote.trustee_voutput_received",
            actor=_trustee_actor(t),
            obj=vote,
            payload={"trustee": t.name, "sha256": hashlib.sha256(text.encode()).hexdigest()},
        )
    return t


def trustee_dkey(trustee) -> str | None:
    """Threshold step 6's output for this trustee: their decryption key, encrypted to
    themselves (the `.dkey` file `pnyx trustee decrypt --decryption-key` reads)."""
    dkeys = (_election_row(trustee.vote).ceremony or {}).get("dkeys")
    return dkeys[trustee.position] if dkeys else None


def trustees_text(vote: Vote) -> str:
    """Belenios's `trustees` (the public part of every trustee's key), exact text: a list of
    ["Single", trustee_public_key], or one ["Pedersen", threshold parameters]."""
    ts = list(vote.trustees.order_by("position"))
    if not ts or any(t.state not in ("done", "decrypted") for t in ts):
        raise VoteError(_("Every trustee must first complete the key ceremony."))
    trustees = _crypto()[5]
    if vote.threshold is None:
        return trustees.make_trustees([t.public_key for t in ts], [])
    params = (_election_row(vote).ceremony or {}).get("threshold")
    if not params:
        raise VoteError(_("Every trustee must first complete the key ceremony."))
    return trustees.make_trustees([], [params])


def freeze_election(vote: Vote, actor) -> Vote:
    """Make the election: a new uuid, the trustees' combined public key, the questions; stored
    as its exact text (its hash is on every page of the vote). Options can no longer change."""
    _b, _c, election, _g, _t, trustees = _crypto()
    _need_setup(vote)
    if vote.threshold is not None and not (1 <= vote.threshold <= vote.trustees.count()):
        raise VoteError(_("The threshold must be between 1 and the number of trustees."))
    with transaction.atomic():
        _lock_editable(vote)
        vote = Vote.objects.get(pk=vote.pk)
        check_settings(vote)
        options = list(vote.options.all())
        if len(options) < 2:
            raise VoteError(_("A vote needs at least two options."))
        ttext = trustees_text(vote)
        public_key = trustees.Trustees.from_json(vote.group, ttext).public_key
        uuid = election.new_uuid()
        text = election.make(
            uuid=uuid,
            group=vote.group,
            public_key=public_key,
            questions=questions(vote, options),
            name=vote.question,
            description=vote.description or vote.question,
        )
        row = _election_row(vote)
        row.uuid, row.text, row.trustees = uuid, text, ttext
        row.hash = election.Election.from_json(text).hash
        row.frozen_at = timezone.now()
        row.save(update_fields=["uuid", "text", "trustees", "hash", "frozen_at"])
        record(
            "vote.election_made",
            actor=actor,
            obj=vote,
            payload={"uuid": uuid, "election_hash": row.hash, "group": vote.group},
            inputs_digest=hashlib.sha256(ttext.encode()).hexdigest(),
        )
    return vote


def electorate_file(vote: Vote) -> str:
    """For the credential authority: the eligible members' ids, one a line (their count is the
    number of credentials to make)."""
    ids = sorted(electorate(vote).values_list("external_id", flat=True))
    return "".join(f"{i}\n" for i in ids)


def _frozen(vote: Vote):
    from .models import Election

    row = getattr(vote, "election", None)
    if row is None or not row.frozen_at:
        # `vote` may be a copy read before the election was made: read it again.
        row = Election.objects.filter(vote_id=vote.pk).first()
    if row is None or not row.frozen_at:
        raise VoteError(_("Freeze the election first."))
    return row


def upload_public_credentials(vote: Vote, actor, data: str | bytes) -> int:
    """The credential authority's public credentials file (Belenios's `public_creds.json`, a
    JSON list). Refused whole unless it has one credential per eligible member, each a group
    element, no two equal; a refused file changes nothing."""
    import json

    _b, credentials, _e, groups, _t, _tr = _crypto()
    if vote.status not in (Status.DRAFT, Status.PROPOSALS):
        raise VoteError(_("The credentials are set before the vote opens."))
    text = _bounded(data)
    try:
        creds = json.loads(text)
    except ValueError:
        raise VoteError(_("This is not a public credentials file (JSON list).")) from None
    if not isinstance(creds, list) or not all(isinstance(c, str) for c in creds):
        raise VoteError(_("This is not a public credentials file (JSON list)."))
    expected = electorate(vote).count()
    if len(creds) != expected:
        raise VoteError(
            _("%(n)d credentials for an electorate of %(m)d members.")
            % {"n": len(creds), "m": expected}
        )
    if len(set(creds)) != len(creds):
        raise VoteError(_("Two credentials are equal."))
    group = groups.get(vote.group)
    for c in creds:
        try:
            group.from_str(c.split(",")[0])
        except (ValueError, TypeError):
            raise VoteError(_("Not a credential of this group: %(c)s") % {"c": c[:20]}) from None
    _store_public_credentials(vote, actor, text, len(creds), by="authority")
    return len(creds)


def _store_public_credentials(vote: Vote, actor, text: str, count: int, *, by: str) -> None:
    """In one transaction under the vote's lock: store the public credentials' text, its count
    and fingerprint, and journal `vote.credentials_set`. The server mode (`by="server"`) is
    refused once credentials are set, read under the lock: a second run (a double click, a
    retried task) would void those already mailed."""
    from pnyx.crypto import credentials

    with transaction.atomic():
        _lock_editable(vote, frozen_ok=True)
        row = _frozen(Vote.objects.select_related("election").get(pk=vote.pk))
        if by == "server" and row.credentials_count:
            raise VoteError(
                _("The credentials are already set: making them again would void those sent.")
            )
        row.public_credentials = text
        row.credentials_count = count
        row.credentials_fingerprint = credentials.fingerprint(text)
        row.save(
            update_fields=["public_credentials", "credentials_count", "credentials_fingerprint"]
        )
        record(
            "vote.credentials_set",
            actor=actor,
            obj=vote,
            payload={"count": count, "fingerprint": row.credentials_fingerprint, "by": by},
            inputs_digest=hashlib.sha256(text.encode()).hexdigest(),
        )


def request_server_credentials(vote: Vote, actor) -> None:
    """The organizer's button of the server mode: the credentials are generated and mailed by a
    task (`server_credentials_task`, whose only argument is the vote's id: nothing secret is
    queued), not in the request — an electorate of 550,000 takes minutes. Refused once the
    credentials are set: making them again would void those already sent."""
    from pnyx.journal.actions import _actor_label

    if vote.status not in (Status.DRAFT, Status.PROPOSALS):
        raise VoteError(_("The credentials are set before the vote opens."))
    row = _frozen(vote)
    if row.credentials_count:
        raise VoteError(
            _("The credentials are already set: making them again would void those sent.")
        )
    pk, label = vote.pk, _actor_label(actor)

    def enqueue():
        from .tasks import server_credentials_task

        server_credentials_task.enqueue(pk, label)

    transaction.on_commit(enqueue)


def generate_server_credentials(vote: Vote, actor, *, send=None) -> int:
    """The simpler mode: the server makes one credential per eligible member, mails it
    (a link to the ballot with the credential in the URL's fragment, which no server log
    sees) and keeps only the public credentials. The private ones exist only in this
    function's memory. What it gives up: a server that kept them could vote for the members
    who do not vote (docs/votes.md)."""
    import json

    from django.conf import settings
    from django.core.mail import send_mail
    from django.urls import reverse

    _b, credentials, _e, _g, _t, _tr = _crypto()
    if vote.status not in (Status.DRAFT, Status.PROPOSALS):
        raise VoteError(_("The credentials are set before the vote opens."))
    row = _frozen(vote)
    members = list(electorate(vote).order_by("pk"))
    pairs = credentials.generate(row.uuid, vote.group, len(members))
    public = [pub for _priv, pub in pairs]
    secrets.SystemRandom().shuffle(public)  # the public list does not follow the members
    text = json.dumps(public, separators=(",", ":"))
    _store_public_credentials(vote, actor, text, len(public), by="server")
    link = settings.PNYX_SITE_URL.rstrip("/") + reverse("votes:detail", args=[vote.pk])
    for member, (priv, _pub) in zip(members, pairs, strict=True):
        if send is not None:
            send(member, priv)
            continue
        if not member.email:
            continue
        body = _(
            "Your credential for the vote “%(q)s”: %(c)s\n\n"
            "Vote with this link (the credential is filled in for you):\n%(link)s\n\n"
            "Keep it secret: whoever has it can vote in your place."
        ) % {"q": vote.question, "c": priv, "link": f"{link}#credential={priv}"}
        send_mail(_("Your voting credential"), body, None, [member.email])
    del pairs
    return len(public)


def check_ready(vote: Vote) -> None:
    """Raise VoteError unless a verifiable vote may open (election frozen, credentials set)."""
    if not vote.is_verifiable:
        return
    row = _frozen(vote)
    if not row.credentials_count:
        raise VoteError(_("The public credentials are needed before opening."))


# --- verifiable casting ----------------------------------------------------------------------

_parsed_elections: dict[str, Any] = {}


def election_of(vote: Vote):
    """The parsed election (cached per process by its hash: the text never changes once
    frozen) and the set of public credentials."""
    _b, _c, election, _g, _t, _tr = _crypto()
    row = _frozen(vote)
    key = row.hash + ":" + row.credentials_fingerprint
    hit = _parsed_elections.get(key)
    if hit is None:
        hit = (election.Election.from_json(row.text), row.public_credential_set())
        if len(_parsed_elections) > 100:
            _parsed_elections.clear()
        _parsed_elections[key] = hit
    return hit


class InvalidBallot(VoteError):
    pass


def cast_encrypted(vote: Vote, member: Member, ballot_text: str | bytes) -> str:
    """Accept an encrypted ballot; return its hash (the voter's receipt).

    Every proof, the signature and the credential's presence in the public list are checked
    before the transaction (`ballots.verify`). The transaction then takes the vote's lock
    shared and reads its state (as `cast`), binds the credential to the member (UNIQUE (vote,
    member) and UNIQUE (vote, credential) on Participation), and appends the ballot to the
    bulletin board. Without re-voting, a second ballot of the member fails on the first
    constraint; with re-voting, the member's participation row is locked, so a member's
    ballots are appended one after the other and the last one counts.
    """
    from .models import EncryptedBallot

    ballots = _crypto()[0]
    now = timezone.now()
    _check_accepts(vote.status, vote.opens_at, vote.closes_at, now)
    if not vote.is_verifiable:
        raise VoteError(_("This vote takes plaintext ballots."))
    if isinstance(ballot_text, bytes):
        if len(ballot_text) > MAX_BALLOT_BYTES:
            raise InvalidBallot(_("This ballot is too large."))
        try:
            ballot_text = ballot_text.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidBallot(_("This ballot is not UTF-8 text.")) from None
    if len(ballot_text) > MAX_BALLOT_BYTES:
        raise InvalidBallot(_("This ballot is too large."))
    if not is_eligible(vote, member):
        raise VoteError(_("You are not in the electorate of this vote."))
    el, creds = election_of(vote)
    try:
        parsed = ballots.verify(el, ballot_text, creds)
    except ballots.InvalidBallot as exc:
        raise InvalidBallot(_("This ballot was refused: %(reason)s") % {"reason": exc}) from None
    try:
        with transaction.atomic():
            _lock_for_casting(vote, timezone.now())
            if vote.revote:
                Participation.objects.bulk_create(
                    [Participation(vote=vote, member=member, credential=parsed.credential)],
                    ignore_conflicts=True,
                )
                part = (
                    Participation.objects.select_for_update()
                    .filter(vote=vote, member=member)
                    .first()
                )
                if part is None or part.credential != parsed.credential:
                    raise VoteError(_("This credential is not yours."))
            else:
                Participation.objects.create(vote=vote, member=member, credential=parsed.credential)
            EncryptedBallot.objects.create(
                vote=vote, credential=parsed.credential, hash=parsed.hash, text=ballot_text
            )
    except IntegrityError:
        part = Participation.objects.filter(vote=vote, member=member).first()
        if part is not None and part.credential == parsed.credential and not vote.revote:
            raise AlreadyVoted(_("You have already voted.")) from None
        if part is not None and part.credential != parsed.credential:
            raise VoteError(_("This credential is not yours.")) from None
        if part is None:
            raise VoteError(_("This credential has already been used by another voter.")) from None
        raise VoteError(_("This ballot was already received.")) from None
    return parsed.hash


def cast_encrypted_many(
    vote: Vote, items: Iterable[tuple[Member, str]], *, processes: int | None = None
) -> int:
    """Bulk path (the demo): the same invariants as `cast_encrypted` — every ballot checked
    whole (in `processes` worker processes when given), the vote's lock and state read first
    in the transaction, one participation per member and per credential by the same UNIQUE
    constraints — in one transaction; all or nothing."""
    from .models import EncryptedBallot

    ballots = _crypto()[0]
    _check_accepts(vote.status, vote.opens_at, vote.closes_at, timezone.now())
    el, creds = election_of(vote)
    allowed = set(electorate(vote).values_list("pk", flat=True))
    parts, rows = [], []
    items = list(items)
    for member, _text in items:
        if member.pk not in allowed:
            raise VoteError(_("You are not in the electorate of this vote."))
    texts = [text for _m, text in items]
    from .crypto_pool import verify_many

    try:
        checked = verify_many(el.text, creds, texts, processes or 1)
    except ballots.InvalidBallot as exc:
        raise InvalidBallot(_("This ballot was refused: %(reason)s") % {"reason": exc}) from None
    for (member, text), (credential, h) in zip(items, checked, strict=True):
        parts.append(Participation(vote=vote, member=member, credential=credential))
        rows.append(EncryptedBallot(vote=vote, credential=credential, hash=h, text=text))
    secrets.SystemRandom().shuffle(rows)
    with transaction.atomic():
        _lock_for_casting(vote, timezone.now())
        Participation.objects.bulk_create(parts, batch_size=2000)
        EncryptedBallot.objects.bulk_create(rows, batch_size=500)
    return len(rows)


def _board_ballot(el, text: str):
    """A board's ballot, read again for the tally: its ciphertexts only. Every ballot on the
    board was checked whole by `ballots.verify` before it was acknowledged, and the record's
    verifier (`pnyx verify-election`) checks them all again; here only the elements are
    parsed (each checked to be in the group)."""
    import json
    from types import SimpleNamespace

    g = el.group
    d = json.loads(text)
    answers = [
        [(g.from_str(c["alpha"]), g.from_str(c["beta"])) for c in q["choices"]]
        for q in d["answers"]
    ]
    return SimpleNamespace(answers=answers)


def find_ballot(vote: Vote, receipt: str) -> str | None:
    """A receipt (the ballot's hash) on the bulletin board: "counted", "superseded" (a later
    ballot of the same credential counts), "received" (the vote is still open), or None."""
    from .models import EncryptedBallot

    receipt = (receipt or "").strip()
    if not receipt or len(receipt) > 64:
        return None
    row = EncryptedBallot.objects.filter(vote=vote, hash=receipt).first()
    if row is None:
        return None
    if vote.status != Status.CLOSED:
        return "received"
    return "counted" if row.counted else "superseded"


# --- verifiable closing, tally, decryption ---------------------------------------------------


def _close_verifiable(vote: Vote, actor, now) -> None:
    """In `close_vote`'s transaction, under the exclusive lock: freeze the counted ballots
    (the last one per credential) and start the encrypted tally."""
    from django.db.models import Max

    from .models import EncryptedBallot

    board = EncryptedBallot.objects.filter(vote=vote)
    last = board.values("credential").annotate(last=Max("seq")).values("last")
    board.filter(seq__in=last).update(counted=True)
    counted = sorted(board.filter(counted=True).values_list("hash", flat=True))
    voters = sorted(vote.participations.values_list("member__external_id", flat=True).iterator())
    row = vote.election
    row.num_tallied = len(counted)
    row.tally_state = "computing"
    row.save(update_fields=["num_tallied", "tally_state"])
    record(
        "vote.closed",
        actor=actor,
        obj=vote,
        payload={
            "participations": len(voters),
            "ballots": len(counted),
            "received": board.count(),
            "counted_digest": digest(counted),
        },
        inputs_digest=digest(voters),
    )
    pk = vote.pk

    def enqueue():
        if len(counted) <= TALLY_INLINE_MAX:
            compute_encrypted_tally(pk, actor="system")
        else:
            from .tasks import encrypted_tally_task

            encrypted_tally_task.enqueue(pk)

    transaction.on_commit(enqueue)


def compute_encrypted_tally(vote_pk: int, *, actor="system") -> None:
    """The product of the counted ballots' ciphertexts (Belenios's `encrypted_tally`); then the
    trustees are asked for their partial decryptions."""
    from .models import Election, EncryptedBallot

    _b, _c, _e, _g, tally_mod, _tr = _crypto()
    vote = Vote.objects.select_related("election").get(pk=vote_pk)
    el, _creds = election_of(vote)
    texts = EncryptedBallot.objects.filter(vote=vote, counted=True).order_by("seq")
    parsed = (_board_ballot(el, t) for t in texts.values_list("text", flat=True).iterator())
    enc = tally_mod.encrypted_tally(el, parsed)
    with transaction.atomic():
        row = Election.objects.select_for_update().get(vote=vote)
        if row.tally_state != "computing":
            return
        row.encrypted_tally, row.tally_state = enc, "decrypting"
        row.save(update_fields=["encrypted_tally", "tally_state"])
        _write_record(vote, row)
        record(
            "vote.tallied",
            actor=actor,
            obj=vote,
            payload={"num_tallied": row.num_tallied, "record_sha256": row.record_sha256},
            inputs_digest=hashlib.sha256(enc.encode()).hexdigest(),
        )


def decryptions_needed(vote: Vote) -> int:
    return vote.threshold or vote.trustees.count()


def upload_decryption(trustee, text: str | bytes):
    """A trustee's partial decryption of the encrypted tally (`pnyx trustee decrypt`), checked
    against their key before it is stored; with enough of them, the result."""
    from .models import Election, Trustee

    _b, _c, _e, groups, tally_mod, _tr = _crypto()
    vote = trustee.vote
    text = _bounded(text)
    row = vote.election
    if vote.status != Status.CLOSED or row.tally_state not in ("decrypting", "done"):
        raise VoteError(_("The encrypted tally is not ready."))
    if row.tally_state == "done":
        raise VoteError(_("The result is already published."))
    el, _creds = election_of(vote)
    try:
        key = groups.get(vote.group).from_str(trustee.verification_key)
        tally_mod.check_decryption_factors(el, row.encrypted_tally, text, key)
    except (ValueError, KeyError, TypeError) as exc:
        raise VoteError(
            _("This partial decryption was refused: %(reason)s") % {"reason": exc}
        ) from None
    with transaction.atomic():
        row = Election.objects.select_for_update().get(vote=vote)
        if row.tally_state != "decrypting":
            raise VoteError(_("The result is already published."))
        t = Trustee.objects.select_for_update().get(pk=trustee.pk)
        t.partial_decryption, t.state = text, "decrypted"
        t.save(update_fields=["partial_decryption", "state"])
        record(
            "vote.decryption_received",
            actor=_trustee_actor(t),
            obj=vote,
            payload={"trustee": t.name, "sha256": hashlib.sha256(text.encode()).hexdigest()},
        )
        done = list(vote.trustees.filter(state="decrypted").order_by("position"))
        if len(done) >= decryptions_needed(vote):
            _publish_result(vote, row, done)
    return t


def _combine(vote: Vote, row, done) -> str:
    """Belenios's `result` from the partial decryptions (Lagrange for a threshold key)."""
    _b, _c, _e, _g, _t, trustees = _crypto()
    el, _creds = election_of(vote)
    pds = [(t.position + 1, t.partial_decryption) for t in done]
    ts = trustees.Trustees.from_json(vote.group, row.trustees)
    return ts.combine(el, row.encrypted_tally, pds, total_weight=row.num_tallied or 0)


def result_from_counts(vote: Vote, counts: Sequence[Sequence[int]], num_tallied: int) -> dict:
    """Rank a decrypted result by `pnyx.tally`, as today's counting of a published file would:
    approval from the approvals per option, majority judgment from each option's grade
    histogram. Returns the `Result.to_json()` shape the results pages read. A blank-allowed
    vote's first value is the number of blank ballots: `result["blank"]`, in `ballots` (the
    turnout) but for no option, so the ranking is the same as without them."""
    import numpy as np

    codes = list(vote.options.order_by("order", "code").values_list("code", flat=True))
    if vote.method == Method.APPROVAL:
        c = [int(x) for x in counts[0]]
        blank = c.pop(0) if vote.blank_allowed else 0
        b = tally.Ballots(
            kind="approval",
            options=tuple(codes),
            matrix=np.eye(len(codes), dtype=np.int8),
            weights=np.array(c, dtype=np.int64),
        )
        out = tally.count("approval", b, seats=vote.seats).to_json()
        out["ballots"] = num_tallied
        out["blank"] = blank
        out["details"]["max_choices"] = vote.max_choices
        out["details"]["exactly"] = vote.exactly
        return out
    if vote.method == Method.MJ:
        k = len(vote.grades)
        cols = []
        for hist in counts:
            if sum(hist) != num_tallied or len(hist) != k:
                raise VoteError(_("A grade histogram does not add up to the ballots counted."))
            cols.append(np.repeat(np.arange(k, dtype=np.int8), [int(h) for h in hist]))
        matrix = np.stack(cols, axis=1) if num_tallied else np.zeros((0, len(codes)), np.int8)
        b = tally.Ballots(
            kind="graded", options=tuple(codes), matrix=matrix, grades=tuple(vote.grades)
        )
        return tally.count("mj", b, seats=vote.seats).to_json()
    raise VoteError(_("Ranked votes are counted from published ballots only."))


def _result_counts(result_text: str) -> list[list[int]]:
    import json

    data = json.loads(result_text)
    res = data["result"] if isinstance(data, dict) else data
    return [[int(x) for x in q] for q in res]


def _publish_result(vote: Vote, row, done) -> None:
    result_text = _combine(vote, row, done)
    counts = _result_counts(result_text)
    result = result_from_counts(vote, counts, row.num_tallied or 0)
    row.result_text, row.tally_state = result_text, "done"
    row.save(update_fields=["result_text", "tally_state"])
    Vote.objects.filter(pk=vote.pk).update(result=result)
    vote.result = result
    _write_record(vote, row)
    record(
        "vote.published",
        actor="system",
        obj=vote,
        payload={
            "record_sha256": row.record_sha256,
            "election_hash": row.hash,
            "ballots": row.num_tallied,
            "method": vote.method,
            "winners": list(result["winners"]),
            "ranking": list(result["ranking"]),
        },
        inputs_digest=row.record_sha256,
    )


def record_chunks(vote: Vote, row, *, chunk: int = 1 << 20) -> Iterator[bytes]:
    """The election record (Belenios's `.bel` archive, `pnyx.crypto.archive`), in pieces of
    about `chunk` bytes: the setup (election, trustees, public credentials), the counted
    ballots in board order, the end of ballots, the encrypted tally, the partial decryptions,
    the result. Never whole in memory (550,000 ballots make gigabytes): the download streams
    it, and its SHA-256 (journaled) is computed the same way. The same rows always give the
    same bytes (timestamps are the election's), so a download can be checked against the
    journaled digest."""
    from pnyx.crypto import archive

    from .models import EncryptedBallot

    buf = io.BytesIO()

    def take() -> bytes:
        data = buf.getvalue()
        buf.seek(0)
        buf.truncate()
        return data

    b = archive.Builder(int(row.frozen_at.timestamp()), sink=buf)
    b.setup(row.text, row.trustees, row.public_credentials)
    texts = EncryptedBallot.objects.filter(vote=vote, counted=True).order_by("seq")
    for text in texts.values_list("text", flat=True).iterator(chunk_size=500):
        b.ballot(text)
        if buf.tell() >= chunk:
            yield take()
    if vote.status == Status.CLOSED:
        b.end_ballots()
    if row.encrypted_tally:
        n = row.num_tallied or 0
        b.encrypted_tally(row.encrypted_tally, n, n)
        for t in vote.trustees.filter(state="decrypted").order_by("position"):
            b.partial_decryption(t.position + 1, t.partial_decryption)
    if row.result_text:
        b.result(row.result_text)
    yield take()


def build_record(vote: Vote, row) -> bytes:
    """The whole record in memory: for tests and small votes only (see `record_chunks`)."""
    return b"".join(record_chunks(vote, row))


def _write_record(vote: Vote, row) -> None:
    """The record's SHA-256 as it is now, computed piece by piece; only the digest is
    stored (the download streams the same bytes from the rows)."""
    h = hashlib.sha256()
    for piece in record_chunks(vote, row):
        h.update(piece)
    row.record, row.record_sha256 = None, h.hexdigest()
    row.save(update_fields=["record", "record_sha256"])
