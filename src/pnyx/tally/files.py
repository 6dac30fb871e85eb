"""Read published ballot files: Pnyx's CSV formats (docs/formats.md, "Ballots") and PrefLib's
``.soc``/``.soi``/``.toc``/``.toi`` files (https://preflib.github.io/PrefLib-Jekyll/format).

A malformed *file* (bad header, wrong number of cells, bad PrefLib syntax) raises
:class:`BallotFileError` naming the file and the line. An invalid *ballot* in a well-formed file
(unknown option, option twice, grade not in the scale, receipt used twice...) is kept as spoiled,
with its line and receipt, and reported by the count.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .build import approval_ballots, graded_ballots, ranked_ballots, split_choices
from .core import Ballots, Spoiled

PREFLIB_SUFFIXES = frozenset({".soc", ".soi", ".toc", ".toi"})
_META = re.compile(r"^#\s*([A-Za-z][A-Za-z0-9 _-]*?)\s*:\s*(.*?)\s*$")


class BallotFileError(ValueError):
    """A ballot file that cannot be read; ``str()`` is ``path:line: message``."""

    def __init__(self, path: str | Path, line: int | None, message: str) -> None:
        self.path = str(path)
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {message}")


@dataclass
class BallotFile:
    ballots: Ballots
    format: str
    #: ``# key: value`` lines at the top of a CSV file (keys lower-cased), PrefLib headers.
    meta: dict[str, str] = field(default_factory=dict)
    sha256: str = ""


def read_ballots(
    path: str | Path,
    *,
    options: Sequence[str] | None = None,
    grades: Sequence[str] | None = None,
) -> BallotFile:
    """Read a ballot file, choosing the reader by extension (PrefLib) or by CSV header."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BallotFileError(path, None, exc.strerror or str(exc)) from None
    digest = hashlib.sha256(data).hexdigest()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise BallotFileError(path, line, "not valid UTF-8") from None
    if path.suffix.lower() in PREFLIB_SUFFIXES:
        bf = read_preflib_text(text, path)
    else:
        bf = read_csv_text(text, path, options=options, grades=grades)
    bf.sha256 = digest
    return bf


def _split_meta(text: str, path: Path) -> tuple[dict[str, str], list[str], int]:
    lines = text.splitlines(keepends=True)
    meta: dict[str, str] = {}
    i = 0
    while i < len(lines) and (lines[i].startswith("#") or not lines[i].strip()):
        if lines[i].startswith("#"):
            mt = _META.match(lines[i].rstrip("\r\n"))
            if mt:
                meta[mt.group(1).strip().lower()] = mt.group(2)
        i += 1
    return meta, lines[i:], i


def meta_list(value: str | None) -> list[str] | None:
    """A list in a metadata line or an option: ``A|B|C`` (or ``a,b,c`` when it has no ``|``)."""
    if value is None:
        return None
    sep = "|" if "|" in value else ","
    return [v.strip() for v in value.split(sep) if v.strip()]


