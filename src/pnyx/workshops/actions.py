"""State changes of the workshops: hall, participants, plans, moves, publication, outputs.

Views, commands, the demo and the tests all call these functions. Consequential events (a plan
published, a manual move, a table output received, a table QR code revoked) are journaled.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import uuid
from collections.abc import Iterable, Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pnyx import seating
from pnyx.core import csvsafe
from pnyx.journal.actions import record
from pnyx.members.models import Member
from pnyx.programme.models import Campaign, Convention, Item, ItemKind, Participant, Topic

from . import engine, pdf
from .models import (
    PURPOSE_FIELDS,
    Document,
    Hall,
    Output,
    Plan,
    Purpose,
    Seat,
    Step,
    Table,
    TopicRanking,
    TopicSeat,
)

DEFAULT_PURPOSES = {1: Purpose.IMPACTS, 2: Purpose.PROPOSALS, 3: Purpose.AXES}


class WorkshopError(Exception):
    """A request that cannot be met; the message is shown to the organizer or facilitator."""


def _actor_label(actor) -> str:
    if actor is None:
        return "system"
    if isinstance(actor, str):
        return actor
    return f"user:{actor.get_username()}"


# --- hall and steps ------------------------------------------------------------------------


def get_hall(convention: Convention) -> Hall:
    """The convention's hall, created on first use with one step per work-step item."""
    hall, created = Hall.objects.get_or_create(convention=convention)
    if created or not hall.steps.exists():
        sync_steps(hall)
    return hall


def sync_steps(hall: Hall) -> list[Step]:
    """One step per work-step item of the programme (by its step number); keeps purposes."""
    items = {
        it.step: it
        for it in Item.objects.filter(
            day__convention=hall.convention, kind=ItemKind.WORK_STEP, step__isnull=False
        ).order_by("step")
    }
    for number, item in items.items():
        step, created = Step.objects.get_or_create(
            hall=hall,
            number=number,
            defaults={"item": item, "purpose": DEFAULT_PURPOSES.get(number, Purpose.PROPOSALS)},
        )
        if not created and step.item_id != item.pk:
            step.item = item
            step.save(update_fields=["item"])
    return list(hall.steps.select_related("item"))


def update_hall(hall: Hall, data: dict, campaigns: Iterable[Campaign], actor=None) -> Hall:
    """Save the hall's shape (parts, table range, map, rules) and its campaigns."""
    for field in ("parts", "table_min", "table_max", "columns", "remix", "seed", "topic_max_share"):
        if field in data:
            setattr(hall, field, data[field])
    if hall.table_max < hall.table_min:
        raise WorkshopError(_("The largest table cannot be smaller than the smallest."))
    hall.save()
    hall.campaigns.set(list(campaigns))
    return hall


def set_step_purpose(step: Step, purpose: str) -> Step:
    step.purpose = purpose
    step.save(update_fields=["purpose"])
    return step


# --- participants --------------------------------------------------------------------------


def participants(convention: Convention):
    return Participant.objects.filter(convention=convention).select_related("member").order_by("pk")


def add_invited(
    convention: Convention, external_ids: Iterable[str], actor=None
) -> tuple[int, list[str]]:
    """Add members (by member id) as invited participants. Returns (added, unknown ids)."""
    wanted = [x.strip() for x in external_ids if x.strip()]
    found = {m.external_id: m for m in Member.objects.filter(external_id__in=wanted)}
    unknown = [x for x in wanted if x not in found]
    existing = set(
        Participant.objects.filter(convention=convention, member__in=found.values()).values_list(
            "member_id", flat=True
        )
    )
    new = [
        Participant(convention=convention, member=m, source=Participant.Source.INVITED)
        for m in found.values()
        if m.pk not in existing
    ]
    Participant.objects.bulk_create(new)
    if new:
        record(
            "workshops.participants_invited",
            actor=actor,
            obj=convention,
            payload={"added": len(new), "members": sorted(m.member.external_id for m in new)},
        )
    return len(new), unknown


# --- plans ---------------------------------------------------------------------------------


def _year(convention: Convention) -> int:
    return convention.starts_on.year


