"""The draw ceremony, one function per step, each journaled.

pool created → quotas set → distribution computed (background task) → digest published →
seed entered and panel revealed → invitations sent → accepted (a Participant) / declined or
expired (a replacement from the same seed chain, keeping every quota).

The algorithm lives in `pnyx.lottery`; these functions only move data between the database
and the engine, enforce the order of the ceremony and write the journal.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import time

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from pnyx import lottery
from pnyx.journal.actions import record
from pnyx.members.models import Member
from pnyx.programme.models import Convention, Participant

from . import engine
from .models import FEATURES, Draw, Invitation, Pool, PoolEntry, Quota


class DrawError(Exception):
    """A step that cannot be taken now; the message is shown to the organizer or member."""


def _member_actor(member: Member) -> str:
    return f"member:{member.external_id}"


# --- pool --------------------------------------------------------------------------------------


def eligible_members(convention: Convention, joined_before=None, active_only: bool = True):
    qs = Member.objects.filter(volunteer=True)
    if active_only:
        qs = qs.filter(active=True)
    if joined_before is not None:
        qs = qs.filter(joined_on__lt=joined_before)
    return qs


def create_pool(
    convention: Convention,
    name: str,
    *,
    joined_before: dt.date | None = None,
    active_only: bool = True,
    actor=None,
) -> Pool:
    """Snapshot the volunteers who meet the rules, with their features and a public code each."""
    on = convention.starts_on
    with transaction.atomic():
        pool = Pool.objects.create(
            convention=convention,
            name=name,
            joined_before=joined_before,
            active_only=active_only,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        codes: set[str] = set()
        group_codes: dict[int, str] = {}
        group_taken: set[str] = set()
        entries = []
        members = eligible_members(convention, joined_before, active_only).order_by("pk")
        for m in members.iterator(chunk_size=2000):
            group = ""
            if m.action_group_id:
                if m.action_group_id not in group_codes:
                    group_codes[m.action_group_id] = engine.new_code(group_taken, 6, "G")
                group = group_codes[m.action_group_id]
            entries.append(
                PoolEntry(
                    pool=pool,
                    member=m,
                    code=engine.new_code(codes),
                    gender=m.gender,
                    region=m.region,
                    age=engine.age_band(m.birth_year, on),
                    seniority=engine.seniority_band(m.joined_on, on),
                    action_group=group,
                )
            )
        PoolEntry.objects.bulk_create(entries, batch_size=1000)
        if not entries:
            raise DrawError(_("No member meets these rules: the pool would be empty."))
        pool.size = len(entries)
        pool.digest = engine.snapshot_pool(pool).digest()
        pool.save(update_fields=["size", "digest"])
        record(
            "draw.pool_created",
            actor=actor,
            obj=pool,
            payload={
                "name": name,
                "size": pool.size,
                "joined_before": joined_before.isoformat() if joined_before else None,
                "active_only": active_only,
                "features": list(FEATURES),
            },
            inputs_digest=pool.digest,
        )
    return pool


# --- draw and quotas -------------------------------------------------------------------------


def create_draw(
    pool: Pool,
    *,
    title: str,
    size: int,
    method: str = "leximin",
    max_per_group: int | None = None,
    response_days: int = 7,
    actor=None,
) -> Draw:
    if size < 1:
        raise DrawError(_("The panel needs at least one seat."))
    if method not in lottery.METHODS:
        raise DrawError(_("Unknown method."))
    draw = Draw.objects.create(
        convention=pool.convention,
        pool=pool,
        title=title,
        size=size,
        method=method,
        max_per_group=max_per_group or None,
        response_days=response_days,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    return draw


def _editable(draw: Draw) -> Draw:
    """Lock the draw; quotas and size change only before the digest is published. A computed
    but unpublished distribution is discarded (its inputs change)."""
    draw = Draw.objects.select_for_update().get(pk=draw.pk)
    if draw.status in (Draw.Status.PUBLISHED, Draw.Status.REVEALED):
        raise DrawError(_("The digest is published: this draw's inputs can no longer change."))
    if draw.status == Draw.Status.COMPUTING:
        raise DrawError(_("The distribution is being computed; wait for it to finish."))
    if draw.status != Draw.Status.DRAFT:
        _discard(draw)
    return draw


def _discard(draw: Draw) -> None:
    draw.status = Draw.Status.DRAFT
    draw.distribution = None
    draw.digest = ""
    draw.summary, draw.profiles, draw.features = {}, [], []
    draw.computed_at = None
    draw.error = ""
    draw.progress_done = draw.progress_total = 0
    draw.progress_message = ""
    draw.save()


def update_draw(
    draw: Draw, *, size: int, method: str, max_per_group: int | None, response_days: int
) -> Draw:
    with transaction.atomic():
        draw = _editable(draw)
        if size < 1:
            raise DrawError(_("The panel needs at least one seat."))
        draw.size, draw.method = size, method
        draw.max_per_group = max_per_group or None
        draw.response_days = response_days
        draw.save()
    return draw


def set_quotas(draw: Draw, feature: str, bounds: dict[str, tuple[int, int]]) -> Draw:
    """Replace the quotas of one feature (an empty `bounds` drops the feature from the draw)."""
    if feature not in FEATURES:
        raise DrawError(_("Unknown feature."))
    for value, (lo, hi) in bounds.items():
        if lo < 0 or hi < 0 or lo > hi:
            raise DrawError(
                _("%(feature)s=%(value)s: the minimum must be between 0 and the maximum.")
                % {"feature": feature, "value": value}
            )
    with transaction.atomic():
        draw = _editable(draw)
        draw.quotas.filter(feature=feature).delete()
        Quota.objects.bulk_create(
            Quota(draw=draw, feature=feature, value=v, min=lo, max=hi)
            for v, (lo, hi) in bounds.items()
        )
    return draw


def set_proportional(draw: Draw, feature: str, tolerance: float = 0.0) -> Draw:
    counts = engine.value_counts(draw.pool, feature)
    return set_quotas(draw, feature, engine.proportional(counts, draw.size, tolerance))


def set_parity(draw: Draw, tolerance: float = 0.0) -> Draw:
    counts = engine.value_counts(draw.pool, "gender")
    return set_quotas(draw, "gender", engine.parity(counts, draw.size, tolerance))


def diagnose(draw: Draw) -> lottery.Diagnosis:
    """The engine's feasibility diagnosis of the current quotas (DrawError on unusable input)."""
    if not draw.quotas.exists():
        raise DrawError(_("Set quotas on at least one feature first."))
    try:
        problem = engine.build_problem(draw)
    except lottery.DataError as exc:
        raise DrawError(str(exc)) from exc
    return lottery.diagnose(problem)


