"""Benchmark: pnyx.tally against pref_voting on the same ballots.

Run by hand (not in the tests): ``.venv/bin/python bench/tally.py [--quick]``.

For each method it prints the ballots (size, how they were generated), Pnyx's counting time
from an in-memory ballot matrix, pref_voting's time on the same ballots (or on a stated
subsample, or on its own profile with counts of the same ballots), the ratio, whether the
winners agree, and separately the time Pnyx takes to read a CSV file of that size.

Ballots are synthetic but not degenerate: option popularity follows a Pareto law and each
ballot is a Plackett–Luce draw (Gumbel trick) from it, so ballots differ from one another.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import tempfile
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from pnyx import tally
from pnyx.tally import Ballots

GRADES = ("Très bien", "Bien", "Assez bien", "Passable", "Insuffisant", "À rejeter")


def timed(fn: Callable[[], Any], repeat: int = 1) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def plackett_luce(rng: np.random.Generator, n: int, m: int) -> tuple[np.ndarray, np.ndarray]:
    """Orders (n, m) of option indices, best first, and the popularity used."""
    pop = np.log(rng.pareto(1.5, m) + 0.3)
    orders = np.empty((n, m), dtype=np.uint8)
    for s in range(0, n, 200_000):  # chunks keep memory small
        g = pop + rng.gumbel(size=(min(200_000, n - s), m))
        orders[s : s + g.shape[0]] = np.argsort(-g, axis=1)
    return orders, pop


def ranks_from_orders(orders: np.ndarray, lengths: np.ndarray | None = None) -> np.ndarray:
    n, m = orders.shape
    ranks = np.empty_like(orders)
    np.put_along_axis(
        ranks,
        orders.astype(np.intp),
        np.broadcast_to(np.arange(1, m + 1, dtype=np.uint8), (n, m)),
        1,
    )
    if lengths is not None:
        ranks[ranks > lengths[:, None]] = 0
    return ranks


def line(label: str, value: str) -> None:
    print(f"  {label:<44} {value}")


def ratio(peer: float | None, pnyx: float) -> str:
    return "n/a" if peer is None else f"{peer / pnyx:,.0f}x"


def csv_parse(kind: str, ballots: Ballots, write_rows: Callable[[Any], None], **kw: Any) -> None:
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, f"{kind}.csv")
        with open(path, "w", newline="", encoding="utf-8") as f:
            write_rows(csv.writer(f))
        size = os.path.getsize(path) / 1e6
        t, bf = timed(lambda: tally.read_ballots(path, **kw))
        line(
            "Pnyx read_ballots (CSV parse + validation)",
            f"{bf.ballots.rows:,} ballots, {size:.0f} MB file: {t:.2f} s",
        )


def bench_approval(rng: np.random.Generator, n: int, m: int, k: int, parse: bool) -> None:
    print(f"\n== approval: {n:,} ballots choosing {k} of {m} options (Plackett–Luce top {k})")
    orders, _ = plackett_luce(rng, n, m)
    mat = np.zeros((n, m), dtype=np.uint8)
    np.put_along_axis(mat, orders[:, :k].astype(np.intp), 1, axis=1)
    names = tuple(f"P{j:02d}" for j in range(m))
    b = Ballots("approval", names, mat)
    t_pnyx, res = timed(lambda: tally.approval(b, seats=k, max_choices=k), repeat=3)
    line("Pnyx tally.approval (in-memory matrix)", f"{n:,} ballots: {t_pnyx:.3f} s  (target < 1 s)")

    from pref_voting.grade_methods import approval as pv_approval
    from pref_voting.grade_profiles import GradeProfile

    uniq, counts = np.unique(mat, axis=0, return_counts=True)
    t_build, gp = timed(
        lambda: GradeProfile(
            [{c: int(v) for c, v in enumerate(row)} for row in uniq],
            [0, 1],
            gcounts=counts.tolist(),
            candidates=list(range(m)),
        )
    )
    t_pv, pv_w = timed(lambda: pv_approval(gp))
    line(
        "pref_voting approval (GradeProfile + counts)",
        f"same {n:,} ballots as {len(uniq):,} distinct ballots with counts: {t_pv:.3f} s "
        f"(+ {t_build:.2f} s to build the profile, not counted)",
    )
    line("ratio pref_voting / Pnyx", ratio(t_pv, t_pnyx))
    line("winner agrees", str({int(res.winners[0][1:])} <= set(pv_w)))
    if parse:
        csv_parse(
            "approval",
            b,
            lambda w: (
                w.writerow(["receipt", "choices"]),
                w.writerows(
                    (f"R{i:07d}", "|".join(names[j] for j in orders[i, :k])) for i in range(n)
                ),
            ),
        )


def bench_mj(rng: np.random.Generator, n: int, m: int, peer_n: int, parse: bool) -> None:
    print(f"\n== majority judgment: {n:,} ballots grading {m} options on {len(GRADES)} grades")
    quality = rng.normal(0, 1, m)
    g = np.empty((n, m), dtype=np.int8)
    for s in range(0, n, 200_000):
        c = min(200_000, n - s)
        noise = rng.normal(0, 1.2, (c, m)) + rng.normal(0, 0.6, (c, 1))  # voter severity
        g[s : s + c] = np.clip(np.rint(2.5 - quality - noise), 0, 5)
    names = tuple(f"P{j:02d}" for j in range(m))
    b = Ballots("graded", names, g, grades=GRADES)
    t_pnyx, res = timed(lambda: tally.majority_judgment(b), repeat=3)
    line("Pnyx tally.majority_judgment", f"{n:,} ballots: {t_pnyx:.3f} s  (target < 1 s)")

    from pref_voting.grade_methods import majority_judgement as pv_mj
    from pref_voting.grade_profiles import GradeProfile

    sub = g[:peer_n]
    bsub = Ballots("graded", names, sub, grades=GRADES)
    t_sub, res_sub = timed(lambda: tally.majority_judgment(bsub), repeat=3)
    gp = GradeProfile([{c: 5 - int(v) for c, v in enumerate(row)} for row in sub], list(range(6)))
    t_pv, pv_w = timed(lambda: pv_mj(gp))
    line(
        "pref_voting majority_judgement (GradeProfile)",
        f"first {peer_n:,} ballots (every ballot distinct): {t_pv:.3f} s",
    )
    line("Pnyx on the same subsample", f"{t_sub:.4f} s")
    line("ratio pref_voting / Pnyx (same subsample)", ratio(t_pv, t_sub))
    line("winner agrees (subsample)", str({int(res_sub.winners[0][1:])} <= set(pv_w)))
    if parse:
        csv_parse(
            "graded",
            b,
            lambda w: (
                w.writerow(["receipt", *names]),
                w.writerows([f"R{i:07d}", *(GRADES[v] for v in g[i])] for i in range(n)),
            ),
            grades=GRADES,
        )


def bench_schulze(rng: np.random.Generator, n: int, m: int, peer_n: int, parse: bool) -> None:
    print(f"\n== Schulze: {n:,} ranked ballots, full rankings of {m} options (Plackett–Luce)")
    orders, _ = plackett_luce(rng, n, m)
    ranks = ranks_from_orders(orders)
    names = tuple(f"P{j:02d}" for j in range(m))
    b = Ballots("ranked", names, ranks)
    t_pnyx, res = timed(lambda: tally.schulze(b), repeat=3)
    line("Pnyx tally.schulze", f"{n:,} ballots: {t_pnyx:.3f} s  (target < 2 s)")

    from pref_voting.margin_based_methods import beat_path
    from pref_voting.profiles import Profile

    sub = orders[:peer_n].astype(np.int64)
    bsub = Ballots("ranked", names, ranks[:peer_n])
    t_sub, res_sub = timed(lambda: tally.schulze(bsub), repeat=3)
    t_build, prof = timed(lambda: Profile(sub))
    t_pv, pv_w = timed(lambda: beat_path(prof))
    line(
        "pref_voting beat_path (Profile)",
        f"first {peer_n:,} ballots: {t_pv:.3f} s (+ {t_build:.2f} s Profile build, not counted)",
    )
    line("Pnyx on the same subsample", f"{t_sub:.4f} s")
    line("ratio pref_voting / Pnyx (same subsample)", ratio(t_pv, t_sub))
    line("ratio incl. pref_voting's Profile build", ratio(t_pv + t_build, t_sub))
    line("winner agrees (subsample)", str({int(res_sub.winners[0][1:])} <= set(pv_w)))
    if parse:
        csv_parse(
            "ranked",
            b,
            lambda w: (
                w.writerow(["receipt", "ranking"]),
                w.writerows((f"R{i:07d}", ">".join(names[j] for j in orders[i])) for i in range(n)),
            ),
        )


def bench_stv(rng: np.random.Generator, n: int, m: int, seats: int, peer_n: int) -> None:
    print(
        f"\n== STV (Scottish, {seats} seats): {n:,} ranked ballots of {m} options, "
        "truncated at a random length 1..30"
    )
    orders, _ = plackett_luce(rng, n, m)
    lengths = rng.integers(1, m + 1, n)
    ranks = ranks_from_orders(orders, lengths)
    names = tuple(f"P{j:02d}" for j in range(m))
    b = Ballots("ranked", names, ranks)
    t_pnyx, res = timed(lambda: tally.stv(b, seats=seats), repeat=3)
    line("Pnyx tally.stv", f"{n:,} ballots: {t_pnyx:.3f} s  (target < 1 s)")

    from pref_voting.profiles_with_ties import ProfileWithTies
    from pref_voting.proportional_methods import stv_scottish

    sub_orders, sub_len = orders[:peer_n], lengths[:peer_n]
    keys = {}
    for o, ln in zip(sub_orders.tolist(), sub_len.tolist(), strict=True):
        key = tuple(o[:ln])
        keys[key] = keys.get(key, 0) + 1
    bsub = Ballots("ranked", names, ranks[:peer_n])
    t_sub, res_sub = timed(lambda: tally.stv(bsub, seats=seats), repeat=3)
    t_build, prof = timed(
        lambda: ProfileWithTies(
            [{c: r for r, c in enumerate(k, start=1)} for k in keys],
            rcounts=list(keys.values()),
            candidates=list(range(m)),
        )
    )
    t_pv, pv_w = timed(lambda: stv_scottish(prof, num_seats=seats))
    same = "same" if peer_n == n else "first"
    line(
        "pref_voting stv_scottish (ProfileWithTies)",
        f"{same} {peer_n:,} ballots ({len(keys):,} distinct, with counts): {t_pv:.3f} s "
        f"(+ {t_build:.2f} s profile build, not counted)",
    )
    line("Pnyx on the same ballots", f"{t_sub:.4f} s")
    line("ratio pref_voting / Pnyx (same ballots)", ratio(t_pv, t_sub))
    line(
        "winners agree",
        str({int(w[1:]) for w in res_sub.winners} == set(pv_w)),
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--quick", action="store_true", help="10x fewer ballots everywhere")
    p.add_argument("--no-parse", action="store_true", help="skip the CSV parse timings")
    p.add_argument("--seed", type=int, default=2025)
    args = p.parse_args()
    div = 10 if args.quick else 1
    rng = np.random.default_rng(args.seed)
    print(
        f"pnyx.tally vs pref_voting — {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, NumPy {np.__version__}"
    )
    print("Times are the best of 3 runs for Pnyx, one run for pref_voting; wall clock.")
    parse = not args.no_parse
    bench_approval(rng, 1_000_000 // div, 30, 3, parse)
    bench_mj(rng, 1_000_000 // div, 30, 20_000 // div, parse)
    bench_schulze(rng, 1_000_000 // div, 30, 100_000 // div, parse)
    bench_stv(rng, 100_000 // div, 30, 3, 100_000 // div)


if __name__ == "__main__":
    main()