def run_plan(hall: Hall, actor=None) -> Plan:
    """Plan the hall with `pnyx.seating` for all participants; a new draft plan."""
    steps = list(hall.steps.order_by("number"))
    if not steps:
        raise WorkshopError(_("The hall has no work step: add work-step items to the programme."))
    campaigns = hall.campaign_list()
    by_slug = {c.slug: c for c in campaigns}
    people_qs = list(participants(hall.convention))
    if not people_qs:
        raise WorkshopError(_("There is no participant yet."))
    people = engine.people_for(people_qs, _year(hall.convention))
    rules = engine.rules_for(hall)
    shape = engine.shape_for(hall, [c.slug for c in campaigns], len(steps))
    try:
        result = seating.plan_hall(people, shape, rules, seed=hall.seed)
    except seating.SeatingError as e:
        raise WorkshopError(str(e)) from e
    stats = seating.plan_stats(result.seats, people, rules, seconds=result.seconds)
    with transaction.atomic():
        plan = Plan.objects.create(
            hall=hall,
            kind=Plan.Kind.HALL,
            seed=hall.seed,
            remix=rules.remix,
            rotation=result.rotation,
            stats=stats.as_dict(),
            inputs_digest=engine.digest(people, shape, rules, hall.seed),
            created_by=_actor_label(actor),
        )
        Seat.objects.bulk_create(
            [
                Seat(
                    plan=plan,
                    participant_id=int(s.id),
                    step=s.step,
                    part=s.part,
                    table=s.table,
                    campaign=by_slug[s.campaign],
                )
                for s in result.seats
            ],
            batch_size=2000,
        )
    Hall.objects.filter(pk=hall.pk).update(plan_error="")
    return plan


def plan_seats(plan: Plan) -> list[seating.Seat]:
    return [
        seating.Seat(str(pid), step, part, table, slug)
        for pid, step, part, table, slug in plan.seats.values_list(
            "participant_id", "step", "part", "table", "campaign__slug"
        ).order_by("step", "table", "participant_id")
    ]


def plan_people(plan: Plan) -> list[seating.Person]:
    ids = (
        plan.seats.values_list("participant_id", flat=True)
        if plan.kind == Plan.Kind.HALL
        else plan.topic_seats.values_list("participant_id", flat=True)
    )
    qs = Participant.objects.filter(pk__in=ids).select_related("member").order_by("pk")
    return engine.people_for(qs, _year(plan.hall.convention))


def check_plan(plan: Plan) -> list[engine.Violation]:
    """Hard rules broken by the plan (after manual moves), table by table."""
    hall = plan.hall
    people = plan_people(plan)
    rules = engine.rules_for(hall, remix=plan.remix)
    if plan.kind == Plan.Kind.TOPICS:
        seats = [
            seating.Seat(str(pid), 1, 1, table, "")
            for pid, table in plan.topic_seats.values_list("participant_id", "table")
        ]
    else:
        seats = plan_seats(plan)
    return engine.violations(seats, people, rules, hall.table_min, hall.table_max)


def refresh_stats(plan: Plan) -> dict:
    if plan.kind != Plan.Kind.HALL:
        return plan.stats
    people = plan_people(plan)
    stats = seating.plan_stats(
        plan_seats(plan), people, engine.rules_for(plan.hall, remix=plan.remix)
    ).as_dict()
    stats["seconds"] = plan.stats.get("seconds", 0.0)
    plan.stats = stats
    plan.save(update_fields=["stats"])
    return stats


