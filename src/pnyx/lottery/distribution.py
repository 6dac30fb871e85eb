"""The published distribution (DIST.json), seeded sampling and verification."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property

import numpy as np

from .model import DataError, GroupLimit, Pool, Problem, Quota, canonical_json
from .rng import SeededStream

FORMAT = "pnyx-lottery-distribution/1"
WEIGHT_SCALE = 10**12  # panel probabilities are published as integer weights of about this sum


@dataclass(frozen=True)
class Panel:
    """One panel of the distribution: seats per profile (sparse) and an integer weight.

    Its probability is weight / Distribution.weight_total."""

    counts: tuple[tuple[int, int], ...]
    weight: int

    def dense(self, n_profiles: int) -> np.ndarray:
        c = np.zeros(n_profiles, dtype=np.int64)
        for t, n in self.counts:
            c[t] = n
        return c


@dataclass(frozen=True)
class Distribution:
    """A lottery over panels for a problem.

    For `leximin`, `panels` lists the panels and the probabilities are exact: a person of
    profile t is selected with probability sum_p weight_p * count_p[t] / (weight_total *
    size[t]). For `legacy`, `panels` is empty: sampling runs the greedy algorithm, and the
    probabilities are Monte Carlo estimates over `monte_carlo_runs` runs.
    """

    problem: Problem
    method: str
    panels: tuple[Panel, ...]
    profile_probability: np.ndarray
    monte_carlo_runs: int = 0
    stats: dict[str, object] = field(default_factory=dict, compare=False)

    @property
    def estimated(self) -> bool:
        return self.method == "legacy"

    @property
    def weight_total(self) -> int:
        return sum(p.weight for p in self.panels)

    @property
    def person_probability(self) -> np.ndarray:
        """Selection probability of each person, in pool order (sorted ids)."""
        return self.profile_probability[self.problem.person_profile]

    def probabilities(self) -> dict[str, float]:
        return dict(zip(self.problem.pool.ids, self.person_probability.tolist(), strict=True))

    def summary(self) -> dict[str, object]:
        p = self.person_probability
        return {
            "method": self.method,
            "n": len(self.problem.pool),
            "k": self.problem.k,
            "profiles": self.problem.n_profiles,
            "min_probability": float(p.min()) if len(p) else 0.0,
            "max_probability": float(p.max()) if len(p) else 0.0,
            "gini": gini(p),
            "panels": len(self.panels),
            "probabilities_estimated": self.estimated,
        }

    # -- DIST.json ---------------------------------------------------------------------------
    def as_json(self) -> dict[str, object]:
        pr = self.problem
        ids = pr.pool.ids
        return {
            "format": FORMAT,
            "method": self.method,
            **pr.canonical(),
            "pool": {**pr.pool.canonical(), "n": len(pr.pool), "digest": pr.pool.digest()},
            "profiles": [
                {
                    "values": list(pr.profile_values[t]),
                    "group": pr.profile_group[t],
                    "members": [ids[i] for i in pr.profile_members[t]],
                    "probability": float(self.profile_probability[t]),
                }
                for t in range(pr.n_profiles)
            ],
            "panels": [
                {"weight": p.weight, "counts": [list(tc) for tc in p.counts]} for p in self.panels
            ],
            "weight_total": self.weight_total,
            "monte_carlo_runs": self.monte_carlo_runs,
            "summary": self.summary(),
        }

    @cached_property
    def _bytes(self) -> bytes:
        return canonical_json(self.as_json())

    def to_bytes(self) -> bytes:
        """The DIST.json file: canonical JSON (sorted keys, no spaces, UTF-8, no newline)."""
        return self._bytes

    @cached_property
    def digest(self) -> str:
        """SHA-256 (hex) of `to_bytes()`: the digest to publish before the seed is known."""
        return hashlib.sha256(self.to_bytes()).hexdigest()

    @classmethod
    def from_bytes(cls, data: bytes, file: str = "DIST.json") -> Distribution:
        """Read and check a DIST.json: pool digest, profiles, panels' validity, probabilities."""
        try:
            obj = json.loads(data.decode("utf-8"))
            if obj.get("format") != FORMAT:
                raise DataError(f"not a {FORMAT} file", file=file, field="format")
            pool_obj = obj["pool"]
            columns = list(pool_obj["columns"])
            rows = pool_obj["rows"]
            pool = Pool(
                ids=tuple(str(r[0]) for r in rows),
                columns=tuple(columns),
                rows=tuple(tuple(str(v) for v in r[1:]) for r in rows),
                id_column=str(pool_obj["id_column"]),
            )
            group = obj["group"]
            problem = Problem(
                pool=pool,
                quotas=tuple(
                    Quota(str(q["feature"]), str(q["value"]), int(q["min"]), int(q["max"]))
                    for q in obj["quotas"]
                ),
                k=int(obj["k"]),
                group=None
                if group is None
                else GroupLimit(str(group["column"]), int(group["max_per_group"])),
                features=tuple(obj["features"]),
            )
            panels = tuple(
                Panel(tuple((int(t), int(c)) for t, c in p["counts"]), int(p["weight"]))
                for p in obj["panels"]
            )
            profiles = obj["profiles"]
            method = str(obj["method"])
            runs = int(obj.get("monte_carlo_runs", 0))
        except DataError:
            raise
        except (KeyError, TypeError, ValueError, IndexError, AttributeError) as e:
            raise DataError(f"malformed distribution ({type(e).__name__}: {e})", file=file) from e
        if list(pool.ids) != sorted(pool.ids) or len(set(pool.ids)) != len(pool.ids):
            raise DataError("pool rows are not sorted by unique id", file=file, field="pool")
        if pool.digest() != pool_obj.get("digest"):
            raise DataError("pool digest does not match the pool rows", file=file, field="pool")
        ids = pool.ids
        expected = [
            (
                list(problem.profile_values[t]),
                problem.profile_group[t],
                [ids[i] for i in problem.profile_members[t]],
            )
            for t in range(problem.n_profiles)
        ]
        listed = [(p["values"], p["group"], p["members"]) for p in profiles]
        if expected != listed:
            raise DataError("profiles do not match the pool", file=file, field="profiles")
        if method not in ("leximin", "legacy"):
            raise DataError(f"unknown method {method!r}", file=file, field="method")
        if method == "leximin" and not panels:
            raise DataError("a leximin distribution needs panels", file=file, field="panels")
        for n, p in enumerate(panels):
            if p.weight <= 0:
                raise DataError(f"panel {n} has a non-positive weight", file=file, field="panels")
            if any(not 0 <= t < problem.n_profiles for t, _ in p.counts):
                raise DataError(f"panel {n} names an unknown profile", file=file, field="panels")
            bad = problem.check_counts(p.dense(problem.n_profiles))
            if bad:
                raise DataError(f"panel {n} is not valid: {bad[0]}", file=file, field="panels")
        if method == "leximin":
            prob = exact_probabilities(problem, panels)
        else:
            prob = np.array([float(p["probability"]) for p in profiles])
        return cls(problem, method, panels, prob, runs)


