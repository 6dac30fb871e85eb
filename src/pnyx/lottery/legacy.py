"""The legacy method: greedy random selection, one person at a time.

At each of the k steps, a person is drawn uniformly among the volunteers not yet selected
whose addition still leaves the quotas satisfiable (some valid panel contains everyone chosen
so far plus them). Implemented with rejection: draw uniformly among people of profiles not
yet known to be blocked; if the drawn person's profile cannot be added, mark it blocked (it
stays blocked, as counts only grow) and draw again. This is the "classic" selection that the
Sortition Foundation's legacy algorithm approximates; it is what organizers compare to.

Its selection probabilities have no closed form: they are estimated by Monte Carlo (runs with
stream purposes "montecarlo-0", "montecarlo-1"... keyed by the problem digest) and published
as estimates.
"""

from __future__ import annotations

import hashlib

import numpy as np

from ._solver import CountModel
from .distribution import Distribution
from .leximin import Progress
from .model import Problem, canonical_json
from .rng import SeededStream


def greedy_panel(
    problem: Problem, stream: SeededStream, model: CountModel | None = None
) -> list[int]:
    """One legacy panel (person indices, in order of selection).

    Feasibility of "counts so far + one of profile t" is a mathematical fact (computed with a
    MIP, cached with a witness panel), so the result depends only on the stream.
    """
    model = model or CountModel(problem)
    T = problem.n_profiles
    counts = np.zeros(T, dtype=np.int64)
    witness = model.completion(counts)
    if witness is None:
        raise ValueError("no panel meets the quotas (run the diagnosis first)")
    remaining = [list(m) for m in problem.profile_members]  # ascending person index = id order
    blocked = np.zeros(T, dtype=bool)
    chosen: list[int] = []
    for _ in range(problem.k):
        while True:
            open_ts = [t for t in range(T) if not blocked[t] and remaining[t]]
            total = sum(len(remaining[t]) for t in open_ts)
            r = stream.below(total)
            for t in open_ts:
                if r < len(remaining[t]):
                    break
                r -= len(remaining[t])
            if witness[t] <= counts[t]:
                trial = counts.copy()
                trial[t] += 1
                found = model.completion(trial)
                if found is None:
                    blocked[t] = True
                    continue
                witness = found
            person = remaining[t].pop(r)
            counts[t] += 1
            chosen.append(person)
            break
    return chosen


def problem_digest(problem: Problem) -> str:
    return hashlib.sha256(
        canonical_json({**problem.canonical(), "pool": problem.pool.digest()})
    ).hexdigest()


def legacy_distribution(
    problem: Problem, runs: int = 500, progress: Progress | None = None
) -> Distribution:
    """The legacy method with Monte Carlo estimates of its selection probabilities."""
    model = CountModel(problem)
    digest = problem_digest(problem)
    totals = np.zeros(problem.n_profiles)
    if progress:
        progress(0, runs, "Monte Carlo")
    for r in range(runs):
        stream = SeededStream("pnyx-monte-carlo", digest, f"montecarlo-{r}")
        chosen = greedy_panel(problem, stream, model)
        np.add.at(totals, problem.person_profile[chosen], 1.0)
        if progress:
            progress(r + 1, runs, "Monte Carlo")
    prob = totals / max(runs, 1) / problem.profile_size
    return Distribution(problem, "legacy", (), prob, runs)
