"""Voters' credentials (Belenios 2.0 specification, section "Credentials").

A private credential is 15 Base58 characters, 14 random ones and a checksum (53 - c mod 53,
c the big-endian base-58 value of the first 14), printed ``XXX-XXX-XXX-XXX-XXX`` as
belenios-tool does. The signing key is ``secret(c)`` = PBKDF2-HMAC-SHA256(password = c as
printed, salt = the election uuid, 1000 iterations, 32 bytes) as a big-endian number mod q; the
public credential is ``g^secret(c)`` in the group's text form (base 10 for BELENIOS-2048, 64 hex
digits for RISTRETTO255). Weights are not used by Pnyx: public credentials are bare elements.
"""

from __future__ import annotations

import hashlib
import secrets

from pnyx.crypto import groups
from pnyx.crypto.election import BASE58, sha256_b64
from pnyx.crypto.groups import Group

TOKEN_LENGTH = 14


def _group(group: str | Group) -> Group:
    return groups.get(group) if isinstance(group, str) else group


def _value(chars: str) -> int | None:
    n = 0
    for c in chars:
        i = BASE58.find(c)
        if i < 0:
            return None
        n = 58 * n + i
    return n


def format_token(raw: str) -> str:
    return "-".join(raw[i : i + 3] for i in range(0, 15, 3))


def new_private() -> str:
    """A fresh private credential, ``XXX-XXX-XXX-XXX-XXX`` with its checksum."""
    raw = "".join(secrets.choice(BASE58) for _ in range(TOKEN_LENGTH))
    checksum = 53 - _value(raw) % 53
    return format_token(raw + BASE58[checksum])


def check(cred: str) -> bool:
    """Whether ``cred`` is well formed with a right checksum (either printed form)."""
    if len(cred) == 19:
        if any(cred[i] != "-" for i in (3, 7, 11, 15)):
            return False
        cred = cred.replace("-", "")
    if len(cred) != 15:
        return False
    n, c = _value(cred[:14]), BASE58.find(cred[14])
    return n is not None and c >= 0 and (n + c) % 53 == 0


def derive(uuid: str, group: str | Group, cred: str) -> int:
    """``secret(c)``, the signing key of credential ``cred`` for election ``uuid``."""
    gr = _group(group)
    d = hashlib.pbkdf2_hmac("sha256", cred.encode(), uuid.encode(), 1000, 32)
    return int.from_bytes(d, "big") % gr.q


def public(uuid: str, group: str | Group, cred: str) -> str:
    """The public credential ``g^secret(c)``, as written in ``public_creds.json``."""
    gr = _group(group)
    return gr.to_str(gr.g_pow(derive(uuid, gr, cred)))


def generate(uuid: str, group_name: str | Group, count: int) -> list[tuple[str, str]]:
    """``count`` fresh (private credential, public credential) pairs for election ``uuid``."""
    out = []
    for _ in range(count):
        c = new_private()
        out.append((c, public(uuid, group_name, c)))
    return out


def public_credentials_json(public_creds: list[str]) -> str:
    """The ``public_credentials`` JSON text: a compact list of strings, in the order given."""
    return "[" + ",".join('"' + p + '"' for p in public_creds) + "]"


def fingerprint(public_creds_json_text: str) -> str:
    """The fingerprint belenios-tool prints: ``sha256_b64`` of the public credentials text."""
    return sha256_b64(public_creds_json_text)
