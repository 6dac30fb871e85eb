"""Plain data for a draw: the pool, the quotas, the problem and its profiles (types).

A *profile* (or type) is one combination of feature values (and, when an "at most N per
group" limit applies, one group). People of the same profile are interchangeable for every
constraint, so the engine works on counts per profile rather than on individuals.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np


class LotteryError(Exception):
    """Base class of the engine's errors; the message is meant for an organizer."""


class DataError(LotteryError):
    """Bad input data. `where` names the file, line and field when known."""

    def __init__(self, message: str, *, file: str = "", line: int | None = None, field: str = ""):
        self.file, self.line, self.field = file, line, field
        where = ", ".join(
            p for p in (f"line {line}" if line else "", f"field {field!r}" if field else "") if p
        )
        prefix = ": ".join(p for p in (file, where) if p)
        super().__init__(f"{prefix}: {message}" if prefix else message)


class InfeasibleError(LotteryError):
    """No panel meets the quotas; `diagnosis` (a Diagnosis) says what to change."""

    def __init__(self, diagnosis: object):
        self.diagnosis = diagnosis
        super().__init__(str(diagnosis))


@dataclass(frozen=True, order=True)
class Quota:
    """At least `min` and at most `max` seats for people whose `feature` equals `value`."""

    feature: str
    value: str
    min: int
    max: int

    def as_dict(self) -> dict[str, object]:
        return {"feature": self.feature, "value": self.value, "min": self.min, "max": self.max}


@dataclass(frozen=True)
class GroupLimit:
    """At most `max_per_group` panel members share a value of `column` (household, action
    group...). An empty value means "in no group" and is not limited."""

    column: str
    max_per_group: int


@dataclass(frozen=True)
class Pool:
    """Volunteers in canonical order (sorted by id). `columns` excludes the id column and keeps
    the file's order; `rows[i]` holds person `ids[i]`'s values for `columns`."""

    ids: tuple[str, ...]
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    id_column: str = "id"

    @classmethod
    def from_records(
        cls, records: Iterable[Mapping[str, str]], columns: Sequence[str], id_column: str = "id"
    ) -> Pool:
        """Build a pool from mappings (e.g. csv.DictReader rows); sorts by id, rejects duplicates."""
        people: dict[str, tuple[str, ...]] = {}
        for record in records:
            pid = str(record[id_column])
            if pid in people:
                raise DataError(f"duplicate id {pid!r}", field=id_column)
            people[pid] = tuple(str(record[c]) for c in columns)
        ids = tuple(sorted(people))
        return cls(ids, tuple(columns), tuple(people[i] for i in ids), id_column)

    def __len__(self) -> int:
        return len(self.ids)

    def column(self, name: str) -> tuple[str, ...]:
        j = self.columns.index(name)
        return tuple(row[j] for row in self.rows)

    @cached_property
    def index(self) -> dict[str, int]:
        return {pid: i for i, pid in enumerate(self.ids)}

    def canonical(self) -> dict[str, object]:
        return {
            "id_column": self.id_column,
            "columns": list(self.columns),
            "rows": [[pid, *row] for pid, row in zip(self.ids, self.rows, strict=True)],
        }

    def digest(self) -> str:
        """SHA-256 of the canonical JSON of `canonical()` (see docs/lottery.md)."""
        return hashlib.sha256(canonical_json(self.canonical())).hexdigest()


