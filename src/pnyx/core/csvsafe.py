"""CSV cells that a spreadsheet will not run as formulas (OWASP's "CSV injection" rule).

A cell whose text starts with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula to
Excel, LibreOffice and Google Sheets (`=HYPERLINK(...)` can leak data or run commands); such a
cell gets a leading `'`, which spreadsheets show as nothing and which stops the formula. Every
CSV the web app serves for people to open goes through `writer`. The files auditors recompute
(ballots, POOL.csv, PANEL.csv…) never hold such a cell: their values are checked where they
enter (see docs/formats.md), and `starts_like_formula` is that check.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def starts_like_formula(value) -> bool:
    """Whether a spreadsheet would read this text cell as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_START)


def neutralise(value):
    """The cell to write: text that starts like a formula gets a leading `'`; others unchanged."""
    return "'" + value if starts_like_formula(value) else value


class _Writer:
    def __init__(self, f, **kwargs):
        self._w = csv.writer(f, **kwargs)

    def writerow(self, row: Iterable):
        return self._w.writerow([neutralise(v) for v in row])

    def writerows(self, rows: Iterable[Iterable]):
        for row in rows:
            self.writerow(row)


def writer(f, **kwargs) -> _Writer:
    """`csv.writer(f, lineterminator="\\n", **kwargs)` whose cells are neutralised."""
    kwargs.setdefault("lineterminator", "\n")
    return _Writer(f, **kwargs)
