"""State changes of the programme: its convention, days, items, news, campaigns and topics;
proposals of interventions, moderation, placement; participants' badges."""

from __future__ import annotations

from datetime import UTC, datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from pnyx.journal.actions import record, save_and_record
from pnyx.members.actions import delete_sessions_later
from pnyx.members.models import Member

from .models import (
    Campaign,
    Convention,
    Day,
    Intervention,
    InterventionFormat,
    InterventionStatus,
    Item,
    ItemKind,
    News,
    Participant,
    Topic,
)
from .uploads import StoredVideo, delete_stored, store_video


class ProposalError(Exception):
    """A proposal or decision that cannot be taken; the message is shown to the user."""


def may_propose(member: Member, convention: Convention) -> bool:
    if convention.proposals_from_all:
        return True
    return not Participant.objects.filter(
        convention=convention, member=member, source=Participant.Source.DRAWN
    ).exists()


def _notify(intervention: Intervention, template: str) -> None:
    member = intervention.member
    with translation.override(member.language or settings.LANGUAGE_CODE):
        context = {
            "intervention": intervention,
            "member": member,
            "link": settings.PNYX_SITE_URL + reverse("programme:my_interventions"),
        }
        subject = render_to_string(f"programme/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"programme/email/{template}_body.txt", context)
    send_mail(subject, body, None, [member.email])


def _check_fields(convention: Convention, data: dict, has_video: bool) -> None:
    if data.get("campaign") is not None and data["campaign"].convention_id != convention.pk:
        raise ProposalError(_("This campaign belongs to another convention."))
    if data.get("item") is not None and data["item"].day.convention_id != convention.pk:
        raise ProposalError(_("This programme item belongs to another convention."))
    if data["format"] == InterventionFormat.VIDEO and not has_video:
        raise ProposalError(_("A video proposal needs a video file or a link to a video."))


def submit_intervention(
    member: Member, convention: Convention, data: dict, video=None
) -> Intervention:
    """Create a proposal. `data` holds title, summary, campaign, item, format, video_link."""
    if not convention.call_is_open():
        raise ProposalError(_("The call for interventions is closed."))
    if not may_propose(member, convention):
        raise ProposalError(
            _(
                "You were drawn to take part in the closing session: you will be able to speak there."
            )
        )
    _check_fields(convention, data, bool(video or data.get("video_link")))
    stored: StoredVideo | None = store_video(video) if video else None
    try:
        with transaction.atomic():
            intervention = Intervention.objects.create(
                convention=convention,
                member=member,
                title=data["title"],
                summary=data["summary"],
                campaign=data.get("campaign"),
                item=data.get("item"),
                format=data["format"],
                video_link=data.get("video_link") or "",
                **_video_fields(stored),
            )
            record(
                "intervention.submitted",
                actor=f"member:{member.external_id}",
                obj=intervention,
                payload={"format": intervention.format, "video_sha256": intervention.video_sha256},
            )
    except Exception:
        if stored:
            delete_stored(stored.name)
        raise
    transaction.on_commit(lambda: _notify(intervention, "submitted"))
    return intervention


def _video_fields(stored: StoredVideo | None) -> dict:
    if stored is None:
        return {}
    return {
        "video_file": stored.name,
        "video_sha256": stored.sha256,
        "video_type": stored.content_type,
        "video_size": stored.size,
    }


def revise_intervention(
    intervention: Intervention, member: Member, data: dict, video=None
) -> Intervention:
    """The member edits a proposal still under review or sent back for changes."""
    if intervention.member_id != member.pk:
        raise ProposalError(_("This proposal is not yours."))
    if not intervention.editable_by_member:
        raise ProposalError(_("This proposal has been decided and can no longer be changed."))
    if not intervention.convention.call_is_open():
        raise ProposalError(_("The call for interventions is closed."))
    keeps_file = bool(intervention.video_file) and data["format"] == InterventionFormat.VIDEO
    _check_fields(
        intervention.convention, data, bool(video or data.get("video_link") or keeps_file)
    )
    stored = store_video(video) if video else None
    old_file = (
        intervention.video_file.name
        if (stored or data["format"] != InterventionFormat.VIDEO)
        else ""
    )
    try:
        with transaction.atomic():
            for f in ("title", "summary", "campaign", "item", "format"):
                setattr(intervention, f, data.get(f))
            intervention.video_link = data.get("video_link") or ""
            if stored:
                for k, v in _video_fields(stored).items():
                    setattr(intervention, k, v)
            elif data["format"] != InterventionFormat.VIDEO:
                intervention.video_file = ""
                intervention.video_sha256 = intervention.video_type = ""
                intervention.video_size = None
            was = intervention.status
            intervention.status = InterventionStatus.SUBMITTED
            intervention.save()
            record(
                "intervention.revised",
                actor=f"member:{member.external_id}",
                obj=intervention,
                payload={"from_status": was, "video_sha256": intervention.video_sha256},
            )
    except Exception:
        if stored:
            delete_stored(stored.name)
        raise
    if old_file:
        transaction.on_commit(lambda: delete_stored(old_file))
    return intervention


DECISIONS = {
    "accept": InterventionStatus.ACCEPTED,
    "reject": InterventionStatus.REJECTED,
    "request_changes": InterventionStatus.CHANGES_REQUESTED,
}
#: The journal event of each decision (pnyx.journal.events).
DECISION_EVENTS = {
    "accept": "intervention.accepted",
    "reject": "intervention.rejected",
    "request_changes": "intervention.changes_requested",
}


def moderate(intervention: Intervention, decision: str, moderator, note: str = "") -> Intervention:
    """Accept, reject (with a reason) or ask for changes (saying which)."""
    if decision not in DECISIONS:
        raise ProposalError(_("Unknown decision."))
    note = (note or "").strip()
    if decision in ("reject", "request_changes") and not note:
        raise ProposalError(_("Say why: the member will receive this message."))
    new_status = DECISIONS[decision]
    with transaction.atomic():
        intervention = Intervention.objects.select_for_update().get(pk=intervention.pk)
        if intervention.status == new_status and decision == "accept":
            raise ProposalError(_("This proposal is already accepted."))
        was = intervention.status
        intervention.status = new_status
        intervention.moderation_note = note
        if new_status != InterventionStatus.ACCEPTED and intervention.slot_id:
            slot = intervention.slot
            intervention.slot = None
            intervention.slot_position = None
            intervention.save()
            _renumber(slot)
        else:
            intervention.save()
        record(
            DECISION_EVENTS[decision],
            actor=moderator,
            obj=intervention,
            payload={"from_status": was, "to_status": new_status, "note": note},
        )
    transaction.on_commit(lambda: _notify(intervention, f"decision_{decision}"))
    return intervention


def _renumber(slot: Item, order: list[int] | None = None) -> None:
    """Give the interventions of a slot positions 1..n (in `order` if given, else current)."""
    qs = Intervention.objects.filter(slot=slot)
    ids = (
        order
        if order is not None
        else list(qs.order_by("slot_position", "pk").values_list("pk", flat=True))
    )
    qs.update(slot_position=None)
    for pos, pk in enumerate(ids, start=1):
        Intervention.objects.filter(pk=pk).update(slot_position=pos)


def place(
    intervention: Intervention, slot: Item, moderator, position: int | None = None
) -> Intervention:
    """Put an accepted intervention into a testimony slot at `position` (1-based; default last)."""
    with transaction.atomic():
        intervention = Intervention.objects.select_for_update().get(pk=intervention.pk)
        slot = Item.objects.select_related("day").get(pk=slot.pk)
        if intervention.status != InterventionStatus.ACCEPTED:
            raise ProposalError(_("Only accepted interventions can be placed in the programme."))
        if slot.kind != ItemKind.TESTIMONIES:
            raise ProposalError(_("Interventions go into testimony slots only."))
        if slot.day.convention_id != intervention.convention_id:
            raise ProposalError(_("This slot belongs to another convention."))
        previous = intervention.slot
        ids = list(
            Intervention.objects.filter(slot=slot)
            .exclude(pk=intervention.pk)
            .order_by("slot_position", "pk")
            .values_list("pk", flat=True)
        )
        index = len(ids) if position is None else max(0, min(len(ids), position - 1))
        ids.insert(index, intervention.pk)
        Intervention.objects.filter(pk=intervention.pk).update(slot=slot, slot_position=None)
        _renumber(slot, ids)
        if previous is not None and previous.pk != slot.pk:
            _renumber(previous)
        intervention.refresh_from_db()
        record(
            "intervention.placed",
            actor=moderator,
            obj=intervention,
            payload={"slot": slot.pk, "position": intervention.slot_position},
        )
    transaction.on_commit(lambda: _notify(intervention, "placed"))
    return intervention


def unplace(intervention: Intervention, moderator) -> Intervention:
    with transaction.atomic():
        intervention = Intervention.objects.select_for_update().get(pk=intervention.pk)
        slot = intervention.slot
        if slot is None:
            return intervention
        intervention.slot = None
        intervention.slot_position = None
        intervention.save()
        _renumber(slot)
        record(
            "intervention.unplaced", actor=moderator, obj=intervention, payload={"slot": slot.pk}
        )
    return intervention


def check_in(participant: Participant) -> Participant:
    """A participant arrived (their badge was scanned); the first scan is journaled."""
    from django.utils import timezone

    updated = Participant.objects.filter(pk=participant.pk, checked_in_at__isnull=True).update(
        checked_in_at=timezone.now()
    )
    participant.refresh_from_db()
    if updated:
        record(
            "participant.checked_in",
            actor=f"member:{participant.member.external_id}",
            obj=participant,
        )
    return participant


def revoke_badge(participant: Participant, *, actor) -> Participant:
    """A lost badge: its QR code stops working and every session it opened ends at its next
    request (the session remembers the badge version, see `pnyx.programme.sessions`). The
    participant can print a new badge from their itinerary."""
    with transaction.atomic():
        participant = Participant.objects.select_for_update().get(pk=participant.pk)
        was = participant.badge_version
        participant.badge_version = was + 1
        participant.save(update_fields=["badge_version"])
        record(
            "participant.badge_revoked",
            actor=actor,
            obj=participant,
            payload={"from_version": was, "to_version": participant.badge_version},
        )
        delete_sessions_later(badge=f"{participant.pk}:{was}")
    return participant


# --- the programme itself: convention, days, items, news, campaigns, topics -----------------


class ProgrammeError(Exception):
    """A change of the programme that cannot be made; the message is shown to the user."""


def _programme_kinds() -> dict:
    return {
        Convention: "convention",
        Day: "day",
        Item: "item",
        News: "news",
        Campaign: "campaign",
        Topic: "topic",
    }


def _kind(obj) -> str:
    kind = _programme_kinds().get(type(obj))
    if kind is None:
        raise ProgrammeError(_("This is not part of the programme."))
    return kind


def _jsonable(value):
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).isoformat()  # one form for one instant
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _snapshot(obj) -> dict:
    """The object's own fields (foreign keys as ids) and its many-to-many links (sorted ids)."""
    data = {f.attname: _jsonable(getattr(obj, f.attname)) for f in obj._meta.concrete_fields}
    if obj.pk is not None:
        for f in obj._meta.many_to_many:
            data[f.name] = sorted(getattr(obj, f.name).values_list("pk", flat=True))
    return data