def move(
    plan: Plan, participant: Participant, step: int, table: int, actor=None
) -> list[engine.Violation]:
    """Move a participant to another table of their part at one step (hall plan), or to another
    topic table (topic plan). Returns the violations of the plan after the move."""
    if plan.status == Plan.Status.RETIRED:
        raise WorkshopError(_("This plan was replaced; it cannot change any more."))
    with transaction.atomic():
        if plan.kind == Plan.Kind.TOPICS:
            seat = plan.topic_seats.select_for_update().filter(participant=participant).first()
            target = plan.topic_seats.filter(table=table).select_related("topic").first()
            if seat is None:
                raise WorkshopError(_("This person has no seat in this plan."))
            if target is None:
                raise WorkshopError(
                    _("There is no table %(table)d in this plan.") % {"table": table}
                )
            before = seat.table
            seat.table, seat.topic = table, target.topic
            ranking = _ranking_slugs(plan.hall.convention, [participant]).get(
                str(participant.pk), []
            )
            seat.rank = (
                ranking.index(target.topic.slug) + 1 if target.topic.slug in ranking else None
            )
            seat.save(update_fields=["table", "topic", "rank"])
        else:
            seat = plan.seats.select_for_update().filter(participant=participant, step=step).first()
            if seat is None:
                raise WorkshopError(_("This person has no seat at step %(step)d.") % {"step": step})
            target = plan.seats.filter(step=step, table=table).first()
            if target is None:
                raise WorkshopError(
                    _("There is no table %(table)d at step %(step)d.")
                    % {"table": table, "step": step}
                )
            if target.part != seat.part:
                raise WorkshopError(
                    _(
                        "Table %(table)d is in part %(other)d; this person stays in part %(part)d "
                        "so as to work on each campaign once."
                    )
                    % {"table": table, "other": target.part, "part": seat.part}
                )
            before = seat.table
            seat.table = table
            seat.save(update_fields=["table"])
        Plan.objects.filter(pk=plan.pk).update(moves=plan.moves + 1)
        plan.moves += 1
        record(
            "workshops.seat_moved",
            actor=actor,
            obj=plan,
            payload={
                "participant": participant.pk,
                "step": step,
                "from_table": before,
                "to_table": table,
                "plan_status": plan.status,
            },
        )
    refresh_stats(plan)
    return check_plan(plan)


def plan_csv(plan: Plan) -> str:
    """The plan in the format of `pnyx seat` (id,step,part,table,campaign) or `pnyx topics`."""
    buf = io.StringIO()
    w = csvsafe.writer(buf)
    if plan.kind == Plan.Kind.TOPICS:
        w.writerow(["id", "topic", "table"])
        w.writerows(
            plan.topic_seats.values_list("participant_id", "topic__slug", "table").order_by(
                "table", "participant_id"
            )
        )
    else:
        w.writerow(["id", "step", "part", "table", "campaign"])
        w.writerows([s.id, s.step, s.part, s.table, s.campaign] for s in plan_seats(plan))
    return buf.getvalue()


def publish(plan: Plan, actor=None) -> Plan:
    """Publish a plan: it replaces the published plan of its kind; itineraries show it."""
    if plan.status != Plan.Status.DRAFT:
        raise WorkshopError(_("Only a draft plan can be published."))
    with transaction.atomic():
        Plan.objects.select_for_update().filter(pk=plan.pk).first()
        replaced = list(
            Plan.objects.filter(hall=plan.hall, kind=plan.kind, status=Plan.Status.PUBLISHED)
        )
        Plan.objects.filter(pk__in=[p.pk for p in replaced]).update(status=Plan.Status.RETIRED)
        plan.status = Plan.Status.PUBLISHED
        plan.published_at = timezone.now()
        plan.save(update_fields=["status", "published_at"])
        numbers = set(
            plan.seats.values_list("table", flat=True).order_by().distinct()
            if plan.kind == Plan.Kind.HALL
            else plan.topic_seats.values_list("table", flat=True).order_by().distinct()
        )
        known = set(plan.hall.tables.values_list("number", flat=True))
        Table.objects.bulk_create(
            [Table(hall=plan.hall, number=n) for n in sorted(numbers - known)]
        )
        problems = check_plan(plan)
        content = plan_csv(plan)
        record(
            "workshops.plan_published",
            actor=actor,
            obj=plan,
            payload={
                "kind": plan.kind,
                "seed": plan.seed,
                "remix": plan.remix,
                "rotation": plan.rotation,
                "stats": plan.stats,
                "manual_moves": plan.moves,
                "violations": len(problems),
                "replaces": [p.pk for p in replaced],
                "plan_sha256": hashlib.sha256(content.encode()).hexdigest(),
            },
            inputs_digest=plan.inputs_digest,
        )
    return plan


def published_plan(hall: Hall, kind: str = Plan.Kind.HALL) -> Plan | None:
    return Plan.objects.filter(hall=hall, kind=kind, status=Plan.Status.PUBLISHED).first()


# --- topics (day 2) ------------------------------------------------------------------------


