"""Append to the journal and verify it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC

from django.db import transaction
from django.utils import timezone

from .chain import GENESIS, canonical_json, entry_hash
from .events import check as check_event
from .models import JournalEntry, JournalHead


def _actor_label(actor) -> str:
    if actor is None:
        return "system"
    if isinstance(actor, str):
        return actor
    username = getattr(actor, "get_username", None)
    if username is not None:
        return f"user:{actor.get_username()}"
    return str(actor)


def _timestamp(dt) -> str:
    return dt.astimezone(UTC).isoformat(timespec="microseconds")


def _as_stored(value):
    """A payload value as every database gives it back, so that the hash verifies later.

    PostgreSQL's jsonb keeps numbers as decimals: a float of magnitude 10^16 or more (always a
    whole number) comes back as an integer, and -0.0 as 0.0. Both are normalised before
    hashing, on every database alike; NaN and infinities, which jsonb refuses, are refused.
    """
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"journal payloads hold finite numbers only, not {value}")
        if abs(value) >= 1e16:
            return int(value)
        return value + 0.0  # -0.0 becomes 0.0
    if isinstance(value, dict):
        return {k: _as_stored(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_stored(v) for v in value]
    return value


def record(
    action: str, *, actor=None, obj=None, payload=None, inputs_digest: str = ""
) -> JournalEntry:
    """Append one entry. Runs in its own atomic block and serialises appends on the head row.
    `action` must be a name of the registry (`pnyx.journal.events.EVENTS`)."""
    check_event(action)
    payload = payload or {}
    # Round-trip through canonical JSON so that what is hashed is exactly what is stored.
    payload = _as_stored(json.loads(canonical_json(payload)))
    object_type = obj._meta.label_lower if obj is not None else ""
    object_id = str(obj.pk) if obj is not None else ""
    with transaction.atomic():
        head = JournalHead.objects.select_for_update().filter(id=1).first()
        if head is None:  # only after a flush wiped the row the migration created
            JournalHead.objects.get_or_create(id=1, defaults={"seq": 0, "hash": GENESIS})
            head = JournalHead.objects.select_for_update().get(id=1)
        now = timezone.now()
        fields = dict(
            seq=head.seq + 1,
            created_at=_timestamp(now),
            actor=_actor_label(actor),
            action=action,
            object_type=object_type,
            object_id=object_id,
            payload=payload,
            inputs_digest=inputs_digest,
            prev_hash=head.hash,
        )
        h = entry_hash(**fields)
        entry = JournalEntry(**{**fields, "created_at": now}, hash=h)
        entry.save()
        JournalHead.objects.filter(id=1).update(seq=entry.seq, hash=h)
    return entry


@dataclass
class VerifyResult:
    ok: bool
    entries: int
    head_hash: str
    problems: list[str]


def verify(expected_head: str | None = None) -> VerifyResult:
    """Recompute the whole chain. Detects edited rows, deleted rows and a moved head."""
    problems: list[str] = []
    prev_hash = GENESIS
    expected_seq = 1
    count = 0
    for e in JournalEntry.objects.order_by("seq").iterator(chunk_size=2000):
        count += 1
        if e.seq != expected_seq:
            problems.append(
                f"entry #{expected_seq} to #{e.seq - 1} missing (deleted rows)"
                if e.seq > expected_seq
                else f"entry #{e.seq} out of order"
            )
        if e.prev_hash != prev_hash:
            problems.append(f"entry #{e.seq}: previous hash does not match entry before it")
        recomputed = entry_hash(
            seq=e.seq,
            created_at=_timestamp(e.created_at),
            actor=e.actor,
            action=e.action,
            object_type=e.object_type,
            object_id=e.object_id,
            payload=e.payload,
            inputs_digest=e.inputs_digest,
            prev_hash=e.prev_hash,
        )
        if recomputed != e.hash:
            problems.append(
                f"entry #{e.seq} ({e.action}): content does not match its hash (edited)"
            )
        prev_hash = e.hash
        expected_seq = e.seq + 1
    head = JournalHead.objects.filter(id=1).first()
    if head is not None and (head.seq != expected_seq - 1 or head.hash != prev_hash):
        problems.append(
            f"journal head says #{head.seq} {head.hash[:12]}…, chain ends at #{expected_seq - 1} "
            f"{prev_hash[:12]}… (rows deleted at the end, or head edited)"
        )
    if expected_head is not None and expected_head != prev_hash:
        problems.append(f"chain ends at {prev_hash}, expected published head {expected_head}")
    return VerifyResult(ok=not problems, entries=count, head_hash=prev_hash, problems=problems)


@dataclass
class Head:
    """The journal's head as published: how many entries, and the last one's hash."""

    seq: int
    hash: str
    at: object = None  # datetime of the last entry, or None for an empty journal


def head() -> Head:
    """The head to publish (GENESIS and 0 for an empty journal)."""
    row = JournalHead.objects.filter(id=1).first()
    if row is None or row.seq == 0:
        return Head(seq=0, hash=GENESIS)
    last = JournalEntry.objects.filter(seq=row.seq).values_list("created_at", flat=True).first()
    return Head(seq=row.seq, hash=row.hash, at=last)


def export_line(e: JournalEntry) -> str:
    """One entry as one line of the export: the canonical JSON of its ten fields."""
    return canonical_json(
        {
            "seq": e.seq,
            "created_at": _timestamp(e.created_at),
            "actor": e.actor,
            "action": e.action,
            "object_type": e.object_type,
            "object_id": e.object_id,
            "payload": e.payload,
            "inputs_digest": e.inputs_digest,
            "prev_hash": e.prev_hash,
            "hash": e.hash,
        }
    )


def export(out) -> int:
    """Write the whole journal as JSONL (docs/journal.md) to a text stream; returns the count.

    Reads in one transaction so that the file is a consistent prefix of the chain even while
    others append.
    """
    n = 0
    with transaction.atomic():
        for e in JournalEntry.objects.order_by("seq").iterator(chunk_size=2000):
            out.write(export_line(e) + "\n")
            n += 1
    return n


def save_and_record(obj, *, actor, event: str, snapshot, m2m=None, redact=()):
    """Save `obj` (created or changed) with its many-to-many links (`m2m`: field name ->
    objects) and journal `<event>_created` or `<event>_changed` with the fields that changed,
    as `snapshot(obj)` gives them; fields in `redact` are journaled as "changed" only. Saving
    without a change writes nothing. The caller runs its own checks first, in its transaction."""
    created = obj._state.adding or obj.pk is None
    with transaction.atomic():
        before = {} if created else snapshot(type(obj).objects.get(pk=obj.pk))
        obj.save()
        for name, values in (m2m or {}).items():
            getattr(obj, name).set(values)
        after = snapshot(obj)
        changes = {k: v for k, v in after.items() if created or before.get(k) != v}
        changes.pop("id", None)
        for name in redact:
            if name in changes:
                changes[name] = "changed"
        if created or changes:
            record(
                f"{event}_{'created' if created else 'changed'}",
                actor=actor,
                obj=obj,
                payload={"changes": changes},
            )
    return obj