# --- computation (background task) ------------------------------------------------------------


def start_computation(draw: Draw, actor=None) -> Draw:
    """Check feasibility, mark the draw as computing and queue the task (after commit)."""
    from .tasks import compute_distribution_task

    diagnosis = diagnose(draw)
    if not diagnosis.feasible:
        raise DrawError(_("No panel meets the quotas: %(diagnosis)s") % {"diagnosis": diagnosis})
    with transaction.atomic():
        draw = _editable(draw)
        draw.status = Draw.Status.COMPUTING
        draw.progress_message = _("Waiting for a worker…")
        draw.save(update_fields=["status", "progress_message"])

    def enqueue() -> None:
        result = compute_distribution_task.enqueue(draw.pk)
        Draw.objects.filter(pk=draw.pk).update(task_id=str(result.id)[:100])

    transaction.on_commit(enqueue)
    return draw


def compute(draw_id: int, actor=None) -> Draw:
    """Run the engine on a draw marked as computing; store DIST.json, its digest and summary.

    Called by the background task. Failures are stored on the draw (status FAILED)."""
    draw = Draw.objects.select_related("pool").get(pk=draw_id)
    if draw.status != Draw.Status.COMPUTING:
        return draw
    last = [0.0]

    def progress(done: int, total: int, message: str) -> None:
        now = time.monotonic()
        if now - last[0] < 0.5 and done < total:
            return
        last[0] = now
        Draw.objects.filter(pk=draw_id, status=Draw.Status.COMPUTING).update(
            progress_done=done, progress_total=total, progress_message=message[:200]
        )

    start = time.perf_counter()
    try:
        problem = engine.build_problem(draw)
        dist = lottery.compute_distribution(problem, draw.method, progress=progress)
    except lottery.InfeasibleError as exc:
        return _fail(
            draw_id, _("No panel meets the quotas: %(diagnosis)s") % {"diagnosis": exc.diagnosis}
        )
    except Exception as exc:  # stored for the organizer, then re-raised for the task log
        _fail(draw_id, f"{type(exc).__name__}: {exc}")
        raise
    data = dist.to_bytes()
    with transaction.atomic():
        draw = Draw.objects.select_for_update().get(pk=draw_id)
        if draw.status != Draw.Status.COMPUTING:  # discarded meanwhile
            return draw
        draw.distribution = data
        draw.digest = hashlib.sha256(data).hexdigest()
        draw.summary = {**dist.summary(), "seconds": round(time.perf_counter() - start, 2)}
        draw.profiles = engine.profile_table(dist)
        draw.features = list(problem.features)
        draw.status = Draw.Status.COMPUTED
        draw.computed_at = timezone.now()
        draw.progress_done = draw.progress_total = problem.n_profiles
        draw.progress_message = ""
        draw.save()
        record(
            "draw.distribution_computed",
            actor=actor,
            obj=draw,
            payload={
                "digest": draw.digest,
                "method": draw.method,
                "k": draw.size,
                "quotas": [q.as_dict() for q in problem.quotas],
                "max_per_group": draw.max_per_group,
                "pool_digest": problem.pool.digest(),
                "summary": draw.summary,
            },
            inputs_digest=problem.pool.digest(),
        )
    return draw


