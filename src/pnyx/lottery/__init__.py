"""Pure sortition engine: pools, quotas, feasibility diagnosis, fair panel distributions
(leximin), verifiable seeded sampling and replacements. No Django here.

Typical use (what the `draws` app does)::

    from pnyx.lottery import Pool, Quota, Problem, diagnose, compute_distribution, sample_panel

    pool = Pool.from_records(rows, columns=["gender", "region"], id_column="id")
    problem = Problem(pool, quotas=(Quota("gender", "F", 95, 105), ...), k=200)
    diagnosis = diagnose(problem)            # Diagnosis(feasible, changes)
    dist = compute_distribution(problem)     # Distribution (raises InfeasibleError)
    publish(dist.to_bytes(), dist.digest)    # DIST.json and its SHA-256
    panel = sample_panel(dist, seed)         # sorted ids, once the seed is known
    r = draw_replacement(dist, seed, panel, declined="p17", number=1)

See docs/lottery.md for the method, the exact sampling algorithm and the DIST.json schema.
"""

from __future__ import annotations

from .diagnosis import Diagnosis, QuotaChange, diagnose
from .distribution import Distribution, Panel, gini, make_distribution, sample_panel
from .leximin import Progress, leximin_panels
from .model import (
    DataError,
    GroupLimit,
    InfeasibleError,
    LotteryError,
    Pool,
    Problem,
    Quota,
)
from .replacement import (
    NoReplacementError,
    Replacement,
    draw_replacement,
    replacement_candidates,
    replay_replacements,
)
from .rng import SeededStream

METHODS = ("leximin", "legacy")


def compute_distribution(
    problem: Problem,
    method: str = "leximin",
    *,
    progress: Progress | None = None,
    monte_carlo_runs: int = 500,
) -> Distribution:
    """The distribution to publish. Diagnoses first and raises InfeasibleError (carrying the
    Diagnosis) when no panel meets the quotas. `progress(done, total, message)` is called
    while the solver works. `monte_carlo_runs` only applies to `legacy`."""
    diagnosis = diagnose(problem)
    if not diagnosis.feasible:
        raise InfeasibleError(diagnosis)
    if method == "leximin":
        panels, probs = leximin_panels(problem, progress)
        return make_distribution(problem, "leximin", panels, probs)
    if method == "legacy":
        from .legacy import legacy_distribution

        return legacy_distribution(problem, monte_carlo_runs, progress)
    raise ValueError(f"unknown method {method!r} (choose from {', '.join(METHODS)})")


def verify_panel(
    dist: Distribution, seed: str, panel: list[str], digest: str | None = None
) -> list[str]:
    """Why `panel` (ids) is not what `seed` draws from `dist`; an empty list if it is."""
    expected = set(sample_panel(dist, seed, digest))
    given = set(panel)
    reasons = []
    if len(given) != len(panel):
        reasons.append("the panel lists someone twice")
    extra = sorted(given - expected)
    missing = sorted(expected - given)
    if extra:
        reasons.append(f"not drawn but on the panel: {', '.join(extra[:10])}")
    if missing:
        reasons.append(f"drawn but missing from the panel: {', '.join(missing[:10])}")
    return reasons


__all__ = [
    "METHODS",
    "DataError",
    "Diagnosis",
    "Distribution",
    "GroupLimit",
    "InfeasibleError",
    "LotteryError",
    "NoReplacementError",
    "Panel",
    "Pool",
    "Problem",
    "Progress",
    "Quota",
    "QuotaChange",
    "Replacement",
    "SeededStream",
    "compute_distribution",
    "diagnose",
    "draw_replacement",
    "gini",
    "leximin_panels",
    "make_distribution",
    "replacement_candidates",
    "replay_replacements",
    "sample_panel",
    "verify_panel",
]
