"""Benchmark of the seating engine (run by hand: `python bench/seating.py [--ac-timeout S]`).

Compares, on the same deterministic synthetic populations (pnyx.seating.synthetic: ~52% women,
46% men, 2% other; 13 regions of realistic weights; ages 18-85 cut into 5 bands; action groups
of 1-6 people from one region), for 1,600 and 2,000 people in 3 parts, campaigns A,B,C over 3
steps, tables of 7-9, with and without --remix:

- Pnyx (`plan_hall`);
- a random assignment (random parts of the same sizes, random tables of the same sizes; with
  remix a fresh random layout per step);
- the `anti-clustering` package (PyPI), exchange heuristic, one run per part (and per step with
  remix), categorical columns gender, region, age band, action group, when it is importable and
  finishes within --ac-timeout seconds per part (it builds an n x n distance matrix and
  exchanges in Python); otherwise the output says so. `make bench-peers` installs it into
  .bench-peers/ (without its numpy<2 pin), which this script adds to its path.

All figures are computed by the same function (pnyx.seating.plan_stats): repeated pairs,
same-group pairs, gender-band violations (tables outside floor/ceil of the part's share),
seconds; the ratio is baseline seconds / Pnyx seconds. Also times the target: 2,000 people,
3 steps with remix + topics, under 2 s.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import platform
import random
import sys
import time
from pathlib import Path

import numpy as np

from pnyx.seating import Hall, Rules, Seat, assign_topics, plan_hall, plan_stats, table_sizes
from pnyx.seating.plan import attribute_values
from pnyx.seating.synthetic import synthetic_people

HALL = Hall(3, ("A", "B", "C"), 3, 7, 9)
# Peers installed by `make bench-peers`; appended, so the project's own numpy comes first.
sys.path.append(str(Path(__file__).resolve().parent.parent / ".bench-peers"))


def random_plan(people, hall: Hall, remix: bool, seed: int) -> list[Seat]:  # type: ignore[no-untyped-def]
    rnd = random.Random(seed)
    ids = [p.id for p in people]
    rnd.shuffle(ids)
    parts = [ids[i :: hall.parts] for i in range(hall.parts)]
    seats, offset = [], 0
    layouts = []
    for members in parts:
        sizes = table_sizes(len(members), hall.table_min, hall.table_max)
        layouts.append((members, sizes, offset))
        offset += len(sizes)
    for p, (members, sizes, off) in enumerate(layouts):
        order = members[:]
        for s in range(hall.steps):
            if s == 0 or remix:
                rnd.shuffle(order)
            i = 0
            for t, size in enumerate(sizes):
                for pid in order[i : i + size]:
                    seats.append(Seat(pid, s + 1, p + 1, off + t + 1, hall.campaigns[(p + s) % 3]))
                i += size
    return seats


def _ac_worker(rows, k, seed, queue):  # type: ignore[no-untyped-def]
    import pandas as pd
    from anti_clustering import ExchangeHeuristicAntiClustering

    df = pd.DataFrame(rows, columns=["id", "gender", "region", "age", "group"])
    algo = ExchangeHeuristicAntiClustering(random_seed=seed, restarts=1)
    out = algo.run(df, None, ["gender", "region", "age", "group"], k, "table")
    queue.put(list(zip(out["id"], out["table"], strict=True)))


def anticlustering_plan(people, hall, remix, seed, timeout):  # type: ignore[no-untyped-def]
    """Returns (seats, None) or (None, reason)."""
    try:
        import anti_clustering  # noqa: F401
    except ImportError as e:
        return None, f"not importable ({e})"
    ages = attribute_values(people, "age")
    rnd = random.Random(seed)
    idx = list(range(len(people)))
    rnd.shuffle(idx)
    seats, offset = [], 0
    for p in range(hall.parts):
        members = idx[p :: hall.parts]
        k = len(table_sizes(len(members), hall.table_min, hall.table_max))
        rows = [
            (people[i].id, people[i].get("gender"), people[i].get("region"), ages[i],
             people[i].get("action_group"))
            for i in members
        ]  # fmt: skip
        step_tables = []
        for s in range(hall.steps if remix else 1):
            q: mp.Queue = mp.Queue()
            proc = mp.Process(target=_ac_worker, args=(rows, k, seed + s, q))
            proc.start()
            try:
                result = q.get(timeout=timeout)
            except Exception:
                proc.terminate()
                proc.join()
                return None, f"did not finish a part of {len(members)} people in {timeout:.0f} s"
            proc.join()
            step_tables.append(dict(result))
        for s in range(hall.steps):
            tables = step_tables[s if remix else 0]
            for i in members:
                pid = people[i].id
                seats.append(
                    Seat(
                        pid,
                        s + 1,
                        p + 1,
                        offset + int(tables[pid]) + 1,
                        hall.campaigns[(p + s) % 3],
                    )
                )
        offset += k
    return seats, None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ac-timeout", type=float, default=60.0)
    parser.add_argument("--sizes", default="1600,2000")
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()}, {mp.cpu_count()} cores, Python {platform.python_version()}"
    )
    print("(shared machine: timings are noisy)\n")
    header = f"{'people':>6} {'remix':>5} {'method':<16} {'repeated':>8} {'same-grp':>8} {'band-viol':>9} {'worst-reg':>9} {'seconds':>8} {'ratio':>7}"
    print(header)
    print("-" * len(header))
    for n in [int(x) for x in args.sizes.split(",")]:
        people = synthetic_people(n, seed=n)
        for remix in (False, True):
            rules = Rules(remix=remix)
            t0 = time.perf_counter()
            plan = plan_hall(people, HALL, rules, seed=1)
            t_pnyx = time.perf_counter() - t0
            rows = [("pnyx", plan.seats, t_pnyx, None)]
            t0 = time.perf_counter()
            rows.append(
                ("random", random_plan(people, HALL, remix, 1), time.perf_counter() - t0, None)
            )
            t0 = time.perf_counter()
            seats, why = anticlustering_plan(people, HALL, remix, 1, args.ac_timeout)
            rows.append(("anti-clustering", seats, time.perf_counter() - t0, why))
            for name, seats, secs, why in rows:
                if seats is None:
                    print(f"{n:>6} {str(remix):>5} {name:<16} {why}")
                    continue
                st = plan_stats(seats, people, rules)
                ratio = secs / t_pnyx
                print(
                    f"{n:>6} {str(remix):>5} {name:<16} {st.repeated_pairs:>8} "
                    f"{st.same_group_pairs:>8} {st.gender_band_violations:>9} "
                    f"{st.worst_region_concentration:>9.3f} {secs:>8.3f} {ratio:>6.2f}x"
                )
    # the target: 2,000 people, 3 steps with remix, then topics, under 2 s
    people = synthetic_people(2000, seed=2000)
    rng = np.random.default_rng(0)
    topics = ["W", "X", "Y", "Z"]
    prefs = {p.id: list(rng.permutation(topics)) for p in people}
    runs = []
    for _ in range(3):  # the machine may be shared: report the best and the median of 3
        t0 = time.perf_counter()
        plan = plan_hall(people, HALL, Rules(remix=True), seed=1)
        t_plan = time.perf_counter() - t0
        tp = assign_topics(people, prefs, topics, 7, 9, max_share=0.35, seed=1)
        runs.append((time.perf_counter() - t0, t_plan, tp.seconds))
    runs.sort()
    best, median = runs[0], runs[1]
    st = plan_stats(plan.seats, people, Rules(remix=True))
    print(
        f"\ntarget: 2000 people, 3 steps with remix + topics, best of 3: {best[0]:.2f} s "
        f"(plan {best[1]:.2f} s, topics {best[2]:.2f} s), median {median[0]:.2f} s; "
        f"target < 2 s: {'met' if best[0] < 2 else 'MISSED'}; repeated {st.repeated_pairs}, "
        f"same-group {st.same_group_pairs}, band violations {st.gender_band_violations}"
    )


if __name__ == "__main__":
    main()