def exact_probabilities(problem: Problem, panels: tuple[Panel, ...]) -> np.ndarray:
    """Marginal probability of each profile's members, from the integer weights."""
    total = sum(p.weight for p in panels)
    num = [0] * problem.n_profiles
    for p in panels:
        for t, c in p.counts:
            num[t] += p.weight * c
    size = problem.profile_size
    return np.array([float(Fraction(num[t], total * int(size[t]))) for t in range(len(num))])


def make_distribution(
    problem: Problem, method: str, panel_counts: np.ndarray, probabilities: np.ndarray
) -> Distribution:
    """Turn solver output (counts per panel, float probabilities) into integer weights, with
    panels in canonical order (ascending sparse counts)."""
    weights = np.rint(np.asarray(probabilities) * WEIGHT_SCALE).astype(np.int64)
    panels = []
    for c, w in zip(panel_counts, weights, strict=True):
        if w > 0:
            counts = tuple((int(t), int(c[t])) for t in np.flatnonzero(c))
            panels.append(Panel(counts, int(w)))
    panels.sort(key=lambda p: p.counts)
    merged: list[Panel] = []
    for p in panels:
        if merged and merged[-1].counts == p.counts:
            merged[-1] = Panel(p.counts, merged[-1].weight + p.weight)
        else:
            merged.append(p)
    panels_t = tuple(merged)
    return Distribution(problem, method, panels_t, exact_probabilities(problem, panels_t))


def gini(x: np.ndarray) -> float:
    """Gini coefficient: sum_ij |x_i - x_j| / (2 n^2 mean)."""
    x = np.sort(np.asarray(x, dtype=float))
    n = len(x)
    if n == 0 or x.sum() <= 0:
        return 0.0
    i = np.arange(1, n + 1)
    return float((2 * (i * x).sum()) / (n * x.sum()) - (n + 1) / n)


def sample_panel(dist: Distribution, seed: str, digest: str | None = None) -> list[str]:
    """The panel (ids, sorted) that `seed` draws from `dist`; see docs/lottery.md.

    Stream purpose "panel". Leximin: r = below(weight_total) picks the first panel whose
    cumulative weight exceeds r; then, for each (profile, count) in listed order, `count`
    members are drawn with `sample` from the profile's member ids (ascending). Legacy: the
    greedy algorithm of pnyx.lottery.legacy, with the same stream.
    """
    digest = digest or dist.digest
    stream = SeededStream(seed, digest, "panel")
    pr = dist.problem
    if dist.method == "legacy":
        from .legacy import greedy_panel

        chosen = greedy_panel(pr, stream)
        return sorted(pr.pool.ids[i] for i in chosen)
    r = stream.below(dist.weight_total)
    acc = 0
    for panel in dist.panels:
        acc += panel.weight
        if r < acc:
            break
    ids = pr.pool.ids
    chosen_ids: list[str] = []
    for t, c in panel.counts:
        chosen_ids += stream.sample([ids[i] for i in pr.profile_members[t]], c)
    return sorted(chosen_ids)
