"""Amending a text of articles: the original articles and the adopted amendments, in their
voting order, give the adopted text and its history. Pure: no Django, plain data in and out.

An article has a stable ``key`` (``a1``, ``a2``… at import; an added article takes the key of
the amendment that added it) and belongs to a section (the heading above it). Its *number* is
only its position in a text, and changes when articles are added or deleted.

Rules (docs/charter.md, "Rebuild"):

1. Amendments apply one after the other, in the order given (the voting order).
2. ``replace`` gives the article a new wording; a later amendment to the same article applies
   to that new wording (the last adopted wording stays).
3. ``add_after`` inserts a new article, in the target's section, after the target and after
   the articles already added after it (and after those added after them): two articles
   added after the same article keep their voting order. An added article can itself be
   amended, deleted, or have articles added after it.
4. ``delete`` removes the article.
5. An amendment whose target is not in the text at its turn is *skipped* and the history says
   why: the article was deleted by an earlier amendment (``deleted``, naming it), or it does not
   exist (``unknown``: e.g. an article that a skipped amendment would have added).

Every article of the result is traceable: ``origin`` is the key of an original article or
the amendment that added it, ``amended_by`` the amendments that changed its wording.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "ADD_AFTER",
    "DELETE",
    "KINDS",
    "REPLACE",
    "Amendment",
    "AmendingError",
    "Article",
    "Change",
    "Rebuilt",
    "rebuild",
]

REPLACE = "replace"
ADD_AFTER = "add_after"
DELETE = "delete"
KINDS = (REPLACE, ADD_AFTER, DELETE)

Kind = Literal["replace", "add_after", "delete"]


class AmendingError(ValueError):
    """Input that cannot be amended (duplicate keys, an amendment without its text...)."""


@dataclass(frozen=True)
class Article:
    key: str
    section: str
    text: str
    #: The key of the original article, or of the amendment that added this one.
    origin: str = ""
    #: The amendments that changed this article's wording, in order.
    amended_by: tuple[str, ...] = ()

    def __post_init__(self):
        if not self.origin:
            object.__setattr__(self, "origin", self.key)


@dataclass(frozen=True)
class Amendment:
    """``key`` names the amendment (and the article it adds); ``target`` is an article key."""

    key: str
    kind: Kind
    target: str
    text: str = ""


@dataclass(frozen=True)
class Change:
    """What one amendment did. ``applied`` False: skipped, ``reason`` says why."""

    amendment: str
    kind: Kind
    target: str
    applied: bool
    reason: str = ""  # "", "deleted", "unknown"
    #: The amendment that deleted the target (reason "deleted").
    deleted_by: str = ""
    before: str | None = None
    after: str | None = None
    #: The target's number in the text just before this amendment applied (None if skipped).
    number: int | None = None


@dataclass(frozen=True)
class Rebuilt:
    articles: tuple[Article, ...]
    history: tuple[Change, ...]
    #: article key -> the amendment that deleted it.
    deleted: dict[str, str] = field(default_factory=dict)

    def number_of(self, key: str) -> int | None:
        for i, a in enumerate(self.articles, 1):
            if a.key == key:
                return i
        return None


def _check(articles: Sequence[Article], amendments: Sequence[Amendment]) -> None:
    keys = [a.key for a in articles]
    if len(set(keys)) != len(keys):
        raise AmendingError("two articles share a key")
    seen = set(keys)
    for am in amendments:
        if am.kind not in KINDS:
            raise AmendingError(f"amendment {am.key}: unknown kind {am.kind!r}")
        if am.kind != DELETE and not am.text.strip():
            raise AmendingError(f"amendment {am.key}: a {am.kind} needs a text")
        if am.kind == ADD_AFTER and am.key in seen:
            raise AmendingError(f"amendment {am.key}: its key is already an article's key")
        seen.add(am.key)


def rebuild(articles: Iterable[Article], amendments: Iterable[Amendment]) -> Rebuilt:
    """The text after applying `amendments` (adopted ones, in voting order) to `articles`."""
    text = list(articles)
    amendments = list(amendments)
    _check(text, amendments)
    #: added article key -> the article it was added after
    anchor: dict[str, str] = {}
    deleted: dict[str, str] = {}
    history: list[Change] = []
    for am in amendments:
        index = next((i for i, a in enumerate(text) if a.key == am.target), None)
        if index is None:
            reason = "deleted" if am.target in deleted else "unknown"
            history.append(
                Change(
                    am.key,
                    am.kind,
                    am.target,
                    applied=False,
                    reason=reason,
                    deleted_by=deleted.get(am.target, ""),
                )
            )
            continue
        target = text[index]
        number = index + 1
        if am.kind == REPLACE:
            text[index] = Article(
                target.key,
                target.section,
                am.text,
                origin=target.origin,
                amended_by=(*target.amended_by, am.key),
            )
            history.append(
                Change(
                    am.key,
                    am.kind,
                    am.target,
                    True,
                    before=target.text,
                    after=am.text,
                    number=number,
                )
            )
        elif am.kind == DELETE:
            del text[index]
            deleted[target.key] = am.key
            history.append(
                Change(am.key, am.kind, am.target, True, before=target.text, number=number)
            )
        else:  # ADD_AFTER
            position = index + 1
            followers = {target.key}
            while position < len(text) and anchor.get(text[position].key) in followers:
                followers.add(text[position].key)
                position += 1
            text.insert(position, Article(am.key, target.section, am.text, origin=am.key))
            anchor[am.key] = target.key
            history.append(Change(am.key, am.kind, am.target, True, after=am.text, number=number))
    return Rebuilt(tuple(text), tuple(history), deleted)
