"""The tie notes of a stored `pnyx.tally` result, in the reader's language and with the options'
titles. The pure tally writes its notes in English with option codes (they are part of the
published, recomputable result); this module only renders them. A note of an unknown shape is
shown as it is, its codes replaced by titles."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from django.utils.translation import gettext as _

_LIST_SPLIT = ", "


def _what(text: str) -> str:
    """The counted quantity or the stage a tie is about."""
    fixed = {"approvals": _("approvals"), "Schulze wins": _("Schulze wins")}
    if text in fixed:
        return fixed[text]
    m = re.fullmatch(r"(round|stage) (\d+) (exclusion|surplus)", text)
    if m:
        n = int(m.group(2))
        if m.group(3) == "surplus":
            return _("surplus at stage %(n)d") % {"n": n}
        if m.group(1) == "round":
            return _("exclusion in round %(n)d") % {"n": n}
        return _("exclusion at stage %(n)d") % {"n": n}
    return text


def _patterns() -> list[tuple[re.Pattern, Callable[[dict], str]]]:
    return [
        (
            re.compile(r"(?P<group>.+) tied on (?P<what>.+); placed in this order by the "
                       r"tie-break order"),
            lambda g: _("%(options)s were tied on %(what)s; the tie-break order placed them "
                        "in this order.") % g,
        ),
        (
            re.compile(r"(?P<a>.+) and (?P<b>.+) tied \(margin 0\); (?P<chosen>.+) placed above "
                       r"by the tie-break order"),
            lambda g: _("%(a)s and %(b)s were tied (margin 0); the tie-break order placed "
                        "%(chosen)s above.") % g,
        ),
        (
            re.compile(r"(?P<group>.+) have identical merit profiles; placed in this order by "
                       r"the tie-break order"),
            lambda g: _("%(options)s have identical merit profiles; the tie-break order placed "
                        "them in this order.") % g,
        ),
        (
            re.compile(r"(?P<what>.+): (?P<group>.+) tied; (?P<chosen>.+) chosen by the votes "
                       r"at the latest earlier stage where they differed"),
            lambda g: _("%(what)s: %(options)s were tied; %(chosen)s was chosen by the votes at "
                        "the latest earlier stage where they differed.") % g,
        ),
        (
            re.compile(r"(?P<what>.+): (?P<group>.+) tied at every stage; (?P<chosen>.+) chosen "
                       r"by the tie-break order"),
            lambda g: _("%(what)s: %(options)s were tied at every stage; the tie-break order "
                        "chose %(chosen)s.") % g,
        ),
        (
            re.compile(r"(?P<what>.+): (?P<group>.+) tied; (?P<chosen>.+) chosen by the "
                       r"tie-break order"),
            lambda g: _("%(what)s: %(options)s were tied; the tie-break order chose "
                        "%(chosen)s.") % g,
        ),
    ]  # fmt: skip


def describe(note: str, titles: Mapping[str, str]) -> str:
    """One tie note in words, options named by their titles (in quotes) instead of codes."""

    def name(code: str) -> str:
        code = code.strip()
        return _("“%(title)s”") % {"title": titles[code]} if code in titles else code

    def names(group: str) -> str:
        items = [name(c) for c in group.split(_LIST_SPLIT)]
        if len(items) == 1:
            return items[0]
        return _("%(first)s and %(last)s") % {"first": ", ".join(items[:-1]), "last": items[-1]}

    for pattern, render in _patterns():
        m = pattern.fullmatch(note)
        if m is None:
            continue
        g = m.groupdict()
        parts = {}
        if "group" in g:
            parts["options"] = names(g["group"])
        for key in ("a", "b", "chosen"):
            if key in g:
                parts[key] = name(g[key])
        if "what" in g:
            parts["what"] = _what(g["what"])
        text = render(parts)
        return text[0].upper() + text[1:]
    return re.sub(r"\b[A-Z]\d{2,}\b", lambda m: name(m.group(0)), note)
