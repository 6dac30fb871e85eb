"""Build :class:`~pnyx.tally.core.Ballots` from ballots as Python data (what the ``votes`` app
holds), rejecting invalid ballots as spoiled with their reason instead of dropping them.

Each builder takes an iterable of ``(receipt, content)`` pairs, optionally ``lines`` (the
1-based source line of each ballot, for reports), and returns ``Ballots`` whose ``spoiled``
lists the rejected ones. Identical contents are parsed once (a cache), so building is fast
when many ballots are alike.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from itertools import repeat
from typing import Any

import numpy as np

from .core import Ballots, Spoiled, TallyError

APPROVAL_SEPARATOR = "|"


class _Rows:
    """Collects distinct rows once and the id of each ballot's row."""

    def __init__(self, width: int, dtype: Any) -> None:
        self.width = width
        self.dtype = dtype
        self.unique: list[Sequence[int]] = []
        self.cache: dict[Hashable, int | str] = {}
        self.ids: list[int] = []
        self.receipts: list[str | None] = []
        self.lines: list[int] = []
        self.positions: list[int] = []
        self.spoiled: list[Spoiled] = []

    def add(self, key: Hashable, parse: Any, pos: int, receipt: str | None, line: int | None):
        hit = self.cache.get(key)
        if hit is None:
            try:
                row = parse()
            except _Invalid as exc:
                hit = str(exc)
            else:
                hit = len(self.unique)
                self.unique.append(row)
            self.cache[key] = hit
        if isinstance(hit, str):
            self.spoiled.append(Spoiled(index=pos, receipt=receipt, reason=hit, line=line))
        else:
            self.ids.append(hit)
            self.receipts.append(receipt)
            self.lines.append(line if line is not None else -1)
            self.positions.append(pos)

    def matrix(self) -> np.ndarray:
        u = np.array(self.unique, dtype=self.dtype).reshape(len(self.unique), self.width)
        return u[np.asarray(self.ids, dtype=np.intp)] if self.ids else u[:0]

    def ballots(
        self,
        kind: Any,
        options: Sequence[str],
        grades: Sequence[str] = (),
        with_lines: bool = False,
        spoiled: Sequence[Spoiled] = (),
    ) -> Ballots:
        return Ballots(
            kind=kind,
            options=tuple(options),
            matrix=self.matrix(),
            grades=tuple(grades),
            receipts=self.receipts,
            lines=np.asarray(self.lines, dtype=np.int64) if with_lines else None,
            positions=np.asarray(self.positions, dtype=np.int64),
            spoiled=tuple(spoiled) + tuple(self.spoiled),
        )


class _Invalid(Exception):
    """A ballot that must be counted as spoiled (the message is the reason)."""


def _index(options: Sequence[str]) -> dict[str, int]:
    idx = {name: i for i, name in enumerate(options)}
    if len(idx) != len(options):
        raise TallyError("option names must be unique")
    return idx


def _lines(lines: Iterable[int] | None) -> Iterable[int | None]:
    if lines is None:
        while True:
            yield None
    yield from lines


def approval_ballots(
    options: Sequence[str],
    ballots: Iterable[tuple[str | None, Sequence[str] | str]],
    *,
    lines: Iterable[int] | None = None,
) -> Ballots:
    """Approval ballots from ``(receipt, chosen option names)`` (or ``"A|B|C"``). Spoiled: an unknown option,
    an option chosen twice. The limit on the number of choices is checked by
    :func:`pnyx.tally.approval` (``max_choices``), which spoils ballots over it."""
    idx = _index(options)
    rows = _Rows(len(options), np.uint8)

    def parse(choices: Sequence[str] | str) -> list[int]:
        if isinstance(choices, str):
            choices = split_choices(choices)
        row = [0] * len(options)
        for c in choices:
            j = idx.get(c)
            if j is None:
                raise _Invalid(f"unknown option {c!r}")
            if row[j]:
                raise _Invalid(f"option {c!r} chosen twice")
            row[j] = 1
        return row

    for pos, ((receipt, choices), line) in enumerate(zip(ballots, _lines(lines), strict=False)):
        key = choices if isinstance(choices, str) else tuple(choices)
        rows.add(key, lambda key=key: parse(key), pos, receipt, line)
    return rows.ballots("approval", options, with_lines=lines is not None)


def split_choices(text: str) -> list[str]:
    """``"A|B|C"`` -> ``["A", "B", "C"]``; ``""`` -> ``[]`` (blank). Names are stripped."""
    text = text.strip()
    return [c.strip() for c in text.split(APPROVAL_SEPARATOR)] if text else []


def parse_ranking(text: str) -> list[list[str]]:
    """``"A>B=C>D"`` -> ``[["A"], ["B", "C"], ["D"]]``; ``""`` -> ``[]`` (blank).

    Names are stripped of surrounding spaces. Raises ``ValueError`` on an empty name."""
    text = text.strip()
    if not text:
        return []
    groups = []
    for part in text.split(">"):
        names = [n.strip() for n in part.split("=")]
        if any(not n for n in names):
            raise ValueError(f"empty option name in ranking {text!r}")
        groups.append(names)
    return groups


