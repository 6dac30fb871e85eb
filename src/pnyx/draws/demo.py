"""The demo's draw: the volunteers of the demo convention, gender parity, regions and age bands
in proportion to the pool (5 % either way), 1,100 seats (three quarters of the reference event's 1,500
participants), the whole ceremony, and invitations mostly accepted with a few declines and
expiries replaced from the same seed chain. Every step goes through `draws.actions`.

Idempotent: a run continues the ceremony where an earlier one stopped, and does nothing once
the demo draw is complete.
"""

from __future__ import annotations

import datetime as dt
import random
import time

from django.db import transaction
from django.test.utils import override_settings
from django.utils import formats, translation

from pnyx.core.demo_timeline import Timeline
from pnyx.programme.models import Convention

from . import actions
from .models import Draw, Invitation

TITLE = "Tirage au sort de la séance de clôture"
SIZE = 1100
SEED = "4 1 6 6 2 5 3 3 1 6 5 2"  # twelve dice throws by three witnesses
WITNESSES = "Awa Diallo, Jean Morel, Sofia Rossi (huissière)"
ACTOR = "command:demo"


def load(
    convention: Convention, stdout, size: int = SIZE, timeline: Timeline | None = None
) -> Draw | None:
    """The demo draw; its dates from `timeline` (the convention's, seen now, when not given)."""
    start = time.perf_counter()
    tl = timeline or Timeline.of(convention)
    draw = Draw.objects.filter(convention=convention, title=TITLE).first()
    if draw is not None and draw.status == Draw.Status.REVEALED and draw.invitations_sent_at:
        stdout.write(f"Draw: already done ({draw.size} seats, seed {draw.seed!r})")
        return draw
    # The demo sends 1,100 invitations: keep them out of the console.
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        draw = _ceremony(convention, draw, size, tl)
        _answers(draw, tl)
    counts = {
        s: draw.invitations.filter(status=s).count()
        for s in (Invitation.Status.ACCEPTED, Invitation.Status.DECLINED, Invitation.Status.EXPIRED)
    }
    replaced = draw.invitations.filter(replacement_number__isnull=False).count()
    stdout.write(
        f"Draw: {draw.pool.size} volunteers, {draw.size} seats, leximin min chance "
        f"{draw.summary['min_probability']:.3f} ({draw.summary['seconds']} s); "
        f"{counts['accepted']} accepted, {counts['declined']} declined, {counts['expired']} "
        f"expired, {replaced} replaced; {time.perf_counter() - start:.1f} s in all"
    )
    return draw


def _ceremony(convention: Convention, draw: Draw | None, size: int, tl: Timeline) -> Draw:
    if draw is None:
        with translation.override("fr"):
            cutoff = formats.date_format(tl.members_joined_before, "j F Y")
        pool = actions.create_pool(
            convention,
            f"Volontaires inscrits avant le {cutoff}",
            joined_before=tl.members_joined_before,
            actor=ACTOR,
        )
        draw = actions.create_draw(pool, title=TITLE, size=size, response_days=10, actor=ACTOR)
    if draw.status in (Draw.Status.DRAFT, Draw.Status.FAILED):
        actions.set_parity(draw)
        actions.set_proportional(draw, "region", tolerance=0.05)
        actions.set_proportional(draw, "age", tolerance=0.05)
        actions.start_computation(draw, ACTOR)  # the immediate backend computes it now
    draw.refresh_from_db()
    if draw.status == Draw.Status.COMPUTING:  # a database task backend queued it: run it here
        draw = actions.compute(draw.pk, ACTOR)
    if draw.status == Draw.Status.FAILED:
        raise RuntimeError(f"demo draw failed: {draw.error}")
    if draw.status == Draw.Status.COMPUTED:
        draw = actions.publish_digest(draw, ACTOR)
    if draw.status == Draw.Status.PUBLISHED:
        draw = actions.reveal(draw, SEED, WITNESSES, ACTOR)
    if draw.invitations.filter(status=Invitation.Status.DRAWN).exists():
        actions.send_invitations(draw, ACTOR)
    return draw


def _answers(draw: Draw, tl: Timeline) -> None:
    """Deterministic answers: about 3 % decline and 1 % let the deadline pass (both replaced);
    the rest accept, but for a handful of late replacements still pending."""
    rng = random.Random(2026)
    for _round in range(2):  # the first invitations, then the replacements they caused
        pending = list(
            draw.invitations.filter(status=Invitation.Status.INVITED).order_by("entry__code")
        )
        late = []
        for inv in pending:
            r = rng.random()
            if r < 0.03:
                actions.respond(inv, accept=False)
            elif r < 0.04:
                late.append(inv.pk)
            else:
                actions.respond(inv, accept=True)
        if late:
            with transaction.atomic():
                Invitation.objects.filter(pk__in=late).update(
                    deadline=tl.now - dt.timedelta(minutes=1)
                )
            actions.expire_invitations(actor=ACTOR)