def save_programme(obj, *, actor, m2m: dict | None = None):
    """Create or change a convention, a day, a programme item, a news item, a campaign or a
    topic (with its many-to-many links in `m2m`: field name -> objects). The journal row holds
    the fields that changed, with their new values; saving without a change writes nothing."""
    kind = _kind(obj)
    obj.full_clean(exclude=list(m2m or ()))
    with transaction.atomic():
        if (
            kind == "item"
            and obj.pk is not None
            and not obj._state.adding
            and obj.kind != ItemKind.TESTIMONIES
            and Intervention.objects.filter(slot_id=obj.pk).exists()
        ):
            raise ProgrammeError(
                _("Interventions are placed in this slot: take them out before changing its kind.")
            )
        return save_and_record(
            obj, actor=actor, event=f"programme.{kind}", snapshot=_snapshot, m2m=m2m
        )


def delete_programme(obj, *, actor) -> None:
    """Delete a day, a programme item, a news item, a campaign or a topic, with what it holds
    when that is programme too (a day's items). Refused when something else would go or change
    with it: an intervention placed in an item, a vote, a table output. A convention is never
    deleted: its votes, draws and journal rows refer to it."""
    from django.db import router
    from django.db.models import ProtectedError, RestrictedError
    from django.db.models.deletion import Collector

    kind = _kind(obj)
    if kind == "convention":
        raise ProgrammeError(
            _("A convention is never deleted: its votes, draws and journal refer to it.")
        )
    own = {*_programme_kinds(), Item.campaigns.through, Item.topics.through}
    with transaction.atomic():
        obj = type(obj).objects.select_for_update().get(pk=obj.pk)
        collector = Collector(using=router.db_for_write(type(obj)))
        try:
            collector.collect([obj])
        except (ProtectedError, RestrictedError) as exc:
            raise ProgrammeError(
                _("%(obj)s cannot be deleted: other records depend on it (%(what)s).")
                % {
                    "obj": obj,
                    "what": ", ".join(sorted({str(o._meta.verbose_name) for o in exc.args[1]})),
                }
            ) from exc
        touched = {
            *(m for m, objs in collector.data.items() if objs),
            *(qs.model for qs in collector.fast_deletes if qs.exists()),
            *(field.model for (field, _value), objs in collector.field_updates.items() if objs),
        }
        others = sorted(str(m._meta.verbose_name_plural) for m in touched - own)
        if others:
            raise ProgrammeError(
                _("%(obj)s cannot be deleted: it would also change %(what)s.")
                % {"obj": obj, "what": ", ".join(others)}
            )
        snapshot = _snapshot(obj)
        cascade = {
            m._meta.label_lower: len(objs)
            for m, objs in collector.data.items()
            if objs and m is not type(obj)
        }
        pk = obj.pk
        record(
            f"programme.{kind}_deleted",
            actor=actor,
            obj=obj,
            payload={"deleted": snapshot, "with": cascade},
        )
        obj.delete()
        obj.pk = pk