def ranked_ballots(
    options: Sequence[str],
    ballots: Iterable[tuple[str | None, Sequence[Sequence[str]] | str]],
    *,
    lines: Iterable[int] | None = None,
) -> Ballots:
    """Ranked ballots from ``(receipt, ranking)`` where a ranking lists groups of tied option
    names best first (``[["A"], ["B", "C"]]``, or the text ``"A>B=C"``, for A>B=C). Unlisted options are unranked.
    Spoiled: an unknown option, an option ranked twice, an empty name (``"A>>B"``). An empty
    ranking is blank."""
    idx = _index(options)
    m = len(options)
    rows = _Rows(m, np.uint8 if m < 255 else np.uint16)

    def parse(groups: Sequence[Sequence[str]] | str) -> list[int]:
        if isinstance(groups, str):
            if "=" not in groups and " " not in groups:  # fast path: a strict ranking
                row = [0] * m
                for rank, c in enumerate(groups.split(">") if groups else (), start=1):
                    j = idx.get(c)
                    if j is None:
                        raise _Invalid(
                            f"unknown option {c!r}" if c else f"empty option name in {groups!r}"
                        )
                    if row[j]:
                        raise _Invalid(f"option {c!r} ranked twice")
                    row[j] = rank
                return row
            try:
                groups = parse_ranking(groups)
            except ValueError as exc:
                raise _Invalid(str(exc)) from None
        row = [0] * m
        for rank, group in enumerate(groups, start=1):
            for c in group:
                j = idx.get(c)
                if j is None:
                    raise _Invalid(f"unknown option {c!r}")
                if row[j]:
                    raise _Invalid(f"option {c!r} ranked twice")
                row[j] = rank
        return row

    for pos, ((receipt, groups), line) in enumerate(zip(ballots, _lines(lines), strict=False)):
        key = groups if isinstance(groups, str) else tuple(tuple(g) for g in groups)
        rows.add(key, lambda key=key: parse(key), pos, receipt, line)
    return rows.ballots("ranked", options, with_lines=lines is not None)


def graded_ballots(
    options: Sequence[str],
    grades: Sequence[str],
    ballots: Iterable[tuple[str | None, Sequence[str | None]]],
    *,
    lines: Iterable[int] | None = None,
) -> Ballots:
    """Graded ballots from ``(receipt, one grade name per option, in option order)``; ``grades``
    is the scale, best first. An empty cell (``""`` or ``None``) is no grade (counted as the
    worst grade by majority judgment); a ballot with no grade at all is blank. Spoiled: a grade
    not in the scale, a wrong number of cells."""
    gidx = {g: i for i, g in enumerate(grades)}
    if len(gidx) != len(grades) or not grades:
        raise TallyError("the grade scale must list distinct grades")
    _index(options)
    m = len(options)
    dtype = np.int8 if len(grades) < 127 else np.int16
    lookup: dict[str | None, int] = {**gidx, "": -1, None: -1}
    BAD = -2

    def code(cell: str | None) -> int:
        hit = lookup.get(cell)
        if hit is None:
            stripped = cell.strip() if isinstance(cell, str) else ""
            hit = -1 if not stripped else gidx.get(stripped, BAD)
        return hit

    items = list(ballots)
    line_list = list(lines) if lines is not None else None
    spoiled: list[Spoiled] = []
    keep: list[int] = []
    for pos, (receipt, cells) in enumerate(items):
        if len(cells) != m:
            spoiled.append(
                Spoiled(
                    pos,
                    receipt,
                    f"{len(cells)} grades for {m} options",
                    line_list[pos] if line_list is not None else None,
                )
            )
        else:
            keep.append(pos)
    kept = [items[i][1] for i in keep]
    mat = np.empty((len(kept), m), dtype=dtype)
    miss = -3
    for j, col in enumerate(zip(*kept, strict=True) if kept else ()):
        # Column by column, one dictionary look-up per cell in C; only misses go to code().
        codes = np.fromiter(map(lookup.get, col, repeat(miss)), dtype=np.int16, count=len(col))
        for r in np.flatnonzero(codes == miss).tolist():
            codes[r] = code(col[r])
        mat[:, j] = codes
    bad_rows = np.flatnonzero((mat == BAD).any(axis=1))
    for r in bad_rows.tolist():
        pos = keep[r]
        receipt, cells = items[pos]
        j = int(np.flatnonzero(mat[r] == BAD)[0])
        spoiled.append(
            Spoiled(
                pos,
                receipt,
                f"grade {str(cells[j]).strip()!r} for {options[j]!r} is not in the scale",
                line_list[pos] if line_list is not None else None,
            )
        )
    good = np.ones(len(kept), dtype=bool)
    good[bad_rows] = False
    positions = np.asarray(keep, dtype=np.int64)[good]
    return Ballots(
        kind="graded",
        options=tuple(options),
        matrix=mat[good],
        grades=tuple(grades),
        receipts=[items[i][0] for i in positions.tolist()],
        lines=np.asarray([line_list[i] for i in positions.tolist()], dtype=np.int64)
        if line_list is not None
        else None,
        positions=positions,
        spoiled=tuple(sorted(spoiled, key=lambda s: s.index)),
    )
