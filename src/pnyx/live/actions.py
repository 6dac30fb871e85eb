"""The run-of-show console's actions: every change of the day's live state is one function here.

Each takes a keyword-only `actor` (an organizer; a string names a system actor such as "demo"),
checks the permission, runs in one transaction that first locks the convention's `RunOfShow`
row (two operators' clicks run one after the other), journals what happened, and publishes the
new state (`stream.publish`) inside the transaction. Actions that move the run-of-show take the
item the operator saw as current (`seen`): if another operator moved on meanwhile, the click is
refused rather than applied to a state the operator did not see (two "next" at once: one step).
See docs/live.md, "The console".
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pnyx.journal.actions import record
from pnyx.programme.models import Convention, Intervention, InterventionFormat, Item, ItemKind
from pnyx.programme.permissions import is_organizer as may_drive  # organizers drive the console
from pnyx.votes import actions as votes
from pnyx.votes.models import Vote

from . import stream
from .models import ItemRun, MessageTarget, RunOfShow, Turn, TurnStatus
from .state import _at, day_items, on_deck, queue_of

ANY = object()  # `seen` not given: no check of what the operator saw
MESSAGE_MAX = 140


class LiveError(Exception):
    """An operator action that cannot be taken now; the message is shown to the operator."""


def _check_actor(actor) -> None:
    if isinstance(actor, str):
        return  # a system actor: the demo, a management command
    if not may_drive(actor):
        raise PermissionDenied


def lock(convention: Convention) -> RunOfShow:
    """The convention's run-of-show row, created if need be, locked until the transaction ends."""
    RunOfShow.objects.get_or_create(convention=convention)
    return RunOfShow.objects.select_for_update().get(convention=convention)


def _check_seen(run: RunOfShow, seen) -> None:
    if seen is ANY:
        return
    seen_id = int(seen) if seen not in (None, "") else None
    if seen_id != (run.current_id if run.driven else None):
        raise LiveError(
            _("The run-of-show moved on meanwhile (another operator?): check and click again.")
        )


def _publish(convention, kind: str) -> None:
    stream.publish(convention, kind)


# --- the items of the day ---------------------------------------------------------------------


def _end_current(run: RunOfShow, now, actor) -> None:
    if run.current_id is None:
        return
    item_run = ItemRun.objects.filter(run=run, item_id=run.current_id).first()
    if item_run is not None and item_run.ended_at is None:
        item_run.ended_at = now
        item_run.save(update_fields=["ended_at"])
        item = run.current
        planned = (item.ends_at.hour * 60 + item.ends_at.minute) * 60 - (
            item.starts_at.hour * 60 + item.starts_at.minute
        ) * 60
        record(
            "live.item_ended",
            actor=actor,
            obj=item,
            payload={
                "started_at": item_run.started_at,
                "ended_at": now,
                "seconds": int((now - item_run.started_at).total_seconds()),
                "planned_seconds": planned,
            },
        )
    _clear_speaker(run)


def _clear_speaker(run: RunOfShow) -> None:
    run.speaker = None
    run.speaker_started_at = None
    run.playing = False


def _start(run: RunOfShow, item: Item, now, actor) -> None:
    ItemRun.objects.update_or_create(
        run=run, item=item, defaults={"started_at": now, "ended_at": None}
    )
    run.current = item
    run.driven = True
    _clear_speaker(run)
    record(
        "live.item_started",
        actor=actor,
        obj=item,
        payload={"started_at": now, "planned_start": f"{item.day.date}T{item.starts_at}"},
    )


def start_item(convention: Convention, item: Item, *, actor, seen=ANY) -> RunOfShow:
    """Put `item` on stage now (the current one, if any, ends now)."""
    _check_actor(actor)
    now = timezone.now()
    with transaction.atomic():
        run = lock(convention)
        _check_seen(run, seen)
        item = Item.objects.select_related("day").get(pk=item.pk)
        if item.day.convention_id != convention.pk:
            raise LiveError(_("This item belongs to another convention."))
        _end_current(run, now, actor)
        _start(run, item, now, actor)
        run.save()
        _publish(convention, "item_started")
    return run


