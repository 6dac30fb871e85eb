"""CSV files of the seating commands (formats in docs/formats.md). Errors name file, line, field."""

from __future__ import annotations

import csv
from collections.abc import Collection, Iterable, Sequence
from pathlib import Path

from .errors import InputError
from .model import Person, Seat, TopicSeat


def _read(
    path: str | Path, required: Sequence[str]
) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    name = str(path)
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            reader = csv.reader(f)
            try:
                header = next(reader)
            except StopIteration:
                raise InputError(
                    name, 1, None, "the file is empty (a header row is expected)"
                ) from None
            header = [h.strip() for h in header]
            for col in required:
                if col not in header:
                    raise InputError(name, 1, col, f"missing column (header: {','.join(header)})")
            seen: set[str] = set()
            for h in header:
                if h in seen:
                    raise InputError(name, 1, h, "column appears twice")
                seen.add(h)
            rows = []
            for row in reader:
                line = reader.line_num
                if not row or all(not c.strip() for c in row):
                    continue
                if len(row) != len(header):
                    raise InputError(
                        name, line, None, f"{len(row)} fields where the header has {len(header)}"
                    )
                rows.append((line, {h: c.strip() for h, c in zip(header, row, strict=True)}))
    except OSError as e:
        raise InputError(name, None, None, f"cannot read the file ({e.strerror})") from None
    except UnicodeDecodeError:
        raise InputError(name, None, None, "not UTF-8 text") from None
    except csv.Error as e:
        raise InputError(name, None, None, f"not valid CSV ({e})") from None
    return header, rows


def _unique_id(name: str, line: int, ident: str, seen: dict[str, int]) -> None:
    if not ident:
        raise InputError(name, line, "id", "empty id")
    if ident in seen:
        raise InputError(name, line, "id", f"id {ident!r} already on line {seen[ident]}")
    seen[ident] = line


def read_people(path: str | Path) -> tuple[list[str], list[Person]]:
    """PEOPLE.csv: `id` then any attribute columns. Returns (attribute columns, people)."""
    header, rows = _read(path, ["id"])
    seen: dict[str, int] = {}
    people = []
    for line, row in rows:
        _unique_id(str(path), line, row["id"], seen)
        people.append(Person(row["id"], {k: v for k, v in row.items() if k != "id"}))
    return [h for h in header if h != "id"], people


def _positive(name: str, line: int, field: str, value: str) -> int:
    try:
        v = int(value)
    except ValueError:
        raise InputError(name, line, field, f"{value!r} is not a whole number") from None
    if v < 1:
        raise InputError(name, line, field, f"{v} is not a positive number")
    return v


def read_plan(path: str | Path) -> list[Seat]:
    """PLAN.csv: id,step,part,table,campaign (one line per person and step)."""
    name = str(path)
    _, rows = _read(path, ["id", "step", "part", "table", "campaign"])
    seen: dict[tuple[str, int], int] = {}
    seats = []
    for line, row in rows:
        if not row["id"]:
            raise InputError(name, line, "id", "empty id")
        step = _positive(name, line, "step", row["step"])
        if (row["id"], step) in seen:
            raise InputError(
                name,
                line,
                "step",
                f"{row['id']!r} already seated at step {step} on line {seen[(row['id'], step)]}",
            )
        seen[(row["id"], step)] = line
        seats.append(
            Seat(
                row["id"], step, _positive(name, line, "part", row["part"]),
                _positive(name, line, "table", row["table"]), row["campaign"],
            )
        )  # fmt: skip
    if not seats:
        raise InputError(name, None, None, "the plan has no line")
    return seats


def read_ids(path: str | Path) -> list[str]:
    """ABSENT.csv: a column `id` (other columns ignored)."""
    _, rows = _read(path, ["id"])
    seen: dict[str, int] = {}
    for line, row in rows:
        _unique_id(str(path), line, row["id"], seen)
    return list(seen)


def read_preferences(
    path: str | Path, topics: Sequence[str], known_ids: Collection[str] | None = None
) -> dict[str, list[str]]:
    """PREFS.csv: id, then rank columns in order (first, second, ...) holding topic names.
    With `known_ids`, every id must be one of them."""
    name = str(path)
    header, rows = _read(path, ["id"])
    rank_cols = [h for h in header if h != "id"]
    if not rank_cols:
        raise InputError(name, 1, None, "no rank column after id (expected first,second,...)")
    known = set(topics)
    seen: dict[str, int] = {}
    prefs: dict[str, list[str]] = {}
    for line, row in rows:
        _unique_id(name, line, row["id"], seen)
        if known_ids is not None and row["id"] not in known_ids:
            raise InputError(name, line, "id", f"{row['id']!r} is not among the participants")
        ranked: list[str] = []
        for col in rank_cols:
            t = row[col]
            if not t:
                continue
            if t not in known:
                raise InputError(
                    name, line, col, f"unknown topic {t!r} (topics: {', '.join(topics)})"
                )
            if t in ranked:
                raise InputError(name, line, col, f"topic {t!r} ranked twice")
            ranked.append(t)
        prefs[row["id"]] = ranked
    return prefs


def write_plan(path: str | Path, seats: Iterable[Seat]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "step", "part", "table", "campaign"])
        for s in seats:
            w.writerow([s.id, s.step, s.part, s.table, s.campaign])


def write_topics(path: str | Path, seats: Iterable[TopicSeat]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "topic", "table"])
        for s in seats:
            w.writerow([s.id, s.topic, s.table])