def _fail(draw_id: int, message: str) -> Draw:
    Draw.objects.filter(pk=draw_id, status=Draw.Status.COMPUTING).update(
        status=Draw.Status.FAILED, error=message
    )
    return Draw.objects.get(pk=draw_id)


def discard_distribution(draw: Draw, actor=None) -> Draw:
    """Back to preparing quotas (allowed until the digest is published)."""
    with transaction.atomic():
        return _editable(draw)


# --- ceremony ----------------------------------------------------------------------------------


def publish_digest(draw: Draw, actor=None) -> Draw:
    """Commit to the distribution: its SHA-256 goes on the public page, before any seed."""
    with transaction.atomic():
        draw = Draw.objects.select_for_update().get(pk=draw.pk)
        if draw.status != Draw.Status.COMPUTED:
            raise DrawError(_("Only a computed distribution can be published."))
        if hashlib.sha256(bytes(draw.distribution)).hexdigest() != draw.digest:
            raise DrawError(_("The stored distribution does not match its digest."))
        draw.status = Draw.Status.PUBLISHED
        draw.published_at = timezone.now()
        draw.save(update_fields=["status", "published_at"])
        record(
            "draw.digest_published",
            actor=actor,
            obj=draw,
            payload={"digest": draw.digest, "k": draw.size, "method": draw.method},
            inputs_digest=draw.digest,
        )
    return draw


def reveal(draw: Draw, seed: str, witnesses: str = "", actor=None) -> Draw:
    """The witnesses' public seed draws the panel from the published distribution."""
    seed = (seed or "").strip()
    if not seed:
        raise DrawError(_("Enter the public seed."))
    if len(seed) > 200:
        raise DrawError(_("The seed is too long (200 characters at most)."))
    with transaction.atomic():
        draw = Draw.objects.select_for_update().get(pk=draw.pk)
        if draw.seed or draw.status == Draw.Status.REVEALED:
            raise DrawError(_("The seed was already entered: a draw has only one seed."))
        if draw.status != Draw.Status.PUBLISHED:
            raise DrawError(_("Publish the distribution's digest before entering the seed."))
        data = bytes(draw.distribution)
        if hashlib.sha256(data).hexdigest() != draw.digest:
            raise DrawError(_("The stored distribution does not match its digest."))
        dist = engine.load_distribution(draw)
        panel = lottery.sample_panel(dist, seed, draw.digest)
        entries = {e.code: e for e in draw.pool.entries.filter(code__in=panel)}
        Invitation.objects.bulk_create(
            [Invitation(draw=draw, entry=entries[code]) for code in panel], batch_size=1000
        )
        draw.seed = seed
        draw.witnesses = (witnesses or "").strip()
        draw.status = Draw.Status.REVEALED
        draw.revealed_at = timezone.now()
        draw.save(update_fields=["seed", "witnesses", "status", "revealed_at"])
        record(
            "draw.panel_revealed",
            actor=actor,
            obj=draw,
            payload={
                "digest": draw.digest,
                "seed": seed,
                "witnesses": draw.witnesses,
                "panel": panel,
            },
            inputs_digest=draw.digest,
        )
    return draw


# --- invitations --------------------------------------------------------------------------------


def _token() -> tuple[str, str]:
    token = secrets.token_urlsafe(24)
    return token, hashlib.sha256(token.encode()).hexdigest()


