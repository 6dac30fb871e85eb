"""The demo's live day: the console driving the first testimony slot, with a queue.

The slot's accepted interventions (a speech, then a video) form its queue; the console has put
the slot on stage at load time (a rehearsal, weeks before the day: see `state.day_plan`) and
called its first speaker, so that every screen has something to follow.
"""

from __future__ import annotations

from pnyx.programme import actions as programme
from pnyx.programme.models import Convention, InterventionFormat, InterventionStatus, ItemKind

from . import actions
from .models import RunOfShow

ACTOR = "demo"


def load(convention: Convention, stdout=None) -> RunOfShow | None:
    run = RunOfShow.objects.filter(convention=convention).first()
    if run is not None:
        return run
    day = convention.days.order_by("date").first()
    slot = day and day.items.filter(kind=ItemKind.TESTIMONIES).order_by("starts_at").first()
    if slot is None:
        return None
    # The accepted video waits in the same slot, after the speech the programme's demo placed.
    for video in convention.interventions.filter(
        status=InterventionStatus.ACCEPTED, format=InterventionFormat.VIDEO, slot__isnull=True
    ):
        programme.place(video, slot, ACTOR)
    actions.start_item(convention, slot, actor=ACTOR)
    if slot.placed_interventions.exists():
        actions.call_speaker(convention, actor=ACTOR)
        actions.start_timer(convention, actor=ACTOR)
    run = RunOfShow.objects.get(convention=convention)
    if stdout is not None:
        stdout.write(f"Run-of-show: {slot.title} on stage (console at /organisation/regie/)")
    return run