def save_ranking(member: Member, convention: Convention, topics: Sequence[Topic]) -> TopicRanking:
    """Record a member's ranking of the topics (first choice first, each topic once)."""
    ids = [t.pk for t in topics]
    if len(set(ids)) != len(ids):
        raise WorkshopError(_("Rank each topic only once."))
    if any(t.convention_id != convention.pk for t in topics):
        raise WorkshopError(_("This topic belongs to another convention."))
    ranking, _created = TopicRanking.objects.update_or_create(
        convention=convention, member=member, defaults={"ranking": ids}
    )
    return ranking


def _ranking_slugs(convention: Convention, people: Sequence[Participant]) -> dict[str, list[str]]:
    slugs = dict(Topic.objects.filter(convention=convention).values_list("pk", "slug"))
    member_to_pid = {p.member_id: str(p.pk) for p in people}
    out: dict[str, list[str]] = {}
    for member_id, ranking in TopicRanking.objects.filter(
        convention=convention, member_id__in=member_to_pid
    ).values_list("member_id", "ranking"):
        out[member_to_pid[member_id]] = [slugs[t] for t in ranking if t in slugs]
    return out


def run_topic_plan(hall: Hall, actor=None) -> Plan:
    """Topic tables for all participants from their rankings (`pnyx.seating.assign_topics`)."""
    convention = hall.convention
    topics = list(convention.topics.order_by("order", "name"))
    if not topics:
        raise WorkshopError(_("The convention has no topic."))
    people_qs = list(participants(convention))
    if not people_qs:
        raise WorkshopError(_("There is no participant yet."))
    people = engine.people_for(people_qs, _year(convention))
    prefs = _ranking_slugs(convention, people_qs)
    rules = engine.rules_for(hall, remix=False)
    names = [t.slug for t in topics]
    try:
        result = seating.assign_topics(
            people,
            prefs,
            names,
            hall.table_min,
            hall.table_max,
            max_share=hall.topic_max_share,
            rules=rules,
            seed=hall.seed,
        )
    except seating.SeatingError as e:
        raise WorkshopError(str(e)) from e
    stats = seating.topic_stats(result, prefs).as_dict()
    stats["rankings"] = len(prefs)
    by_slug = {t.slug: t for t in topics}
    with transaction.atomic():
        plan = Plan.objects.create(
            hall=hall,
            kind=Plan.Kind.TOPICS,
            seed=hall.seed,
            stats=stats,
            inputs_digest=engine.digest(
                people, sorted(prefs.items()), names, hall.table_min, hall.table_max, hall.seed
            ),
            created_by=_actor_label(actor),
        )
        TopicSeat.objects.bulk_create(
            [
                TopicSeat(
                    plan=plan,
                    participant_id=int(s.id),
                    topic=by_slug[s.topic],
                    table=s.table,
                    rank=s.rank,
                )
                for s in result.seats
            ],
            batch_size=2000,
        )
    return plan


# --- tables and their outputs --------------------------------------------------------------


def revoke_table(table: Table, actor=None) -> Table:
    """A new QR code for the table: the printed one stops working."""
    Table.objects.filter(pk=table.pk).update(version=table.version + 1)
    table.refresh_from_db()
    record(
        "workshops.table_code_revoked",
        actor=actor,
        obj=table,
        payload={"table": table.number, "version": table.version},
    )
    return table


def table_work(table: Table) -> list[dict]:
    """What the table works on in the published plans: one entry per step, then the topic."""
    hall = table.hall
    out: list[dict] = []
    plan = published_plan(hall)
    if plan is not None:
        steps = {s.number: s for s in hall.steps.select_related("item")}
        rows = (
            plan.seats.filter(table=table.number)
            .values_list("step", "part", "campaign")
            .distinct()
            .order_by("step")
        )
        campaigns = {c.pk: c for c in Campaign.objects.filter(convention=hall.convention)}
        for number, part, campaign in rows:
            if number not in steps:
                continue
            out.append(
                {
                    "step": steps[number],
                    "part": part,
                    "campaign": campaigns[campaign],
                    "topic": None,
                    "fields": PURPOSE_FIELDS[steps[number].purpose],
                }
            )
    tplan = published_plan(hall, Plan.Kind.TOPICS)
    if tplan is not None:
        seat = tplan.topic_seats.filter(table=table.number).select_related("topic").first()
        if seat is not None:
            out.append(
                {
                    "step": None,
                    "part": None,
                    "campaign": None,
                    "topic": seat.topic,
                    "fields": PURPOSE_FIELDS["topic"],
                }
            )
    return out


