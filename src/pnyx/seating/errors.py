"""Errors raised by the seating engine.

`SeatingError` means the request cannot be met (the message says why); `InputError` means a
file is malformed and names the file, the line and the field.
"""

from __future__ import annotations


class SeatingError(ValueError):
    """A hall, table or topic request that cannot be satisfied; the message says why."""


class InputError(SeatingError):
    """A malformed input file: names the file, the 1-based line and the field."""

    def __init__(self, path: str, line: int | None, field: str | None, message: str) -> None:
        self.path = path
        self.line = line
        self.field = field
        self.message = message
        where = path
        if line is not None:
            where += f", line {line}"
        if field is not None:
            where += f", field {field!r}"
        super().__init__(f"{where}: {message}")