def _day_of(convention, run: RunOfShow, now):
    if run.current_id:
        return run.current.day
    today = convention.days.filter(date=timezone.localdate(now)).first()
    return today or convention.days.order_by("date").first()


def next_item(convention: Convention, *, actor, seen=ANY) -> RunOfShow:
    """End the current item and start the next one of its day; when nothing runs, the item the
    clock shows (or the next one) unless it ran already. After the day's last item, nothing is
    on stage."""
    _check_actor(actor)
    now = timezone.now()
    with transaction.atomic():
        run = lock(convention)
        _check_seen(run, seen)
        day = _day_of(convention, run, now)
        if day is None:
            raise LiveError(_("The programme has no day."))
        items = day_items(convention, day)
        if run.current_id and run.driven:
            ids = [i.pk for i in items]
            index = ids.index(run.current_id) + 1
        else:
            # Picking up the console: the item the clock shows (or the next one), if not run yet.
            done = set(ItemRun.objects.filter(run=run).values_list("item_id", flat=True))
            waiting = [k for k, i in enumerate(items) if i.pk not in done]
            index = next(
                (k for k in waiting if _at(items[k].day.date, items[k].ends_at) > now),
                waiting[0] if waiting else len(items),
            )
        _end_current(run, now, actor)
        if index < len(items):
            _start(run, items[index], now, actor)
            kind = "item_started"
        else:
            run.current = None
            kind = "item_ended"
        run.driven = True
        run.save()
        _publish(convention, kind)
    return run


def previous_item(convention: Convention, *, actor, seen=ANY) -> RunOfShow:
    """Back to the previous item (a click too early): the current item's start is forgotten,
    the previous item runs again from its first start."""
    _check_actor(actor)
    now = timezone.now()
    with transaction.atomic():
        run = lock(convention)
        _check_seen(run, seen)
        if not (run.driven and run.current_id):
            raise LiveError(_("No item is on stage."))
        items = day_items(convention, run.current.day_id)
        index = [i.pk for i in items].index(run.current_id)
        if index == 0:
            raise LiveError(_("This is the day's first item."))
        was = run.current
        ItemRun.objects.filter(run=run, item=was).delete()
        previous = items[index - 1]
        item_run = ItemRun.objects.filter(run=run, item=previous).first()
        if item_run is None:
            ItemRun.objects.create(run=run, item=previous, started_at=now)
        else:
            item_run.ended_at = None
            item_run.save(update_fields=["ended_at"])
        run.current = previous
        _clear_speaker(run)
        run.save()
        record("live.item_reopened", actor=actor, obj=previous, payload={"instead_of": was.pk})
        _publish(convention, "item_reopened")
    return run


def release(convention: Convention, *, actor) -> RunOfShow:
    """Nobody runs the console any more: the screens follow the clock again (what ran stays)."""
    _check_actor(actor)
    now = timezone.now()
    with transaction.atomic():
        run = lock(convention)
        _end_current(run, now, actor)
        run.current = None
        run.driven = False
        run.blackout = False
        run.message = run.message_target = ""
        run.save()
        record("live.console_released", actor=actor, obj=convention)
        _publish(convention, "console_released")
    return run


# --- the testimonies' queue -------------------------------------------------------------------


def _slot(run: RunOfShow) -> Item:
    if not (run.driven and run.current_id and run.current.kind == ItemKind.TESTIMONIES):
        raise LiveError(_("No testimony slot is on stage."))
    return run.current


def _in_slot(slot: Item, intervention) -> Intervention:
    pk = getattr(intervention, "pk", intervention)
    found = Intervention.objects.filter(pk=pk, slot=slot).select_related("member").first()
    if found is None:
        raise LiveError(_("This intervention is not in the slot on stage."))
    return found


def _stop_timer(run: RunOfShow, now) -> int:
    """Stop the speaking timer; returns the seconds it ran (added to the speaker's turn)."""
    if run.speaker_id is None or run.speaker_started_at is None:
        return 0
    seconds = int((now - run.speaker_started_at).total_seconds())
    turn, _created = Turn.objects.get_or_create(run=run, intervention_id=run.speaker_id)
    turn.spoke_seconds += seconds
    turn.save(update_fields=["spoke_seconds"])
    run.speaker_started_at = None
    return seconds


