"""CSV files of the command line: POOL.csv, QUOTAS.csv, PANEL.csv, PROBS.csv.

Errors name the file, the line (1 = header) and the field.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from .distribution import Distribution
from .model import DataError, GroupLimit, Pool, Problem, Quota

QUOTA_COLUMNS = ("feature", "value", "min", "max")


def _open(path: str | Path):
    try:
        return open(path, newline="", encoding="utf-8-sig")
    except OSError as e:
        raise DataError(f"cannot read: {e.strerror}", file=str(path)) from e


def _rows(path: str | Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    with _open(path) as f:
        try:
            reader = csv.reader(f)
            header = next(reader, None)
            if not header:
                raise DataError("empty file, a header is needed", file=str(path), line=1)
            header = [h.strip() for h in header]
            rows = [(reader.line_num, r) for r in reader if any(cell.strip() for cell in r)]
        except (csv.Error, UnicodeDecodeError) as e:
            raise DataError(f"unreadable CSV ({e})", file=str(path)) from e
    for line, r in rows:
        if len(r) != len(header):
            raise DataError(
                f"{len(r)} fields where the header has {len(header)}", file=str(path), line=line
            )
    dup = {h for h in header if header.count(h) > 1}
    if dup:
        raise DataError("duplicate column in header", file=str(path), line=1, field=sorted(dup)[0])
    return header, rows


def read_pool(path: str | Path, id_column: str = "id") -> tuple[Pool, dict[tuple[str, str], int]]:
    """The pool and, for each (column, value), the first line where it appears."""
    header, rows = _rows(path)
    if id_column not in header:
        raise DataError(f"no id column {id_column!r} in header", file=str(path), line=1)
    columns = [h for h in header if h != id_column]
    if not columns:
        raise DataError("no feature column", file=str(path), line=1)
    seen: dict[str, int] = {}
    first: dict[tuple[str, str], int] = {}
    records = []
    for line, r in rows:
        rec = {h: v.strip() for h, v in zip(header, r, strict=True)}
        pid = rec[id_column]
        if not pid:
            raise DataError("empty id", file=str(path), line=line, field=id_column)
        if pid in seen:
            raise DataError(
                f"duplicate id {pid!r} (first on line {seen[pid]})",
                file=str(path),
                line=line,
                field=id_column,
            )
        seen[pid] = line
        for c in columns:
            first.setdefault((c, rec[c]), line)
        records.append(rec)
    return Pool.from_records(records, columns, id_column), first


def read_quotas(path: str | Path) -> list[Quota]:
    header, rows = _rows(path)
    missing = [c for c in QUOTA_COLUMNS if c not in header]
    if missing:
        raise DataError(
            f"missing column {missing[0]!r} (need {','.join(QUOTA_COLUMNS)})",
            file=str(path),
            line=1,
        )
    out = []
    seen: dict[tuple[str, str], int] = {}
    for line, r in rows:
        rec = {h: v.strip() for h, v in zip(header, r, strict=True)}
        bounds = {}
        for b in ("min", "max"):
            try:
                bounds[b] = int(rec[b])
            except ValueError:
                raise DataError(
                    f"{rec[b]!r} is not a whole number", file=str(path), line=line, field=b
                ) from None
            if bounds[b] < 0:
                raise DataError("negative bound", file=str(path), line=line, field=b)
        if bounds["min"] > bounds["max"]:
            raise DataError(
                f"min {bounds['min']} is above max {bounds['max']}",
                file=str(path),
                line=line,
                field="min",
            )
        if not rec["feature"]:
            raise DataError("empty feature", file=str(path), line=line, field="feature")
        key = (rec["feature"], rec["value"])
        if key in seen:
            raise DataError(
                f"second row for {key[0]}={key[1]} (first on line {seen[key]})",
                file=str(path),
                line=line,
                field="value",
            )
        seen[key] = line
        out.append(Quota(rec["feature"], rec["value"], bounds["min"], bounds["max"]))
    return out


def load_problem(
    pool_path: str | Path,
    quotas_path: str | Path,
    k: int,
    id_column: str = "id",
    group: GroupLimit | None = None,
) -> Problem:
    """Read both files and check that they fit: every pool value has a quota row, every
    quota names a pool feature."""
    pool, first = read_pool(pool_path, id_column)
    quotas = read_quotas(quotas_path)
    if group is not None and group.column not in pool.columns:
        raise DataError(f"no group column {group.column!r}", file=str(pool_path), line=1)
    features = [c for c in pool.columns if group is None or c != group.column]
    have = {(q.feature, q.value) for q in quotas}
    for (c, v), line in sorted(first.items(), key=lambda kv: kv[1]):
        if c in features and (c, v) not in have:
            raise DataError(
                f"value {v!r} has no quota row in {quotas_path} (feature {c!r})",
                file=str(pool_path),
                line=line,
                field=c,
            )
    for n, q in enumerate(quotas, start=2):
        if q.feature not in features:
            raise DataError(
                f"feature {q.feature!r} is not a column of {pool_path}",
                file=str(quotas_path),
                line=n,
                field="feature",
            )
    if k <= 0:
        raise DataError("the panel size must be a positive whole number", field="--size")
    return Problem(pool, tuple(quotas), k, group)


def read_panel_ids(path: str | Path, id_column: str = "id") -> list[tuple[int, dict[str, str]]]:
    header, rows = _rows(path)
    if id_column not in header:
        raise DataError(f"no id column {id_column!r} in header", file=str(path), line=1)
    return [(line, {h: v.strip() for h, v in zip(header, r, strict=True)}) for line, r in rows]


def write_panel(path: str | Path, dist: Distribution, ids: Sequence[str]) -> None:
    pool = dist.problem.pool
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow([pool.id_column, *pool.columns])
        for pid in sorted(ids):
            w.writerow([pid, *pool.rows[pool.index[pid]]])


def write_probabilities(path: str | Path, dist: Distribution) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "probability"])
        for pid, p in zip(dist.problem.pool.ids, dist.person_probability.tolist(), strict=True):
            w.writerow([pid, repr(p)])


def write_replacements(out: str | Path | TextIO, rows: Sequence) -> None:
    """REPLACEMENTS.csv: number,declined,replacement, one row per decline in order (formats.md).

    `out` is a path or an open text stream (standard output)."""
    if not isinstance(out, str | Path):
        w = csv.writer(out, lineterminator="\n")
        w.writerow(["number", "declined", "replacement"])
        w.writerows([r.number, r.declined, r.replacement] for r in rows)
        return
    with open(out, "w", newline="", encoding="utf-8") as f:
        write_replacements(f, rows)