def submit_output(
    table: Table,
    data: dict,
    step: Step | None = None,
    topic: Topic | None = None,
    facilitator: str = "",
) -> Output:
    """Store (or replace) the table's output for a step or its topic; journaled."""
    work = table_work(table)
    entry = next(
        (
            w
            for w in work
            if (step is not None and w["step"] == step)
            or (topic is not None and w["topic"] == topic)
        ),
        None,
    )
    if entry is None or (step is None) == (topic is None):
        raise WorkshopError(_("This table has no such step or topic in the published plan."))
    fields = {f: (data.get(f) or "").strip() for f in entry["fields"]}
    if not any(fields.values()):
        raise WorkshopError(_("The output is empty."))
    key = {"hall": table.hall, "table": table.number}
    key.update({"step": step} if step is not None else {"topic": topic})
    with transaction.atomic():
        output, created = Output.objects.update_or_create(
            **key,
            defaults={
                **fields,
                "campaign": entry["campaign"],
                "facilitator": facilitator.strip()[:150],
            },
        )
        text = "\n".join(f"{k}={v}" for k, v in sorted(fields.items()))
        record(
            "workshops.output_received",
            actor=f"table:{table.number}",
            obj=output,
            payload={
                "table": table.number,
                "step": step.number if step else None,
                "topic": topic.slug if topic else None,
                "campaign": entry["campaign"].slug if entry["campaign"] else None,
                "replaces_previous": not created,
                "sha256": hashlib.sha256(text.encode()).hexdigest(),
            },
        )
    return output


# --- printable documents (badges, table cards), generated by a background task --------------

#: A generation still "running" after this long is taken as abandoned (its worker died).
DOCUMENT_TIMEOUT = dt.timedelta(minutes=30)


def _document_target(hall: Hall, kind: str, params: dict):
    """(plan, participants or None) that a document of `kind` with `params` is made from; a
    WorkshopError names what is missing or wrong."""
    if kind == Document.Kind.TABLE_CARDS:
        plan = Plan.objects.filter(hall=hall, pk=params.get("plan")).first()
        if plan is None:
            raise WorkshopError(_("There is no such plan."))
        step = params.get("step")
        if step is not None and (
            plan.kind != Plan.Kind.HALL or not plan.seats.filter(step=step).exists()
        ):
            raise WorkshopError(_("This plan has no step %(step)s.") % {"step": step})
        return plan, None
    if kind == Document.Kind.SYNTHESIS:
        from .review import latest_run

        slugs = {c.slug for c in hall.campaign_list()}
        slugs |= {f"topic:{t.slug}" for t in hall.convention.topics.all()}
        if params.get("campaign") not in slugs:
            raise WorkshopError(_("There is no such campaign in the hall."))
        if latest_run(hall) is None:
            raise WorkshopError(_("The synthesis has not been computed yet."))
        return None, None
    if kind != Document.Kind.BADGES:
        raise WorkshopError(_("Unknown kind of document."))
    people = Participant.objects.filter(convention=hall.convention)
    part = params.get("part")
    if part is not None:
        plan = published_plan(hall)
        if plan is None:
            raise WorkshopError(_("No published plan yet."))
        if not 1 <= part <= hall.parts:
            raise WorkshopError(
                _("The hall has parts 1 to %(n)d, not %(part)s.") % {"n": hall.parts, "part": part}
            )
        people = people.filter(pk__in=plan.seats.filter(part=part, step=1).values("participant_id"))
    return None, people


def document_key(kind: str, params: dict) -> str:
    return kind + "".join(f";{k}={params[k]}" for k in sorted(params))


def current_source_digest(document: Document) -> str | None:
    """The digest of what `document` would be made from today (None: it cannot be made)."""
    try:
        plan, people = _document_target(document.hall, document.kind, document.params)
    except WorkshopError:
        return None
    if document.kind == Document.Kind.SYNTHESIS:
        from .review import final_digest

        return final_digest(document.hall, document.params["campaign"])
    ids = None if people is None else people.values("pk")
    return pdf.source_digest(document.hall, document.kind, plan, ids)


