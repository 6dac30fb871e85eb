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
from collections.abc import Iterable, Mapping, Sequence
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
    Ballot,
    Electorate,
    Method,
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
    vote = Vote(convention=convention, **fields)
    check_settings(vote)
    with transaction.atomic():
        vote.save()
        record(
            "vote.created",
            actor=actor,
            obj=vote,
            payload={"question": vote.question, "method": vote.method, "in_hall": vote.in_hall},
        )
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


def _lock_editable(vote: Vote) -> None:
    """In the transaction of an option's change: the vote's exclusive lock, then its status
    read again, so that no option changes after `open_vote` froze and journaled them."""
    _lock_vote(vote.pk, shared=False)
    status = Vote.objects.filter(pk=vote.pk).values_list("status", flat=True).first()
    if status not in (Status.DRAFT, Status.PROPOSALS):
        raise VoteError(_("Options can no longer change once the vote is open."))


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
