"""Reading an OUTPUTS.csv file (docs/formats.md) into contributions, with clear errors."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from .model import Contribution

COLUMNS = ("table", "campaign", "step", "field", "text")


class OutputsFileError(ValueError):
    """An outputs file that cannot be read; ``str()`` is ``path:line: [column X: ]message``."""

    def __init__(
        self, path: str | Path, line: int | None, message: str, column: str | None = None
    ) -> None:
        self.path = str(path)
        self.line = line
        self.column = column
        self.message = message
        where = f"{self.path}:{line}" if line is not None else self.path
        what = f"column {column!r}: {message}" if column else message
        super().__init__(f"{where}: {what}")


def _table_id(value: str) -> str | int:
    """A table id as written; a plain number ("12", not "012") becomes an int."""
    return int(value) if value.isascii() and value.isdigit() and str(int(value)) == value else value


def read_outputs(path: str | Path) -> list[Contribution]:
    """The rows of `path` (columns table, campaign, step, field, text; any order, extra columns
    ignored) as contributions. Raises `OutputsFileError` naming the file, the line (where the
    row starts) and the column: missing column, empty table/campaign/field, a step that is not
    a whole number >= 0, a row with more cells than the header, or a second row for the same
    (table, campaign, step, field), whose line numbers would be ambiguous."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise OutputsFileError(path, None, f"cannot be read ({exc.strerror or exc})") from exc
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise OutputsFileError(path, line, "not UTF-8 text") from exc
    reader = csv.reader(io.StringIO(content, newline=""), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise OutputsFileError(path, 1, f"bad CSV ({exc})") from exc
    if header is None:
        raise OutputsFileError(path, None, "empty file: expected the header " + ",".join(COLUMNS))
    header = [h.strip().lower() for h in header]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise OutputsFileError(
            path,
            1,
            f"missing column(s) {', '.join(missing)}: the header must name " + ",".join(COLUMNS),
        )
    col = {c: header.index(c) for c in COLUMNS}
    out: list[Contribution] = []
    seen: dict[tuple, int] = {}
    start = reader.line_num + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise OutputsFileError(path, start, f"bad CSV ({exc})") from exc
        line, start = start, reader.line_num + 1
        if not any(c.strip() for c in cells):
            continue  # blank line
        if len(cells) > len(header):
            raise OutputsFileError(
                path, line, f"{len(cells)} cells but the header has {len(header)} columns"
            )
        cells += [""] * (len(header) - len(cells))
        values = {c: cells[col[c]] for c in COLUMNS}
        for c in ("table", "campaign", "field"):
            if not values[c].strip():
                raise OutputsFileError(path, line, "empty", column=c)
        step = values["step"].strip()
        if not (step.isascii() and step.isdigit()):
            raise OutputsFileError(
                path, line, f"{step!r} is not a whole number >= 0", column="step"
            )
        c = Contribution(
            table=_table_id(values["table"].strip()),
            campaign=values["campaign"].strip(),
            step=int(step),
            field=values["field"].strip(),
            text=values["text"],
        )
        key = (c.table, c.campaign, c.step, c.field)
        if key in seen:
            raise OutputsFileError(
                path,
                line,
                f"a second row for table {c.table} in ({c.campaign}, {c.step}, {c.field}); the "
                f"first is on line {seen[key]} (put all of a table's lines in one cell)",
            )
        seen[key] = line
        out.append(c)
    return out