def request_document(hall: Hall, kind: str, params: dict, *, actor=None) -> tuple[Document, bool]:
    """Queue the generation of a document; (document, True when a generation was started).

    While one generation of the same kind and parameters is queued or running, asking again
    returns it and starts nothing."""
    from .tasks import document_task

    params = {k: v for k, v in params.items() if v is not None}
    _document_target(hall, kind, params)  # refuse what cannot be made, before queuing it
    key = document_key(kind, params)
    now = timezone.now()
    with transaction.atomic():
        Hall.objects.select_for_update().filter(pk=hall.pk).first()
        Document.objects.filter(
            hall=hall,
            key=key,
            status=Document.Status.RUNNING,
            started_at__lt=now - DOCUMENT_TIMEOUT,
        ).update(status=Document.Status.FAILED, error=_("The worker stopped before the end."))
        running = Document.objects.filter(
            hall=hall, key=key, status__in=[Document.Status.QUEUED, Document.Status.RUNNING]
        ).first()
        if running is not None:
            return running, False
        doc = Document.objects.create(
            hall=hall,
            kind=kind,
            params=params,
            key=key,
            requested_by=_actor_label(actor),
            requested_at=now,
        )
        record(
            "workshops.document_requested",
            actor=actor,
            obj=doc,
            payload={"kind": kind, "params": params},
        )

        def enqueue() -> None:
            result = document_task.enqueue(doc.pk)
            Document.objects.filter(pk=doc.pk).update(task_id=str(result.id)[:100])

        transaction.on_commit(enqueue)
    return doc, True


def generate_document(document_id: int) -> Document:
    """Render a queued document into its stored file, batch by batch, with its progress;
    called by the background task. A failure is kept on the document (status FAILED)."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from .queries import itineraries

    with transaction.atomic():
        doc = (
            Document.objects.select_for_update()
            .select_related("hall__convention")
            .get(pk=document_id)
        )
        if doc.status != Document.Status.QUEUED:
            return doc
        doc.status, doc.started_at = Document.Status.RUNNING, timezone.now()
        doc.save(update_fields=["status", "started_at"])
    hall = doc.hall
    try:
        plan, people = _document_target(hall, doc.kind, doc.params)
        if doc.kind == Document.Kind.SYNTHESIS:
            from .review import final_digest, final_synthesis

            items = [final_synthesis(hall, doc.params["campaign"])]
            digest = final_digest(hall, doc.params["campaign"])
        elif people is not None:
            digest = pdf.source_digest(hall, doc.kind, None, people.values("pk"))
            ordered = people.select_related("member").order_by(
                "member__last_name", "member__first_name", "pk"
            )
            items = itineraries(hall, list(ordered))
        else:
            items = pdf.table_card_items(plan, doc.params.get("step"))
            digest = pdf.source_digest(hall, doc.kind, plan)
        running = Document.objects.filter(pk=doc.pk, status=Document.Status.RUNNING)
        running.update(total=len(items))

        def progress(done: int, total: int) -> None:
            running.update(done=done, total=total)

        content, pages = pdf.render(doc.kind, hall, items, plan, progress=progress)
        name = default_storage.save(
            f"workshops/documents/{doc.pk}-{uuid.uuid4().hex}.pdf", ContentFile(content)
        )
    except Exception as exc:  # kept for the organizer, then re-raised for the worker's log
        Document.objects.filter(pk=doc.pk).update(
            status=Document.Status.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
        )
        raise
    older = list(
        Document.objects.filter(hall=hall, key=doc.key, status=Document.Status.DONE).exclude(
            pk=doc.pk
        )
    )
    finished = running.update(
        status=Document.Status.DONE,
        file=name,
        pages=pages,
        size=len(content),
        done=len(items),
        total=len(items),
        source_digest=digest,
        finished_at=timezone.now(),
    )
    if not finished:  # given up as abandoned meanwhile (DOCUMENT_TIMEOUT): a newer one runs
        default_storage.delete(name)
        older = []
    for old in older:  # only the newest file of each document is kept
        if old.file:
            default_storage.delete(old.file.name)
        old.delete()
    doc.refresh_from_db()
    return doc
