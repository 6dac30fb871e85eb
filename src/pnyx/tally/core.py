"""Plain data shared by every counting method: ballots in, a result out.

Nothing here imports Django: the ``votes`` app translates its models to :class:`Ballots` and
stores the :class:`Result` (``Result.to_json()``) as it is.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

Kind = Literal["approval", "ranked", "graded"]

#: In a ranked matrix, 0 marks an option the ballot leaves unranked.
UNRANKED = 0
#: In a graded matrix, -1 marks an option the ballot leaves without a grade.
NO_GRADE = -1


class TallyError(ValueError):
    """Ballots or parameters that cannot be counted (a programming or usage error)."""


@dataclass(frozen=True)
class Spoiled:
    """A ballot that was not counted, and why.

    ``line`` is the 1-based line in the source file (``None`` for ballots built in memory),
    ``index`` the 0-based position of the ballot in its input.
    """

    index: int
    receipt: str | None
    reason: str
    line: int | None = None
    #: Identical ballots this entry stands for (a PrefLib line holds several).
    count: int = 1

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "index": self.index,
            "line": self.line,
            "receipt": self.receipt,
            "reason": self.reason,
        }
        if self.count != 1:
            out["count"] = self.count
        return out


@dataclass(frozen=True)
class Ballots:
    """Ballots of one vote as an integer matrix, one row per ballot (or per group of identical
    ballots, see ``weights``) and one column per option.

    ``kind`` fixes the meaning of a cell:

    - ``"approval"``: 1 if the ballot approves the option, else 0.
    - ``"ranked"``: the rank of the option, 1 = first; tied options share a rank; 0 = unranked
      (below every ranked option). Ranks need not be consecutive: only their order matters.
    - ``"graded"``: the index of the grade in ``grades`` (0 = best grade), -1 = no grade
      (counted as the worst grade, see docs/tally.md).

    ``weights`` (optional) counts identical ballots per row (PrefLib files, ``np.unique``).
    ``receipts``, ``lines`` and ``positions`` (optional) name each row in the spoiled-ballot
    report (its receipt, its line in the source file, its position in the original input).
    ``spoiled`` carries the ballots already rejected while reading (unknown option, grade not
    in the scale...); every method passes them through to its :class:`Result`.
    """

    kind: Kind
    options: tuple[str, ...]
    matrix: np.ndarray
    weights: np.ndarray | None = None
    grades: tuple[str, ...] = ()
    receipts: Sequence[str | None] | None = None
    lines: Sequence[int] | np.ndarray | None = None
    #: Position of each row in the original input (when the reader dropped spoiled ballots).
    positions: Sequence[int] | np.ndarray | None = None
    spoiled: tuple[Spoiled, ...] = ()

    def __post_init__(self) -> None:
        if len(set(self.options)) != len(self.options):
            raise TallyError("option names must be unique")
        m = np.asarray(self.matrix)
        if m.ndim != 2 or m.shape[1] != len(self.options):
            raise TallyError(
                f"matrix must have shape (ballots, {len(self.options)}), got {m.shape}"
            )
        if not np.issubdtype(m.dtype, np.integer) and m.dtype != np.bool_:
            raise TallyError("matrix must hold integers")
        if self.weights is not None:
            w = np.asarray(self.weights)
            if w.shape != (m.shape[0],) or (w.size and w.min() < 0):
                raise TallyError("weights must be one non-negative integer per row")
        if self.kind == "graded" and not self.grades:
            raise TallyError("graded ballots need their grade scale (best first)")

    @property
    def rows(self) -> int:
        return int(self.matrix.shape[0])

    def weight_array(self) -> np.ndarray:
        if self.weights is None:
            return np.ones(self.rows, dtype=np.int64)
        return np.asarray(self.weights, dtype=np.int64)

    def total(self, mask: np.ndarray | None = None) -> int:
        """Number of ballots (sum of weights) in the rows selected by ``mask``."""
        if self.weights is None:
            return int(self.rows if mask is None else np.count_nonzero(mask))
        w = np.asarray(self.weights, dtype=np.int64)
        return int(w.sum() if mask is None else w[mask].sum())

    def describe_row(self, i: int, reason: str) -> Spoiled:
        receipt = self.receipts[i] if self.receipts is not None else None
        line = int(self.lines[i]) if self.lines is not None else None
        count = int(self.weights[i]) if self.weights is not None else 1
        index = int(self.positions[i]) if self.positions is not None else i
        return Spoiled(index=index, receipt=receipt, reason=reason, line=line, count=count)


@dataclass(frozen=True)
class Result:
    """The outcome of a count: plain data, JSON-serialisable through :meth:`to_json`.

    - ``winners``: the elected options (``seats`` of them, fewer only if there are fewer options).
    - ``ranking``: every option, best first (the method's own full order, ties resolved).
    - ``scores``: option -> method-specific score (see docs/tally.md for each method).
    - ``ballots``: ballots counted (blank and spoiled ones excluded).
    - ``blank``: ballots that express nothing (no choice, no ranked option, no grade).
    - ``spoiled``: ballots not counted, each with its receipt, line and reason.
    - ``ties``: every tie that the tie-break rule had to resolve, in words.
    - ``details``: method-specific extras (pairwise matrix, rounds, quota...).
    """

    method: str
    options: tuple[str, ...]
    seats: int
    winners: tuple[str, ...]
    ranking: tuple[str, ...]
    scores: dict[str, Any]
    ballots: int
    blank: int = 0
    spoiled: tuple[Spoiled, ...] = ()
    ties: tuple[str, ...] = ()
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def spoiled_count(self) -> int:
        return sum(s.count for s in self.spoiled)

    def to_json(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "ballots": self.ballots,
            "blank": self.blank,
            "seats": self.seats,
            "winners": list(self.winners),
            "ranking": list(self.ranking),
            "scores": self.scores,
            "spoiled": {
                "count": sum(s.count for s in self.spoiled),
                "ballots": [s.to_json() for s in self.spoiled],
            },
            "ties": list(self.ties),
            "details": self.details,
        }


# --- tie-break order -------------------------------------------------------------------------


def tiebreak_order(
    options: Sequence[str], tiebreak: Sequence[str] | None = None, seed: str | None = None
) -> list[str]:
    """The final tie-break order, highest priority first.

    - ``tiebreak`` given: that order (it must list every option exactly once);
    - else ``seed`` given: options sorted by ``sha256(seed + "\\n" + name)`` (hex digest), a
      random-looking order that anyone can recompute once the seed is published;
    - else: options sorted by name (Unicode code points, Python's ``sorted``).
    """
    if tiebreak is not None:
        order = list(tiebreak)
        if sorted(order) != sorted(options):
            raise TallyError("the tie-break order must list every option exactly once")
        return order
    if seed is not None:
        return sorted(options, key=lambda o: hashlib.sha256(f"{seed}\n{o}".encode()).hexdigest())
    return sorted(options)


def priority(options: Sequence[str], order: Sequence[str]) -> np.ndarray:
    """``priority[j]`` = position of option j in the tie-break order (0 = wins every tie)."""
    pos = {name: i for i, name in enumerate(order)}
    return np.array([pos[o] for o in options], dtype=np.int64)


def check_seats(seats: int, options: Sequence[str]) -> int:
    if seats < 1:
        raise TallyError("seats must be at least 1")
    return min(seats, len(options))


def check_kind(ballots: Ballots, kind: Kind, method: str) -> None:
    if ballots.kind != kind:
        raise TallyError(f"{method} counts {kind} ballots, got {ballots.kind} ballots")


def sort_by_key_then_priority(
    keys: Sequence[Any], prio: np.ndarray, idx: Sequence[int]
) -> list[int]:
    """Indices ``idx`` sorted by ``keys[i]`` descending, ties by tie-break priority."""
    return sorted(idx, key=lambda i: (_neg(keys[i]), int(prio[i])))


def _neg(k: Any) -> Any:
    if isinstance(k, tuple):
        return tuple(-x for x in k)
    return -k


def ties_note(names: Sequence[str], what: str, chosen: str) -> str:
    return f"{what}: {', '.join(names)} tied; {chosen} chosen by the tie-break order"