def _finish(run: RunOfShow, intervention: Intervention, status: str, now, actor) -> None:
    if intervention.pk == run.speaker_id:
        _stop_timer(run, now)
        _clear_speaker(run)
    turn, _created = Turn.objects.get_or_create(run=run, intervention=intervention)
    turn.status = status
    turn.ended_at = now
    turn.save(update_fields=["status", "ended_at"])
    record(
        "live.speaker_finished" if status == TurnStatus.DONE else "live.speaker_skipped",
        actor=actor,
        obj=intervention,
        payload={"slot": intervention.slot_id, "spoke_seconds": turn.spoke_seconds},
    )


def call_speaker(
    convention: Convention, intervention=None, *, actor, seen=ANY, seen_speaker=ANY
) -> RunOfShow:
    """Call the next speaker of the slot on stage (the one on deck, or `intervention`). The
    speaker before, if not marked yet, is marked done. `seen_speaker`: the speaker the
    operator's page showed (two "call the next one" at once call one speaker, not two)."""
    _check_actor(actor)
    now = timezone.now()
    with transaction.atomic():
        run = lock(convention)
        _check_seen(run, seen)
        if seen_speaker is not ANY:
            seen_id = int(seen_speaker) if seen_speaker not in (None, "") else None
            if seen_id != run.speaker_id:
                raise LiveError(
                    _("The speaker changed meanwhile (another operator?): check and click again.")
                )
        slot = _slot(run)
        queue = queue_of(run, slot)
        if intervention is None:
            chosen = on_deck(queue, run.speaker_id)
            if chosen is None:
                raise LiveError(_("Nobody is waiting in this slot's queue."))
        else:
            chosen = _in_slot(slot, intervention)
            status = dict((i.pk, s) for i, s in queue).get(chosen.pk)
            if status != TurnStatus.WAITING:
                raise LiveError(_("This speaker has already been marked done or skipped."))
        if run.speaker_id and run.speaker_id != chosen.pk:
            _finish(run, run.speaker, TurnStatus.DONE, now, actor)
        Turn.objects.update_or_create(
            run=run, intervention=chosen, defaults={"called_at": now, "status": TurnStatus.WAITING}
        )
        run.speaker = chosen
        run.speaker_started_at = None
        run.playing = False
        run.save()
        record("live.speaker_called", actor=actor, obj=chosen, payload={"slot": slot.pk})
        _publish(convention, "speaker_called")
    return run


def start_timer(convention: Convention, *, actor, seconds: int | None = None) -> RunOfShow:
    """Start (or restart) the speaking timer of the speaker at the microphone."""
    _check_actor(actor)
    now = timezone.now()
    with transaction.atomic():
        run = lock(convention)
        _slot(run)
        if run.speaker_id is None:
            raise LiveError(_("Call a speaker first."))
        if seconds is not None:
            if not 10 <= int(seconds) <= 3600:
                raise LiveError(_("A speaking time is between 10 seconds and one hour."))
            run.speaking_seconds = int(seconds)
        _stop_timer(run, now)
        run.speaker_started_at = now
        run.save()
        record(
            "live.speaker_timer_started",
            actor=actor,
            obj=run.speaker,
            payload={"seconds": run.speaking_seconds},
        )
        _publish(convention, "timer_started")
    return run


def stop_timer(convention: Convention, *, actor) -> RunOfShow:
    _check_actor(actor)
    now = timezone.now()
    with transaction.atomic():
        run = lock(convention)
        if run.speaker_started_at is None:
            raise LiveError(_("The speaking timer is not running."))
        seconds = _stop_timer(run, now)
        run.save()
        record("live.speaker_timer_stopped", actor=actor, obj=run.speaker, payload={"ran": seconds})
        _publish(convention, "timer_stopped")
    return run


