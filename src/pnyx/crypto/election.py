"""The ``election`` structure of Belenios 2.0 (specification, section "Elections"), restricted
to homomorphic questions (section "Questions", "Homomorphic questions").

``make`` writes the exact JSON text belenios-tool writes (``make-election``): fields in the
order ``version, description, name, group, public_key, questions, uuid`` and, per question,
``answers, blank (only when true), min, max, question``; compact (no spaces), strings escaped as
Yojson does (``"``, ``\\``, control characters; non-ASCII written as UTF-8).

The election's hash (its *fingerprint* φ, section "Ballots") is ``sha256_b64`` of the exact
text: SHA-256, Base64 with the standard alphabet, without padding. It is computed from the text
as received, never from a re-serialisation.

RISTRETTO255 elections: the same structure with ``"group": "RISTRETTO255"`` and the public key
as 64 lowercase hexadecimal digits (see ``groups``).
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from dataclasses import dataclass
from typing import Any

from pnyx.crypto import groups
from pnyx.crypto.groups import Group

BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


class InvalidElection(ValueError):
    """An election text that is not a Belenios v1 election Pnyx can run."""


def sha256_b64(text: str | bytes) -> str:
    """Belenios's ``Hash_JSON`` (section "Ballots"): Base64 of SHA-256, without padding."""
    if isinstance(text, str):
        text = text.encode()
    return base64.b64encode(hashlib.sha256(text).digest()).decode().rstrip("=")


def jstr(s: str) -> str:
    """A JSON string as Yojson writes it (also escapes DEL, which Python's json does not)."""
    return json.dumps(s, ensure_ascii=False).replace("\x7f", "\\u007f")


def new_uuid(length: int = 14) -> str:
    """A fresh election identifier: ``length`` (≥ 14) random Base58 characters, as
    ``belenios-tool setup generate-token``."""
    if length < 14:
        raise ValueError("a Belenios uuid has at least 14 characters")
    return "".join(secrets.choice(BASE58) for _ in range(length))


@dataclass(frozen=True)
class Question:
    """A homomorphic question (``question_h``). Also readable as a mapping
    (``q["answers"]``, ``q.get("blank")``) like the dicts given to ``make``."""

    question: str
    answers: tuple[str, ...]
    min: int
    max: int
    blank: bool = False

    @property
    def length(self) -> int:
        """Number of ciphertexts in an answer: one per answer, plus a leading one when blank
        votes are allowed."""
        return len(self.answers) + (1 if self.blank else 0)

    def __getitem__(self, key: str) -> Any:
        if key not in ("question", "answers", "min", "max", "blank"):
            raise KeyError(key)
        v = getattr(self, key)
        return list(v) if key == "answers" else v

    def get(self, key: str, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default

    def to_json(self) -> str:
        parts = ['"answers":[' + ",".join(jstr(a) for a in self.answers) + "]"]
        if self.blank:
            parts.append('"blank":true')
        parts.append(f'"min":{self.min}')
        parts.append(f'"max":{self.max}')
        parts.append('"question":' + jstr(self.question))
        return "{" + ",".join(parts) + "}"


def _is_int(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _question(d: Any) -> Question:
    if isinstance(d, Question):
        return d
    if not isinstance(d, dict):
        raise InvalidElection("a question is not an object")
    if "type" in d or "value" in d:
        raise InvalidElection("only homomorphic questions are supported")
    answers = d.get("answers")
    if not isinstance(answers, list | tuple) or not all(isinstance(a, str) for a in answers):
        raise InvalidElection("answers must be a list of strings")
    text = d.get("question")
    if not isinstance(text, str):
        raise InvalidElection("question must be a string")
    mn, mx = d.get("min"), d.get("max")
    if not (_is_int(mn) and _is_int(mx)):
        raise InvalidElection("min and max must be integers")
    blank = d.get("blank", False)
    if blank is None:
        blank = False
    if not isinstance(blank, bool):
        raise InvalidElection("blank must be a boolean")
    if not (0 <= mn <= mx <= len(answers)) or not answers:
        raise InvalidElection(f"need 0 <= min <= max <= number of answers ({text!r:.40})")
    extra = set(d) - {"answers", "question", "min", "max", "blank"}
    if extra:
        raise InvalidElection(f"unknown question fields: {sorted(extra)}")
    return Question(question=text, answers=tuple(answers), min=mn, max=mx, blank=blank)


def make(
    *,
    uuid: str,
    group: str | Group,
    public_key: Any,
    questions: list[dict],
    name: str,
    description: str,
) -> str:
    """The exact JSON text of a Belenios ``election`` (version 1). ``public_key`` is the
    election key, an element or its text form; ``questions`` are dicts
    ``{question, answers, min, max, blank?}``."""
    gr = groups.get(group) if isinstance(group, str) else group
    if len(uuid) < 14 or any(c not in BASE58 for c in uuid):
        raise InvalidElection("uuid must be at least 14 Base58 characters")
    pk = public_key if isinstance(public_key, str) else gr.to_str(public_key)
    gr.from_str(pk)  # membership
    qs = [_question(q) for q in questions]
    if not qs:
        raise InvalidElection("an election needs at least one question")
    return (
        '{"version":1,"description":'
        + jstr(description)
        + ',"name":'
        + jstr(name)
        + ',"group":'
        + jstr(gr.name)
        + ',"public_key":'
        + jstr(pk)
        + ',"questions":['
        + ",".join(q.to_json() for q in qs)
        + '],"uuid":'
        + jstr(uuid)
        + "}"
    )


class Election:
    """A parsed election. ``.text`` is the exact text, ``.hash`` its fingerprint φ."""

    def __init__(self, text: str):
        try:
            d = json.loads(text)
        except (ValueError, TypeError) as e:
            raise InvalidElection(f"not JSON: {e}") from None
        if not isinstance(d, dict) or d.get("version") != 1:
            raise InvalidElection("not a version 1 election")
        try:
            self.group: Group = groups.get(d.get("group"))
            self.public_key = self.group.from_str(d.get("public_key"))
        except groups.GroupError as e:
            raise InvalidElection(str(e)) from None
        uuid = d.get("uuid")
        if not isinstance(uuid, str) or len(uuid) < 14 or any(c not in BASE58 for c in uuid):
            raise InvalidElection("uuid must be at least 14 Base58 characters")
        qs = d.get("questions")
        if not isinstance(qs, list) or not qs:
            raise InvalidElection("questions must be a non-empty list")
        self.text = text
        self.uuid: str = uuid
        self.name = d.get("name")
        self.description = d.get("description")
        self.administrator = d.get("administrator")
        self.credential_authority = d.get("credential_authority")
        self.questions: list[Question] = [_question(q) for q in qs]
        self.public_key_str: str = d["public_key"]
        self.hash: str = sha256_b64(text)
        self._ctx = None

    @classmethod
    def from_json(cls, text: str) -> Election:
        return cls(text)

    def __getstate__(self) -> dict:  # picklable (for worker processes): the text only
        return {"text": self.text}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["text"])

    @property
    def ctx(self):
        """The arithmetic context of ``proofs`` (fixed-base tables for g and y), built once."""
        if self._ctx is None:
            from pnyx.crypto.proofs import Ctx

            self._ctx = Ctx(self.group, self.public_key)
        return self._ctx

    def __repr__(self) -> str:
        return f"<Election {self.uuid} {self.group.name} {len(self.questions)} questions>"


def parse(election: str | Election) -> Election:
    """An ``Election`` from its text (or itself)."""
    return election if isinstance(election, Election) else Election(election)
