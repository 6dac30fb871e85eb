"""The composition of a representative assembly: colleges, their seats, eligibility and quotas.

Pure code (no Django): an assembly is a list of colleges; a *drawn* college fills its seats by
lot among its eligible people under quotas, a *designated* college's seats are entered by
organizers (people designated by a body). `check_composition` says, college by college and
quota by quota, why a composition cannot be drawn; it uses the engine's feasibility
diagnosis (`pnyx.lottery.diagnose`) for quotas that are each possible but not together.

Quota rules per feature (`QuotaRule.kind`):

- ``parity``: as many women (``F``) as men (``M``), other values in proportion to the pool;
- ``proportional``: each value in proportion to the eligible people, ⌊k·c/n⌋ … ⌈k·c/n⌉
  (widened by `tolerance`);
- ``one_each``: exactly one seat per value (one leader per département: the college has as
  many seats as there are values).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .diagnosis import diagnose
from .model import Pool, Problem, Quota

QUOTA_KINDS = ("parity", "proportional", "one_each")


@dataclass(frozen=True)
class QuotaRule:
    feature: str
    kind: str  # one of QUOTA_KINDS
    tolerance: float = 0.0


@dataclass(frozen=True)
class College:
    """`drawn` colleges are drawn by lot among `Pool` people; designated ones are entered."""

    name: str
    seats: int
    drawn: bool = True
    rules: tuple[QuotaRule, ...] = field(default=())


@dataclass(frozen=True)
class CompositionProblem:
    """Why a college cannot be composed; `quota` names the quota ("gender=F") when one is at
    fault, empty otherwise."""

    college: str
    message: str
    quota: str = ""
    kind: str = ""  # a stable name of the problem, for translated messages
    params: dict = field(default_factory=dict, compare=False)

    def __str__(self) -> str:
        where = f"college {self.college!r}" + (f", quota {self.quota}" if self.quota else "")
        return f"{where}: {self.message}"


def feature_counts(pool: Pool, feature: str) -> dict[str, int]:
    counts = Counter(pool.column(feature))
    return {v: counts[v] for v in sorted(counts)}


def rule_quotas(rule: QuotaRule, counts: Mapping[str, int], k: int) -> list[Quota]:
    """The quota rows a rule gives for `k` seats among people with these value counts."""
    n = sum(counts.values())
    t = rule.tolerance

    def share(c: int) -> tuple[int, int]:
        target = k * c / n if n else 0.0
        lo = max(0, math.floor(target * (1 - t)))
        hi = min(c, math.ceil(target * (1 + t)))
        return lo, max(lo, hi)

    out: dict[str, tuple[int, int]] = {}
    if rule.kind == "proportional":
        out = {v: share(c) for v, c in counts.items()}
    elif rule.kind == "one_each":
        out = {v: (1, 1) for v in counts}
    elif rule.kind == "parity":
        others = {v: share(c) for v, c in counts.items() if v not in ("F", "M")}
        rest_min = k - sum(hi for _, hi in others.values())
        rest_max = k - sum(lo for lo, _ in others.values())
        lo = max(0, math.floor(rest_min / 2 * (1 - t)))
        hi = math.ceil(rest_max / 2 * (1 + t))
        out = dict(others)
        for v in ("F", "M"):
            # Parity holds even when one side is short: its bound is not cut to the people
            # there are, so that check_composition names the missing ones.
            out[v] = (lo, max(lo, hi))
    else:
        raise ValueError(f"unknown quota rule {rule.kind!r} (choose from {', '.join(QUOTA_KINDS)})")
    return [Quota(rule.feature, v, lo, hi) for v, (lo, hi) in sorted(out.items())]


def college_quotas(college: College, pool: Pool) -> list[Quota]:
    quotas: list[Quota] = []
    for rule in college.rules:
        quotas += rule_quotas(rule, feature_counts(pool, rule.feature), college.seats)
    return quotas


def check_college(college: College, pool: Pool | None) -> list[CompositionProblem]:
    """Every reason why `college` cannot be drawn from `pool` (empty: it can)."""
    name = college.name
    if college.seats < 1:
        return [CompositionProblem(name, "a college needs at least one seat")]
    if not college.drawn:
        if college.rules:
            return [
                CompositionProblem(name, "a designated college takes no quotas", kind="designated")
            ]
        return []
    if pool is None or len(pool) < college.seats:
        n = 0 if pool is None else len(pool)
        return [
            CompositionProblem(
                name,
                f"{n} eligible people for {college.seats} seats",
                kind="too_few",
                params={"n": n, "seats": college.seats},
            )
        ]
    problems: list[CompositionProblem] = []
    seen = set()
    for rule in college.rules:
        if rule.feature in seen:
            problems.append(CompositionProblem(name, f"two rules on {rule.feature!r}"))
        seen.add(rule.feature)
        if rule.feature not in pool.columns:
            problems.append(CompositionProblem(name, f"no feature {rule.feature!r} in the pool"))
        if rule.kind not in QUOTA_KINDS:
            problems.append(CompositionProblem(name, f"unknown quota rule {rule.kind!r}"))
    if problems:
        return problems
    quotas = college_quotas(college, pool)
    for rule in college.rules:
        counts = feature_counts(pool, rule.feature)
        if rule.kind == "one_each" and len(counts) != college.seats:
            problems.append(
                CompositionProblem(
                    name,
                    f"one seat per value of {rule.feature} needs {len(counts)} seats, "
                    f"not {college.seats}",
                    f"{rule.feature}=each",
                    kind="one_each",
                    params={"values": len(counts), "seats": college.seats},
                )
            )
        for q in quotas:
            if q.feature == rule.feature and q.min > counts.get(q.value, 0):
                problems.append(
                    CompositionProblem(
                        name,
                        f"at least {q.min} seats but only {counts.get(q.value, 0)} eligible",
                        f"{q.feature}={q.value}",
                        kind="min_over_eligible",
                        params={"min": q.min, "n": counts.get(q.value, 0)},
                    )
                )
    if problems:
        return problems
    diagnosis = diagnose(Problem(project(pool, _features(college)), tuple(quotas), college.seats))
    if not diagnosis.feasible:
        if not diagnosis.changes:
            return [CompositionProblem(name, f"no panel can be drawn: {diagnosis.reason}")]
        return [
            CompositionProblem(
                name,
                f"the quotas cannot all be met; {c}",
                f"{c.feature}={c.value}",
                kind="infeasible",
                params={"change": str(c)},
            )
            for c in diagnosis.changes
        ]
    return []


def _features(college: College) -> list[str]:
    return [r.feature for r in college.rules]


def project(pool: Pool, columns: Sequence[str]) -> Pool:
    """The same people with only `columns` (the features a draw uses and publishes)."""
    idx = [pool.columns.index(c) for c in columns]
    rows = tuple(tuple(row[j] for j in idx) for row in pool.rows)
    return Pool(pool.ids, tuple(columns), rows, pool.id_column)


def check_composition(
    colleges: Sequence[College], pools: Mapping[str, Pool]
) -> list[CompositionProblem]:
    """Every problem of an assembly's composition; `pools[name]` holds a drawn college's
    eligible people. Empty when each college can be composed."""
    problems: list[CompositionProblem] = []
    names = Counter(c.name for c in colleges)
    for n, count in sorted(names.items()):
        if not n.strip():
            problems.append(CompositionProblem(n, "a college needs a name"))
        elif count > 1:
            problems.append(CompositionProblem(n, "two colleges have this name", kind="duplicate"))
    for college in colleges:
        problems += check_college(college, pools.get(college.name))
    return problems
