"""Benchmark: Pnyx leximin vs the `sortition-algorithms` package (maximin and nash, HiGHS backend).

Run by hand (not in tests):

    .venv/bin/python bench/lottery.py                      # all pools, peer capped at 120 s
    .venv/bin/python bench/lottery.py --pools A --peer-timeout 600
    .venv/bin/python bench/lottery.py --skip-peer
    .venv/bin/python bench/lottery.py --pools B --seeds 1,2,3,4 --skip-peer   # other pools alike

Pools are synthetic and deterministic (Python's `random.Random(seed)`): each feature has
population shares; volunteers over- or under-represent some values (a volunteering bias), so
the pool is skewed against the population; quotas are proportional to the *population* with
some slack, as organizers set them. Targets (issue 3): A < 30 s, B < 10 min, C < 60 s for
Pnyx leximin. Each peer run happens in a separate process killed after --peer-timeout seconds
and reported as "> N s".
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import multiprocessing as mp
import os
import platform
import random
import sys
import time
from dataclasses import dataclass

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))

from pnyx.lottery import Pool, Problem, Quota, compute_distribution  # noqa: E402

Feature = tuple[str, dict[str, float], dict[str, float]]  # name, population shares, bias


def _feature(name: str, shares: list[float], bias: list[float]) -> Feature:
    values = [f"{name}{i + 1}" for i in range(len(shares))]
    return name, dict(zip(values, shares, strict=True)), dict(zip(values, bias, strict=True))


GENDER = _feature("gender", [0.51, 0.48, 0.01], [0.8, 1.25, 1.0])
REGION13 = _feature(
    "region",
    [0.18, 0.12, 0.10, 0.09, 0.08, 0.08, 0.07, 0.06, 0.06, 0.05, 0.05, 0.04, 0.02],
    [1.6, 1.1, 0.9, 1.0, 0.8, 1.2, 0.7, 1.0, 0.9, 0.6, 1.1, 0.8, 0.5],
)
AGE6 = _feature("age", [0.11, 0.16, 0.17, 0.18, 0.18, 0.20], [0.35, 0.7, 0.9, 1.1, 1.3, 1.4])
SENIORITY3 = _feature("seniority", [0.45, 0.35, 0.20], [0.7, 1.1, 1.6])
REGION8 = _feature(
    "region",
    [0.2, 0.16, 0.14, 0.12, 0.12, 0.1, 0.1, 0.06],
    [1.5, 1.0, 0.8, 1.1, 0.9, 0.7, 1.2, 0.6],
)
EDUCATION4 = _feature("education", [0.3, 0.3, 0.25, 0.15], [0.5, 0.9, 1.3, 1.8])
URBAN3 = _feature("urban", [0.4, 0.35, 0.25], [1.3, 1.0, 0.6])
OCCUPATION5 = _feature("occupation", [0.25, 0.25, 0.2, 0.15, 0.15], [0.8, 1.0, 1.2, 1.1, 0.9])
REGION9 = _feature(
    "region",
    [0.16, 0.14, 0.13, 0.12, 0.11, 0.1, 0.1, 0.08, 0.06],
    [1.5, 1.0, 0.8, 1.1, 0.9, 0.7, 1.2, 0.6, 1.0],
)


@dataclass(frozen=True)
class Spec:
    name: str
    n: int
    k: int
    features: tuple[Feature, ...]
    slack: float = 0.1
    seed: int = 1


SPECS = {
    # small enough for the peer to finish: a real ratio and an equality check of the minimum
    "S": Spec("S", 150, 15, (GENDER, AGE6, SENIORITY3)),
    "A": Spec("A", 2000, 200, (GENDER, REGION8)),
    "B": Spec("B", 1700, 110, (GENDER, AGE6, REGION9, EDUCATION4, URBAN3, SENIORITY3, OCCUPATION5)),
    "C": Spec("C", 20000, 1200, (GENDER, REGION13, AGE6, SENIORITY3)),
}


def make_problem(spec: Spec) -> Problem:
    """The synthetic pool and population-proportional quotas of `spec`, deterministically."""
    rnd = random.Random(spec.seed)
    records = []
    columns = [name for name, _, _ in spec.features]
    draws = []
    for name, shares, bias in spec.features:
        values = list(shares)
        weights = [shares[v] * bias[v] for v in values]
        draws.append((name, rnd.choices(values, weights, k=spec.n)))
    for i in range(spec.n):
        records.append({"id": f"v{i:05d}", **{name: col[i] for name, col in draws}})
    pool = Pool.from_records(records, columns)
    quotas = []
    for name, shares, _ in spec.features:
        have = {v: 0 for v in shares}
        for _, col in (d for d in draws if d[0] == name):
            for v in col:
                have[v] += 1
        for v, share in shares.items():
            target = spec.k * share
            lo = min(math.floor(target * (1 - spec.slack)), have[v])
            hi = max(math.ceil(target * (1 + spec.slack)), lo)
            quotas.append(Quota(name, v, lo, hi))
    return Problem(pool, tuple(quotas), spec.k)


def run_pnyx(problem: Problem) -> dict[str, object]:
    start = time.perf_counter()
    dist = compute_distribution(problem)
    seconds = time.perf_counter() - start
    s = dist.summary()
    return {"seconds": seconds, "min": s["min_probability"], "panels": s["panels"]}


def _peer_worker(spec: Spec, method: str, queue: mp.Queue) -> None:
    import contextlib
    import csv
    import io
    import logging

    logging.disable(logging.CRITICAL)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # the peer and HiGHS print banners and logs: keep the table clean
    from sortition_algorithms.adapters import CSVStringDataSource, SelectionData
    from sortition_algorithms.committee_generation.maximin import find_distribution_maximin
    from sortition_algorithms.committee_generation.nash import find_distribution_nash
    from sortition_algorithms.settings import Settings

    problem = make_problem(spec)
    quotas, people_csv = io.StringIO(), io.StringIO()
    w = csv.writer(quotas)
    w.writerow(["feature", "value", "min", "max"])
    for q in problem.quotas:
        w.writerow([q.feature, q.value, q.min, q.max])
    w = csv.writer(people_csv)
    w.writerow(["id", *problem.pool.columns])
    for pid, row in zip(problem.pool.ids, problem.pool.rows, strict=True):
        w.writerow([pid, *row])
    with contextlib.redirect_stdout(io.StringIO()):
        data = SelectionData(CSVStringDataSource(quotas.getvalue(), people_csv.getvalue()))
        features, _ = data.load_features(problem.k)
        people, _ = data.load_people(Settings(id_column="id", columns_to_keep=[]), features)
        find = find_distribution_maximin if method == "maximin" else find_distribution_nash
        start = time.perf_counter()
        committees, probs, _ = find(features, people, problem.k, [], "highspy")
        seconds = time.perf_counter() - start
    marginal = dict.fromkeys(problem.pool.ids, 0.0)
    for committee, p in zip(committees, probs, strict=True):
        for pid in committee:
            marginal[pid] += p
    queue.put({"seconds": seconds, "min": min(marginal.values()), "panels": len(committees)})


def run_peer(spec: Spec, method: str, timeout: float) -> dict[str, object]:
    ctx = mp.get_context("fork")
    queue: mp.Queue = ctx.Queue()
    proc = ctx.Process(target=_peer_worker, args=(spec, method, queue), daemon=True)
    start = time.perf_counter()
    proc.start()
    proc.join(timeout)
    if proc.is_alive():
        proc.terminate()
        proc.join()
        return {"seconds": None, "timeout": timeout}
    try:
        return queue.get(timeout=5)
    except Exception:  # noqa: BLE001 - the worker died: report it, keep benchmarking
        return {
            "seconds": None,
            "error": f"exit {proc.exitcode}",
            "wall": time.perf_counter() - start,
        }


def fmt_seconds(r: dict[str, object]) -> str:
    if r.get("seconds") is None:
        return f"> {r['timeout']:.0f} s" if "timeout" in r else str(r.get("error"))
    return f"{r['seconds']:.2f} s"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pools", default="S,A,B,C", help="which pools (S, A, B, C)")
    parser.add_argument("--peer-timeout", type=float, default=120.0, help="seconds per peer run")
    parser.add_argument("--peer-methods", default="maximin,nash")
    parser.add_argument("--skip-peer", action="store_true")
    parser.add_argument(
        "--seeds", default="1", help="pool generator seeds, e.g. 1,2,3 (other pools alike)"
    )
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
        f" ({platform.platform()}), load average {os.getloadavg()[0]:.1f} at start;"
        " timings are wall-clock and noisy on a shared machine"
    )
    print("compared: Pnyx leximin (profiles, relaxed leximin split by a walk, HiGHS)")
    print("          vs sortition-algorithms maximin and nash (per-person column generation,")
    print("          HiGHS backend)\n")
    header = f"{'pool':7} {'n':>6} {'k':>5} {'feat':>4} {'profiles':>8} {'method':22} "
    header += f"{'seconds':>10} {'lowest prob':>12} {'panels':>7} {'ratio':>8}"
    print(header)
    print("-" * len(header))
    runs = [
        dataclasses.replace(SPECS[name.strip()], seed=int(seed))
        for name in args.pools.split(",")
        for seed in args.seeds.split(",")
    ]
    for spec in runs:
        problem = make_problem(spec)
        ours = run_pnyx(problem)
        label = spec.name if spec.seed == 1 else f"{spec.name}/{spec.seed}"
        prefix = f"{label:7} {spec.n:>6} {spec.k:>5} {len(spec.features):>4} "
        prefix += f"{problem.n_profiles:>8} "
        print(
            f"{prefix}{'pnyx leximin':22} {fmt_seconds(ours):>10} {ours['min']:>12.6f} "
            f"{ours['panels']:>7} {'1.0':>8}",
            flush=True,
        )
        if args.skip_peer:
            continue
        for method in args.peer_methods.split(","):
            r = run_peer(spec, method, args.peer_timeout)
            if r.get("seconds") is None:
                ratio = f"> {args.peer_timeout / ours['seconds']:.0f}" if "timeout" in r else "-"
                low, panels = "-", "-"
            else:
                ratio = f"{r['seconds'] / ours['seconds']:.1f}"
                low, panels = f"{r['min']:.6f}", str(r["panels"])
            print(
                f"{prefix}{'sortition-alg. ' + method:22} {fmt_seconds(r):>10} {low:>12} "
                f"{panels:>7} {ratio:>8}",
                flush=True,
            )
    print("\nratio = peer seconds / Pnyx seconds; leximin's lowest probability must equal")
    print("maximin's (both maximise it); nash maximises the product instead.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