def finish_speaker(
    convention: Convention, intervention=None, *, actor, skipped: bool = False
) -> RunOfShow:
    """Mark the speaker (or a waiting `intervention`) done, or skipped (absent, no time left)."""
    _check_actor(actor)
    now = timezone.now()
    with transaction.atomic():
        run = lock(convention)
        slot = _slot(run)
        if intervention is None:
            if run.speaker_id is None:
                raise LiveError(_("Nobody is at the microphone."))
            chosen = run.speaker
        else:
            chosen = _in_slot(slot, intervention)
        _finish(run, chosen, TurnStatus.SKIPPED if skipped else TurnStatus.DONE, now, actor)
        run.save()
        _publish(convention, "speaker_skipped" if skipped else "speaker_finished")
    return run


def reorder_queue(convention: Convention, order: list[int], *, actor) -> RunOfShow:
    """Put the slot's interventions in `order` (every one of them, each once)."""
    from pnyx.programme.actions import _renumber

    _check_actor(actor)
    with transaction.atomic():
        run = lock(convention)
        slot = _slot(run)
        placed = list(
            Intervention.objects.select_for_update()
            .filter(slot=slot)
            .order_by("slot_position", "pk")
            .values_list("pk", flat=True)
        )
        order = [int(pk) for pk in order]
        if sorted(order) != sorted(placed):
            raise LiveError(_("The new order must hold every intervention of the slot once."))
        _renumber(slot, order)
        record("live.queue_reordered", actor=actor, obj=slot, payload={"from": placed, "to": order})
        _publish(convention, "queue_reordered")
    return run


def move_in_queue(convention: Convention, intervention, step: int, *, actor) -> RunOfShow:
    """Move an intervention one place up (step -1) or down (+1) in its slot's queue."""
    _check_actor(actor)
    with transaction.atomic():
        run = lock(convention)
        slot = _slot(run)
        ids = [i.pk for i, _s in queue_of(run, slot)]
        chosen = _in_slot(slot, intervention)
        k = ids.index(chosen.pk)
        j = max(0, min(len(ids) - 1, k + step))
        ids.insert(j, ids.pop(k))
        return reorder_queue(convention, ids, actor=actor)


def play_video(convention: Convention, *, actor, playing: bool = True) -> RunOfShow:
    """Play (or stop) the speaker's video on the hall screen."""
    _check_actor(actor)
    now = timezone.now()
    with transaction.atomic():
        run = lock(convention)
        _slot(run)
        speaker = run.speaker
        if speaker is None or speaker.format != InterventionFormat.VIDEO or not speaker.has_video:
            raise LiveError(_("The speaker has no video to play."))
        run.playing = playing
        if playing and run.speaker_started_at is None:
            run.speaker_started_at = now
        if not playing:
            _stop_timer(run, now)
        run.save()
        record("live.video_played" if playing else "live.video_stopped", actor=actor, obj=speaker)
        _publish(convention, "video_played" if playing else "video_stopped")
    return run


# --- what the screens show --------------------------------------------------------------------


def show_message(convention: Convention, text: str, target: str, *, actor) -> RunOfShow:
    """A short message on the hall screen or on the stage timer only ("30 s", "conclude")."""
    _check_actor(actor)
    text = " ".join((text or "").split())
    if not text:
        raise LiveError(_("Write the message to show."))
    if len(text) > MESSAGE_MAX:
        raise LiveError(_("A message holds at most %(n)d characters.") % {"n": MESSAGE_MAX})
    if target not in MessageTarget.values:
        raise LiveError(_("Show the message on the hall screen or on the stage timer."))
    with transaction.atomic():
        run = lock(convention)
        run.message, run.message_target = text, target
        run.save()
        record(
            "live.message_displayed",
            actor=actor,
            obj=convention,
            payload={"text": text, "target": target},
        )
        _publish(convention, "message_shown")
    return run


def clear_message(convention: Convention, *, actor) -> RunOfShow:
    _check_actor(actor)
    with transaction.atomic():
        run = lock(convention)
        run.message = run.message_target = ""
        run.save()
        record("live.message_cleared", actor=actor, obj=convention)
        _publish(convention, "message_cleared")
    return run