def find_invitation(token: str) -> Invitation | None:
    if not token:
        return None
    h = hashlib.sha256(token.encode()).hexdigest()
    return (
        Invitation.objects.select_related("draw", "draw__convention", "entry", "entry__member")
        .filter(token_hash=h)
        .first()
    )


def _invite(invitation: Invitation, now) -> None:
    """Give an invitation its token and deadline; the email leaves after commit."""
    token, h = _token()
    invitation.token_hash = h
    invitation.status = Invitation.Status.INVITED
    invitation.sent_at = now
    invitation.deadline = now + dt.timedelta(days=invitation.draw.response_days)
    invitation.save(update_fields=["token_hash", "status", "sent_at", "deadline"])
    transaction.on_commit(lambda: _send_invitation(invitation, token))


def _send_invitation(invitation: Invitation, token: str) -> None:
    member = invitation.entry.member
    draw = invitation.draw
    with translation.override(member.language or settings.LANGUAGE_CODE):
        context = {
            "member": member,
            "draw": draw,
            "convention": draw.convention,
            "invitation": invitation,
            "link": settings.PNYX_SITE_URL + reverse("draws:invitation", args=[token]),
            "draw_link": settings.PNYX_SITE_URL + reverse("draws:public", args=[draw.pk]),
        }
        subject = render_to_string("draws/email/invitation_subject.txt", context).strip()
        body = render_to_string("draws/email/invitation_body.txt", context)
    send_mail(subject, body, None, [member.email])


def send_invitations(draw: Draw, actor=None) -> int:
    """Invite every drawn person not yet invited. Returns how many were invited."""
    with transaction.atomic():
        draw = Draw.objects.select_for_update().get(pk=draw.pk)
        if draw.status != Draw.Status.REVEALED:
            raise DrawError(_("Reveal the panel before sending invitations."))
        now = timezone.now()
        pending = list(
            draw.invitations.filter(status=Invitation.Status.DRAWN).select_related(
                "entry__member", "draw__convention"
            )
        )
        for inv in pending:
            inv.draw = draw
            _invite(inv, now)
        if draw.invitations_sent_at is None:
            draw.invitations_sent_at = now
            draw.save(update_fields=["invitations_sent_at"])
        record(
            "draw.invitations_sent",
            actor=actor,
            obj=draw,
            payload={"count": len(pending), "days": draw.response_days},
            inputs_digest=draw.digest,
        )
    return len(pending)


def current_panel(draw: Draw) -> list[str]:
    """Codes of the people holding a seat now (drawn, invited or accepted)."""
    return sorted(
        draw.invitations.exclude(
            status__in=(Invitation.Status.DECLINED, Invitation.Status.EXPIRED)
        ).values_list("entry__code", flat=True)
    )


def replacement_rows(draw: Draw) -> list[tuple[int, str, str]]:
    """(number, declined code, replacement code) in the order they were drawn: REPLACEMENTS.csv.

    A seat nobody could refill is a row with an empty replacement and the number that was
    tried; it comes before the replacement that later got that number."""
    filled = draw.invitations.filter(replacement_number__isnull=False).values_list(
        "replacement_number", "replaces__entry__code", "entry__code"
    )
    unfilled = draw.invitations.filter(
        replacement_impossible=True, unfilled_number__isnull=False
    ).values_list("unfilled_number", "entry__code", "pk")
    rows = [(n, 1, 0, declined, code) for n, declined, code in filled]
    rows += [(n, 0, pk, declined, "") for n, declined, pk in unfilled]
    return [(n, declined, code) for n, _order, _pk, declined, code in sorted(rows)]


def respond(invitation: Invitation, accept: bool, actor=None) -> Invitation:
    """The member accepts (they become a participant) or declines (a replacement is drawn)."""
    with transaction.atomic():
        draw = Draw.objects.select_for_update().get(pk=invitation.draw_id)
        inv = Invitation.objects.select_related("entry__member").get(pk=invitation.pk)
        member = inv.entry.member
        actor = actor or _member_actor(member)
        if inv.status != Invitation.Status.INVITED:
            raise DrawError(_("This invitation has already been answered."))
        now = timezone.now()
        if inv.deadline and inv.deadline < now:
            raise DrawError(_("The deadline to answer has passed."))
        inv.responded_at = now
        if accept:
            inv.status = Invitation.Status.ACCEPTED
            inv.save(update_fields=["status", "responded_at"])
            participant, _created = Participant.objects.get_or_create(
                convention=draw.convention,
                member=member,
                defaults={"source": Participant.Source.DRAWN},
            )
            record(
                "draw.invitation_accepted",
                actor=actor,
                obj=draw,
                payload={"code": inv.entry.code, "participant": participant.pk},
            )
        else:
            inv.status = Invitation.Status.DECLINED
            inv.save(update_fields=["status", "responded_at"])
            record(
                "draw.invitation_declined", actor=actor, obj=draw, payload={"code": inv.entry.code}
            )
            _replace(draw, inv, now)
    return inv


