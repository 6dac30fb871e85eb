"""Hashing rules of the journal chain (also documented in docs/journal.md)."""

import hashlib
import json

GENESIS = "0" * 64


def canonical_json(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def digest(value) -> str:
    """SHA-256 of a value's canonical JSON (for bytes: of the bytes themselves)."""
    if isinstance(value, bytes | bytearray):
        return hashlib.sha256(value).hexdigest()
    return hashlib.sha256(canonical_json(value).encode()).hexdigest()


def entry_hash(
    *,
    seq: int,
    created_at: str,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    payload,
    inputs_digest: str,
    prev_hash: str,
) -> str:
    body = {
        "seq": seq,
        "created_at": created_at,
        "actor": actor,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "payload": payload,
        "inputs_digest": inputs_digest,
        "prev_hash": prev_hash,
    }
    return hashlib.sha256(canonical_json(body).encode()).hexdigest()
