"""The thin adapter between the draws models and the pure engine `pnyx.lottery`.

Nothing here draws anything: it turns a pool snapshot and a draw's quotas into the engine's
plain data (Pool, Problem, Quota), derives the feature bands, and computes quota suggestions.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import secrets
from collections import Counter
from collections.abc import Iterable

from pnyx import lottery

from .models import FEATURES, GROUP_COLUMN, Draw, Pool, PoolEntry

AGE_BANDS: tuple[tuple[int, str], ...] = (
    (25, "<25"),
    (35, "25-34"),
    (45, "35-44"),
    (55, "45-54"),
    (65, "55-64"),
    (10_000, "65+"),
)
SENIORITY_BANDS: tuple[tuple[int, str], ...] = ((2, "0-1y"), (5, "2-4y"), (10_000, "5y+"))

# Crockford's base 32: no I, L, O, U (nothing to misread when a member reads out their code).
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def age_band(birth_year: int, on: dt.date) -> str:
    age = on.year - birth_year
    return next(label for limit, label in AGE_BANDS if age < limit)


def seniority_band(joined_on: dt.date, on: dt.date) -> str:
    years = on.year - joined_on.year - ((on.month, on.day) < (joined_on.month, joined_on.day))
    return next(label for limit, label in SENIORITY_BANDS if years < limit)


def new_code(taken: set[str], length: int = 8, prefix: str = "") -> str:
    """A random public code such as 7K3M-9QX2, not in `taken` (which it joins)."""
    while True:
        raw = "".join(secrets.choice(_ALPHABET) for _ in range(length))
        code = prefix + (f"{raw[:4]}-{raw[4:]}" if length == 8 else raw)
        if code not in taken:
            taken.add(code)
            return code


def band_order(feature: str) -> list[str] | None:
    """The natural order of a banded feature's values (None: alphabetical)."""
    if feature == "age":
        return [label for _, label in AGE_BANDS]
    if feature == "seniority":
        return [label for _, label in SENIORITY_BANDS]
    return None


def sort_values(feature: str, values: Iterable[str]) -> list[str]:
    order = band_order(feature)
    values = list(values)
    if order is None:
        return sorted(values)
    return sorted(values, key=lambda v: (order.index(v) if v in order else len(order), v))


# --- pools -----------------------------------------------------------------------------------


def snapshot_pool(pool: Pool) -> lottery.Pool:
    """The whole snapshot (every feature and the group code) as an engine pool."""
    records = [
        {"id": e.code, **{f: e.value(f) for f in FEATURES}, GROUP_COLUMN: e.action_group}
        for e in pool.entries.all()
    ]
    return lottery.Pool.from_records(records, [*FEATURES, GROUP_COLUMN])


def value_counts(pool: Pool, feature: str) -> dict[str, int]:
    counts = Counter(pool.entries.values_list(feature, flat=True))
    return {v: counts[v] for v in sort_values(feature, counts)}


# --- draws -----------------------------------------------------------------------------------


def used_features(draw: Draw) -> list[str]:
    """Features with at least one quota row, in the canonical order."""
    have = set(draw.quotas.values_list("feature", flat=True))
    return [f for f in FEATURES if f in have]


def draw_pool(draw: Draw) -> lottery.Pool:
    """The pool a draw publishes: codes, the features it has quotas on, and the group column
    when an "at most N per action group" rule applies. Nothing else leaves the server."""
    features = used_features(draw)
    columns = [*features, GROUP_COLUMN] if draw.max_per_group else features
    records = []
    for e in draw.pool.entries.all():
        rec = {"id": e.code, **{f: e.value(f) for f in features}}
        if draw.max_per_group:
            rec[GROUP_COLUMN] = e.action_group
        records.append(rec)
    return lottery.Pool.from_records(records, columns)


def engine_quotas(draw: Draw) -> tuple[lottery.Quota, ...]:
    return tuple(
        lottery.Quota(q.feature, q.value, q.min, q.max) for q in draw.quotas.order_by("pk")
    )


def build_problem(draw: Draw) -> lottery.Problem:
    """Raises lottery.DataError when the quotas do not cover the pool (e.g. a missing value)."""
    group = lottery.GroupLimit(GROUP_COLUMN, draw.max_per_group) if draw.max_per_group else None
    return lottery.Problem(draw_pool(draw), engine_quotas(draw), draw.size, group)


_loaded: dict[str, lottery.Distribution] = {}


def load_distribution(draw: Draw) -> lottery.Distribution:
    """The published DIST.json, read back and checked by the engine.

    Parsed distributions are kept per SHA-256 of their bytes (immutable content, so a cache
    that another process never needs), which keeps a series of replacements fast."""
    data = bytes(draw.distribution)
    digest = hashlib.sha256(data).hexdigest()
    dist = _loaded.get(digest)
    if dist is None:
        dist = lottery.Distribution.from_bytes(data, f"draw {draw.pk} DIST.json")
        if len(_loaded) >= 4:
            _loaded.pop(next(iter(_loaded)))
        _loaded[digest] = dist
    return dist


def profile_table(dist: lottery.Distribution) -> list[dict]:
    """Per profile: its feature values, group, size and selection probability (compact, no ids)."""
    pr = dist.problem
    return [
        {
            "values": list(pr.profile_values[t]),
            "group": pr.profile_group[t],
            "size": int(pr.profile_size[t]),
            "probability": float(dist.profile_probability[t]),
        }
        for t in range(pr.n_profiles)
    ]


def entry_probability(draw: Draw, entry: PoolEntry) -> float | None:
    """The selection probability of one pool entry (from the stored profile table)."""
    group = (entry.action_group or None) if draw.max_per_group else None
    values = [entry.value(f) for f in draw.features]
    for p in draw.profiles:
        if p["values"] == values and p["group"] == group:
            return p["probability"]
    return None


# --- quota helpers ---------------------------------------------------------------------------


def proportional(
    counts: dict[str, int], k: int, tolerance: float = 0.0
) -> dict[str, tuple[int, int]]:
    """Seats proportional to the pool: min = floor, max = ceil of k * share, widened by
    `tolerance` (0.1 = 10 % either side); never more seats than people."""
    n = sum(counts.values())
    out = {}
    for value, c in counts.items():
        target = k * c / n if n else 0.0
        lo = max(0, math.floor(target * (1 - tolerance)))
        hi = min(c, math.ceil(target * (1 + tolerance)))
        out[value] = (lo, max(lo, hi))
    return out


def parity(
    counts: dict[str, int], k: int, tolerance: float = 0.0, women: str = "F", men: str = "M"
) -> dict[str, tuple[int, int]]:
    """Gender parity: as many women as men; other values proportional to the pool."""
    others = {v: c for v, c in counts.items() if v not in (women, men)}
    n = sum(counts.values())
    out = {}
    for value, c in others.items():
        target = k * c / n if n else 0.0
        lo = max(0, math.floor(target * (1 - tolerance)))
        out[value] = (lo, max(lo, min(c, math.ceil(target * (1 + tolerance)))))
    rest_min = k - sum(hi for _, hi in out.values())
    rest_max = k - sum(lo for lo, _ in out.values())
    lo = max(0, math.floor(rest_min / 2 * (1 - tolerance)))
    hi = math.ceil(rest_max / 2 * (1 + tolerance))
    for value in (women, men):
        if value in counts:
            out[value] = (lo, max(lo, min(counts[value], hi)))
    return {v: out[v] for v in counts}