def read_csv_text(
    text: str,
    path: str | Path = "<ballots>",
    *,
    options: Sequence[str] | None = None,
    grades: Sequence[str] | None = None,
) -> BallotFile:
    """Read a Pnyx ballot CSV (approval, ranked or graded, told apart by the header)."""
    path = Path(path)
    meta, body, offset = _split_meta(text, path)
    reader = csv.reader(body, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise BallotFileError(path, offset + 1, "no header row") from None
    except csv.Error as exc:
        raise BallotFileError(path, offset + reader.line_num, f"CSV syntax: {exc}") from None
    header_line = offset + reader.line_num
    header = [h.strip() for h in header]
    if not header or header[0] != "receipt":
        raise BallotFileError(
            path,
            header_line,
            "the header must start with 'receipt' (receipt,choices | receipt,ranking | "
            "receipt,<option>,<option>...)",
        )
    if len(header) < 2:
        raise BallotFileError(path, header_line, "the header names no ballot column")
    width = len(header)
    rows: list[tuple[str, list[str]]] = []
    line_numbers: list[int] = []
    try:
        for row in reader:
            line = offset + reader.line_num
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            if len(row) != width:
                raise BallotFileError(path, line, f"{len(row)} cells where the header has {width}")
            rows.append((row[0].strip(), row[1:]))
            line_numbers.append(line)
    except csv.Error as exc:
        raise BallotFileError(path, offset + reader.line_num, f"CSV syntax: {exc}") from None

    # A receipt used twice: the later ballots are spoiled (never counted twice).
    seen: dict[str, int] = {}
    keep: list[int] = []
    dup: list[Spoiled] = []
    for i, (receipt, _) in enumerate(rows):
        if receipt:
            first = seen.setdefault(receipt, line_numbers[i])
            if first != line_numbers[i]:
                dup.append(
                    Spoiled(i, receipt, f"receipt already used on line {first}", line_numbers[i])
                )
                continue
        keep.append(i)
    kept_rows = [rows[i] for i in keep]
    kept_lines = [line_numbers[i] for i in keep]

    declared = list(options) if options is not None else meta_list(meta.get("options"))
    if header[1:] == ["choices"]:
        items = [(r, cells[0]) for r, cells in kept_rows]
        if declared is None:
            declared = sorted({c for _, s in items for c in split_choices(s) if c})
        b = approval_ballots(declared, items, lines=kept_lines)
        fmt = "approval-csv"
    elif header[1:] == ["ranking"]:
        items = [(r, cells[0]) for r, cells in kept_rows]
        if declared is None:
            names: set[str] = set()
            for text in {s for _, s in items}:
                names.update(text.replace("=", ">").split(">"))
            declared = sorted({n.strip() for n in names} - {""})
        b = ranked_ballots(declared, items, lines=kept_lines)
        fmt = "ranked-csv"
    else:
        opts = header[1:]
        if any(not o for o in opts):
            raise BallotFileError(path, header_line, "an option column has no name")
        if len(set(opts)) != len(opts):
            raise BallotFileError(path, header_line, "two option columns have the same name")
        scale = list(grades) if grades is not None else meta_list(meta.get("grades"))
        if not scale:
            raise BallotFileError(
                path, header_line, "graded ballots need their grade scale (--grades, best first)"
            )
        b = graded_ballots(opts, scale, kept_rows, lines=kept_lines)
        fmt = "graded-csv"
    # Renumber positions to the file's ballot order and merge the duplicate receipts.
    pos = np.asarray(keep, dtype=np.int64)
    row_pos = pos[np.asarray(b.positions, dtype=np.int64)] if b.rows else np.zeros(0, np.int64)
    spoiled = tuple(
        Spoiled(int(pos[s.index]), s.receipt, s.reason, s.line) for s in b.spoiled
    ) + tuple(dup)
    spoiled = tuple(sorted(spoiled, key=lambda s: s.index))
    b = Ballots(
        kind=b.kind,
        options=b.options,
        matrix=b.matrix,
        grades=b.grades,
        receipts=b.receipts,
        lines=b.lines,
        positions=row_pos,
        spoiled=spoiled,
    )
    return BallotFile(ballots=b, format=fmt, meta=meta)


_ALT = re.compile(r"^#\s*ALTERNATIVE NAME\s+(\d+)\s*:\s*(.*?)\s*$", re.IGNORECASE)
_NUM_ALT = re.compile(r"^#\s*NUMBER ALTERNATIVES\s*:\s*(\d+)\s*$", re.IGNORECASE)


def _preflib_groups(body: str) -> Iterator[list[int]]:
    """``1,{2,3},4`` -> [1], [2, 3], [4]; raises ValueError on bad syntax."""
    i, n = 0, len(body)
    while i < n:
        if body[i] == "{":
            j = body.find("}", i)
            if j < 0:
                raise ValueError("unbalanced '{'")
            inner = body[i + 1 : j]
            if not inner.strip() or "{" in inner:
                raise ValueError("empty or nested '{...}' group")
            yield [int(x) for x in inner.split(",")]
            i = j + 1
        else:
            j = body.find(",", i)
            j = n if j < 0 else j
            tok = body[i:j]
            if "}" in tok:
                raise ValueError("unbalanced '}'")
            yield [int(tok)]
            i = j
        if i < n:
            if body[i] != ",":
                raise ValueError(f"expected ',' at column {i + 1}")
            i += 1
            if i == n:
                raise ValueError("trailing ','")


def read_preflib_text(text: str, path: str | Path = "<preflib>") -> BallotFile:
    """Read a PrefLib ordinal file (soc, soi, toc, toi). Each data line ``count: 1,{2,3},4``
    is a group of ``count`` identical ballots; alternatives are named by their
    ``# ALTERNATIVE NAME i: name`` header (their number when the header has none)."""
    path = Path(path)
    meta: dict[str, str] = {}
    names: dict[int, str] = {}
    n_alt: int | None = None
    data: list[tuple[int, int, list[list[int]] | str]] = []  # (line, count, groups | reason)
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            if mt := _ALT.match(line):
                names[int(mt.group(1))] = mt.group(2)
            elif mt := _NUM_ALT.match(line):
                n_alt = int(mt.group(1))
            elif mt := _META.match(line):
                meta[mt.group(1).strip().lower()] = mt.group(2)
            continue
        count_s, sep, body = line.partition(":")
        if not sep:
            raise BallotFileError(path, lineno, "a data line must read 'count: ranking'")
        try:
            count = int(count_s.strip())
            if count < 0:
                raise ValueError
        except ValueError:
            raise BallotFileError(path, lineno, f"bad ballot count {count_s.strip()!r}") from None
        body = re.sub(r"\s+", "", body)
        try:
            groups = list(_preflib_groups(body)) if body else []
        except ValueError as exc:
            raise BallotFileError(path, lineno, f"bad ranking: {exc}") from None
        data.append((lineno, count, groups))
    if n_alt is None and not names:
        raise BallotFileError(
            path, None, "not a PrefLib file: no '# NUMBER ALTERNATIVES' or '# ALTERNATIVE NAME'"
        )
    ids = sorted(set(names) | set(range(1, (n_alt or 0) + 1)))
    labels: list[str] = []
    used: set[str] = set()
    for i in ids:
        label = names.get(i, str(i))
        if label in used:
            label = f"{label} ({i})"
        used.add(label)
        labels.append(label)
    col = {i: j for j, i in enumerate(ids)}
    m = len(ids)
    rows: list[list[int]] = []
    weights: list[int] = []
    lines: list[int] = []
    positions: list[int] = []
    spoiled: list[Spoiled] = []
    for pos, (lineno, count, groups) in enumerate(data):
        row = [0] * m
        reason = None
        for rank, group in enumerate(groups, start=1):
            for a in group:
                j = col.get(a)
                if j is None:
                    reason = f"unknown alternative {a}"
                elif row[j]:
                    reason = f"alternative {a} ranked twice"
                else:
                    row[j] = rank
        if reason:
            spoiled.append(Spoiled(pos, None, reason, lineno, count))
            continue
        rows.append(row)
        weights.append(count)
        lines.append(lineno)
        positions.append(pos)
    dtype = np.uint8 if m < 255 else np.uint16
    b = Ballots(
        kind="ranked",
        options=tuple(labels),
        matrix=np.array(rows, dtype=dtype).reshape(len(rows), m),
        weights=np.array(weights, dtype=np.int64),
        lines=np.array(lines, dtype=np.int64),
        positions=np.array(positions, dtype=np.int64),
        spoiled=tuple(spoiled),
    )
    return BallotFile(ballots=b, format="preflib", meta=meta)
