"""Cutting texts into idea units, and French-aware normalisation of a unit into terms.

Idea units (`split_ideas`):
1. every line is a unit candidate (tables write one idea per line or per bullet);
2. a leading bullet or number is removed ("-", "*", "•", "–", "1.", "2)", "a)"...);
3. a line is cut again after ";" and inline bullets ("•", "·"), and at the end of a
   sentence (".", "!", "?", "…") followed by a space and a capital letter;
4. pieces are trimmed of spaces and of trailing ",;:" and dropped when they hold no letter
   or digit.

Terms (`terms`): lowercase; "œ"/"æ" spelled out; accents stripped for matching; split on
anything that is not a letter or digit (so apostrophes drop elisions such as "l'", "d'",
"qu'"); French stop words and one-character tokens dropped; then a light stemmer removes
one suffix (`stem`). Each term keeps the written (lowercase, accented) word it came from, to
show labels as people wrote them.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from .stopwords import STOP_WORDS

_BULLET = re.compile(r"^(?:[-*•·–—+>▪◦●○■□➢➤→✓✔]+|\(?\d{1,3}\s?[.)°/-]|\(?[a-zA-Z][.)](?=\s))\s*")
_CUT = re.compile(r"\s*;\s*|\s+[•·]\s+|(?<=[.!?…])\s+(?=[\"«(]?[A-ZÀ-ÖØ-Þ])")
_HAS_WORD = re.compile(r"[^\W_]")
_WORD = re.compile(r"[^\W_]+")


def split_ideas(text: str) -> list[str]:
    """The idea units of `text`, in reading order (see the module's rule)."""
    return [unit for _, unit in numbered_ideas(text)]


def numbered_ideas(text: str) -> list[tuple[int, str]]:
    """(line, unit) for each idea unit of `text`, in reading order: `line` is the 1-based number
    of the line of `text` the unit was written on (two sentences of one line share it)."""
    units: list[tuple[int, str]] = []
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for number, line in enumerate(lines, start=1):
        line = _BULLET.sub("", line.strip(), count=1)
        for piece in _CUT.split(line):
            piece = piece.strip().rstrip(",;:").strip()
            if _HAS_WORD.search(piece):
                units.append((number, piece))
    return units


@lru_cache(maxsize=131072)
def strip_accents(word: str) -> str:
    """`word` lowercased, "œ"/"æ" spelled out, accents removed."""
    word = word.lower().replace("œ", "oe").replace("æ", "ae")
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# Longest suffixes first; `stem` removes the longest one that leaves at least _MIN_STEM letters.
_SUFFIXES: tuple[str, ...] = tuple(
    sorted(
        """
        issements issement atrices ateurs ations atrice ateur ation ements ement
        icites icite ites ite etiques etique iques ique ismes isme istes iste ables able
        ibles ible euses euse eux ives ive ifs if ances ance ences ence ments ment
        aient ait antes ante ants ant ees ee ies ie es er ez e s
        """.split(),
        key=lambda s: (-len(s), s),
    )
)
_MIN_STEM = 3


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light French stem of an accent-free lowercase word: one suffix removed.

    "factures"/"facture" -> "factur", "logements"/"loger" -> "log", "rénovation"/"rénover"
    -> "renov", "électricité"/"électrique" -> "electr", "énergie"/"énergétique" -> "energ";
    "-aux" becomes "-al" ("sociaux" -> "social"). Words of 4 letters or fewer are kept.
    """
    if len(word) <= _MIN_STEM + 1 or word.isdigit():
        return word
    if word.endswith("aux") and len(word) - 1 >= _MIN_STEM:
        return word[:-3] + "al"
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= _MIN_STEM:
            return word[: -len(suffix)]
    return word


def terms(unit: str) -> list[tuple[str, str]]:
    """(term, written word) for the content words of `unit`, in order."""
    out: list[tuple[str, str]] = []
    for written in _WORD.findall(unit.lower()):
        plain = strip_accents(written)
        if len(plain) < 2 or plain in STOP_WORDS:
            continue
        out.append((stem(plain), written))
    return out