def _replace(draw: Draw, leaving: Invitation, now) -> Invitation | None:
    """Draw the replacement of `leaving` with the engine's verifiable procedure (same seed chain,
    number = next replacement number; people who left before are excluded) and invite them."""
    dist = engine.load_distribution(draw)
    excluded = list(
        draw.invitations.filter(status__in=(Invitation.Status.DECLINED, Invitation.Status.EXPIRED))
        .exclude(pk=leaving.pk)
        .values_list("entry__code", flat=True)
    )
    # Seats that could not be refilled earlier count as still held by the person who left
    # them: the engine checks quotas on full panels, and this is exactly what
    # `lottery.replay_replacements(..., allow_unfilled=True)` does with the rows of
    # REPLACEMENTS.csv that have an empty replacement.
    unfilled = list(
        draw.invitations.filter(replacement_impossible=True)
        .exclude(pk=leaving.pk)
        .values_list("entry__code", flat=True)
    )
    panel = sorted([*current_panel(draw), *unfilled, leaving.entry.code])
    number = (draw.invitations.aggregate(n=Max("replacement_number"))["n"] or 0) + 1
    try:
        r = lottery.draw_replacement(
            dist, draw.seed, panel, leaving.entry.code, number, excluded, draw.digest
        )
    except lottery.NoReplacementError as exc:
        leaving.replacement_impossible = True
        leaving.unfilled_number = number
        leaving.save(update_fields=["replacement_impossible", "unfilled_number"])
        record(
            "draw.replacement_failed",
            obj=draw,
            payload={"declined": leaving.entry.code, "number": number, "reason": str(exc)},
            inputs_digest=draw.digest,
        )
        return None
    entry = draw.pool.entries.get(code=r.replacement)
    new = Invitation.objects.create(
        draw=draw, entry=entry, replaces=leaving, replacement_number=r.number
    )
    new.draw = draw
    record(
        "draw.replacement_drawn",
        obj=draw,
        payload={"number": r.number, "declined": r.declined, "replacement": r.replacement},
        inputs_digest=draw.digest,
    )
    if draw.invitations_sent_at is not None:
        _invite(new, now)
    return new


def expire_invitations(now=None, actor="command:expire-invitations") -> list[Invitation]:
    """Invitations past their deadline lapse, in deadline order; each gets a replacement."""
    now = now or timezone.now()
    expired = []
    due = (
        Invitation.objects.filter(status=Invitation.Status.INVITED, deadline__lt=now)
        .order_by("deadline", "pk")
        .values_list("pk", flat=True)
    )
    for pk in list(due):
        with transaction.atomic():
            inv = Invitation.objects.select_related("entry").get(pk=pk)
            draw = Draw.objects.select_for_update().get(pk=inv.draw_id)
            inv = Invitation.objects.select_related("entry").get(pk=pk)
            if inv.status != Invitation.Status.INVITED:
                continue
            inv.status = Invitation.Status.EXPIRED
            inv.save(update_fields=["status"])
            record(
                "draw.invitation_expired", actor=actor, obj=draw, payload={"code": inv.entry.code}
            )
            _replace(draw, inv, now)
            expired.append(inv)
    return expired


def panel_counts(draw: Draw) -> dict[str, dict[str, int]]:
    """Seats held now per feature value (for the public counts table)."""
    out: dict[str, dict[str, int]] = {f: {} for f in draw.features}
    holding = draw.invitations.exclude(
        status__in=(Invitation.Status.DECLINED, Invitation.Status.EXPIRED)
    ).select_related("entry")
    for inv in holding:
        for f in draw.features:
            v = inv.entry.value(f)
            out[f][v] = out[f].get(v, 0) + 1
    return out


def quota_bounds(draw: Draw) -> dict[tuple[str, str], tuple[int, int]]:
    return {(q.feature, q.value): (q.min, q.max) for q in draw.quotas.all()}