def canonical_json(obj: object) -> bytes:
    """Sorted keys, no spaces, UTF-8: the bytes whose SHA-256 is a digest."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


@dataclass(frozen=True)
class Problem:
    """A pool, quotas on its features, a panel size and an optional group limit.

    `features` are the pool columns other than the group column. Every feature value present
    in the pool must have a quota (DataError otherwise). Derived arrays describe profiles:
    `profile_values[t]`, `profile_group[t]`, `profile_members[t]` (person indices, ascending
    id), `profile_size[t]`, `person_profile[i]`.
    """

    pool: Pool
    quotas: tuple[Quota, ...]
    k: int
    group: GroupLimit | None = None
    features: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        quotas = tuple(sorted(self.quotas))
        object.__setattr__(self, "quotas", quotas)
        cols = self.pool.columns
        if self.group is not None and self.group.column not in cols:
            raise DataError(f"group column {self.group.column!r} is not in the pool")
        if not self.features:
            feats = tuple(c for c in cols if self.group is None or c != self.group.column)
            object.__setattr__(self, "features", feats)
        if self.k < 0:
            raise DataError("panel size must be positive")
        seen: set[tuple[str, str]] = set()
        for q in quotas:
            if q.feature not in self.features:
                raise DataError(f"quota on unknown feature {q.feature!r}", field="feature")
            if (q.feature, q.value) in seen:
                raise DataError(f"two quota rows for {q.feature}={q.value}")
            seen.add((q.feature, q.value))
            if q.min < 0 or q.max < 0:
                raise DataError(f"negative quota for {q.feature}={q.value}")
        for f in self.features:
            for v in sorted(set(self.pool.column(f))):
                if (f, v) not in seen:
                    raise DataError(f"value {v!r} of feature {f!r} has no quota row", field=f)

    # -- profiles ---------------------------------------------------------------------------
    @cached_property
    def _profiles(self) -> tuple:
        fidx = [self.pool.columns.index(f) for f in self.features]
        gidx = self.pool.columns.index(self.group.column) if self.group else None
        keys: dict[tuple, list[int]] = {}
        for i, row in enumerate(self.pool.rows):
            values = tuple(row[j] for j in fidx)
            group = row[gidx] if gidx is not None and row[gidx] != "" else None
            keys.setdefault((values, group or ""), []).append(i)
        ordered = sorted(keys)
        person_profile = np.empty(len(self.pool), dtype=np.int64)
        for t, key in enumerate(ordered):
            person_profile[keys[key]] = t
        return (
            tuple(key[0] for key in ordered),
            tuple(key[1] or None for key in ordered),
            tuple(tuple(keys[key]) for key in ordered),
            person_profile,
        )

    @property
    def profile_values(self) -> tuple[tuple[str, ...], ...]:
        return self._profiles[0]

    @property
    def profile_group(self) -> tuple[str | None, ...]:
        return self._profiles[1]

    @property
    def profile_members(self) -> tuple[tuple[int, ...], ...]:
        return self._profiles[2]

    @property
    def person_profile(self) -> np.ndarray:
        return self._profiles[3]

    @cached_property
    def profile_size(self) -> np.ndarray:
        return np.array([len(m) for m in self.profile_members], dtype=np.int64)

    @property
    def n_profiles(self) -> int:
        return len(self.profile_members)

    @cached_property
    def quota_profiles(self) -> tuple[np.ndarray, ...]:
        """For each quota (in `quotas` order), the indices of the profiles it counts."""
        out = []
        for q in self.quotas:
            j = self.features.index(q.feature)
            out.append(
                np.array(
                    [t for t, vals in enumerate(self.profile_values) if vals[j] == q.value],
                    dtype=np.int32,
                )
            )
        return tuple(out)

    @cached_property
    def group_profiles(self) -> tuple[tuple[str, np.ndarray], ...]:
        """For each limited group (sorted), the indices of its profiles."""
        groups: dict[str, list[int]] = {}
        for t, g in enumerate(self.profile_group):
            if g is not None:
                groups.setdefault(g, []).append(t)
        return tuple((g, np.array(ts, dtype=np.int32)) for g, ts in sorted(groups.items()))

    def check_counts(self, counts: np.ndarray) -> list[str]:
        """Reasons why a vector of counts per profile is not a valid panel (empty if it is)."""
        counts = np.asarray(counts)
        bad = []
        if int(counts.sum()) != self.k:
            bad.append(f"panel has {int(counts.sum())} people, not {self.k}")
        if np.any(counts < 0) or np.any(counts > self.profile_size):
            bad.append("a profile has more seats than people")
        for q, ts in zip(self.quotas, self.quota_profiles, strict=True):
            c = int(counts[ts].sum())
            if not q.min <= c <= q.max:
                bad.append(f"{q.feature}={q.value} has {c} seats, quota is {q.min}..{q.max}")
        if self.group is not None:
            for g, ts in self.group_profiles:
                c = int(counts[ts].sum())
                if c > self.group.max_per_group:
                    bad.append(f"group {g!r} has {c} seats, at most {self.group.max_per_group}")
        return bad

    def counts_of(self, person_indices: Iterable[int]) -> np.ndarray:
        counts = np.zeros(self.n_profiles, dtype=np.int64)
        for i in person_indices:
            counts[self.person_profile[i]] += 1
        return counts

    def canonical(self) -> dict[str, object]:
        return {
            "k": self.k,
            "features": list(self.features),
            "group": None
            if self.group is None
            else {"column": self.group.column, "max_per_group": self.group.max_per_group},
            "quotas": [q.as_dict() for q in self.quotas],
        }