def set_blackout(convention: Convention, on: bool, *, actor) -> RunOfShow:
    """The logo slide on the hall screen (on), or the programme again (off)."""
    _check_actor(actor)
    with transaction.atomic():
        run = lock(convention)
        run.blackout = on
        run.save()
        record(
            "live.blackout_started" if on else "live.blackout_ended", actor=actor, obj=convention
        )
        _publish(convention, "blackout")
    return run


def back_to_programme(convention: Convention, *, actor) -> RunOfShow:
    """The hall screen shows the programme again: no blackout, message, video, vote or results."""
    _check_actor(actor)
    now = timezone.now()
    with transaction.atomic():
        run = lock(convention)
        run.blackout = False
        run.message = run.message_target = ""
        if run.playing:
            _stop_timer(run, now)
        run.playing = False
        run.vote = run.announcement = None
        run.save()
        record("live.programme_displayed", actor=actor, obj=convention)
        _publish(convention, "programme_shown")
    return run


# --- votes on stage (through the votes app's own actions) ---------------------------------------


def _vote_of(convention: Convention, vote) -> Vote:
    found = Vote.objects.filter(pk=getattr(vote, "pk", vote), convention=convention).first()
    if found is None:
        raise LiveError(_("This vote belongs to another convention."))
    return found


def _vote_action(convention, vote, actor, event: str, kind: str, change) -> RunOfShow:
    _check_actor(actor)
    with transaction.atomic():
        run = lock(convention)
        vote = _vote_of(convention, vote)
        try:
            vote = change(run, vote)
        except votes.VoteError as e:
            raise LiveError(str(e)) from e
        run.save()
        record(event, actor=actor, obj=vote)
        _publish(convention, kind)
    return run


def open_vote(convention: Convention, vote, *, actor, minutes=None) -> RunOfShow:
    """Open an in-hall vote from the console; the screens show it and its participation."""

    def change(run, vote):
        if not vote.in_hall:
            raise LiveError(_("Only in-hall votes are opened from the console."))
        vote = votes.open_vote(vote, actor, minutes=minutes)
        run.vote, run.announcement = vote, None
        return vote

    return _vote_action(convention, vote, actor, "live.vote_opened", "vote_opened", change)


def show_vote(convention: Convention, vote, *, actor) -> RunOfShow:
    """Show an open vote (and its participation) on the screens."""

    def change(run, vote):
        run.vote = vote
        return vote

    return _vote_action(convention, vote, actor, "live.vote_displayed", "vote_shown", change)


def close_vote(convention: Convention, vote, *, actor, announce: bool = False) -> RunOfShow:
    """Close the vote on stage; with `announce`, its results are revealed place by place."""

    def change(run, vote):
        vote = votes.close_vote(vote, actor, announce=announce)
        if announce:
            run.announcement, run.vote = vote, None
        return vote

    return _vote_action(convention, vote, actor, "live.vote_closed", "vote_closed", change)


def start_announcement(convention: Convention, vote, *, actor) -> RunOfShow:
    """Announce a closed vote's results (online or in-hall) on the hall screen."""

    def change(run, vote):
        vote = votes.announce_start(vote, actor)
        run.announcement, run.vote = vote, None
        return vote

    return _vote_action(
        convention, vote, actor, "live.announcement_started", "announcement_started", change
    )


def reveal_next(convention: Convention, vote, *, actor) -> RunOfShow:
    """Reveal one more place of the announced ranking (from the last)."""

    def change(run, vote):
        return votes.announce_next(vote, actor)

    return _vote_action(convention, vote, actor, "live.place_revealed", "place_revealed", change)


def end_announcement(convention: Convention, vote, *, actor) -> RunOfShow:
    """Reveal every place and end the announcement: the hall screen shows the programme."""

    def change(run, vote):
        vote = votes.announce_all(vote, actor)
        if run.announcement_id == vote.pk:
            run.announcement = None
        return vote

    return _vote_action(
        convention, vote, actor, "live.announcement_ended", "announcement_ended", change
    )
