"""Evaluation: every grouping method of pnyx.synthesis against the labelled development set.

Run by hand: ``.venv/bin/python bench/synthesis_eval.py [--curve]``.

Protocol (docs/synthesis.md): each (campaign, step, field) of `pnyx.synthesis.devset` is one
grouping problem. A method's threshold is chosen on the TUNE campaigns (best mean adjusted
Rand index over their groups, on a grid of 0.05 to 0.9 by 0.025), then the method is scored
at that threshold on the HELD_OUT campaigns, which took no part in any choice. Scores are the
mean over groups of the adjusted Rand index (ARI) and the V-measure (scikit-learn).
``--curve`` also prints each method's mean ARI on both parts at every other threshold.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

from pnyx.synthesis import DEFAULT_METHOD, METHODS, THRESHOLDS, devset
from pnyx.synthesis import evaluation as ev


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--curve", action="store_true", help="print ARI at every other threshold")
    args = parser.parse_args()
    tune, held = ev.problems(devset.TUNE), ev.problems(devset.HELD_OUT)
    print(f"python {platform.python_version()}, {os.cpu_count()} cpus, load {os.getloadavg()}")
    print(
        f"development set: tune {', '.join(devset.TUNE)} ({len(tune)} groups, "
        f"{sum(len(p.texts) for p in tune)} units, {sum(len(set(p.labels)) for p in tune)} "
        f"ideas); held out {', '.join(devset.HELD_OUT)} ({len(held)} groups, "
        f"{sum(len(p.texts) for p in held)} units, {sum(len(set(p.labels)) for p in held)} ideas)"
    )
    print()
    head = f"{'method':<22} {'threshold':>9} {'tune ARI':>9} {'tune V':>7} {'held ARI':>9} {'held V':>7} {'time':>6}"
    print(head)
    print("-" * len(head))
    rows = [(m, None) for m in METHODS] + [("words", 0.2)]
    for method, fixed in rows:
        t0 = time.perf_counter()
        if fixed is None:
            r = ev.evaluate(method, tune, held)
            name = method
        else:  # today's engine at today's default threshold
            r = ev.evaluate(method, tune, held, thresholds=[fixed])
            name = f"{method} (today, {fixed})"
        note = ""
        if fixed is None and method == DEFAULT_METHOD:
            note = "  <- default"
        if fixed is None and r.threshold != THRESHOLDS[method]:
            note += f"  (differs from the engine's THRESHOLDS: {THRESHOLDS[method]})"
        print(
            f"{name:<22} {r.threshold:>9.3f} {r.tune.ari:>9.3f} {r.tune.v_measure:>7.3f} "
            f"{r.held_out.ari:>9.3f} {r.held_out.v_measure:>7.3f} {time.perf_counter() - t0:>5.1f}s"
            + note
        )
    if args.curve:
        print()
        for method in METHODS:
            a, b = ev.scores(method, tune), ev.scores(method, held)
            print(
                f"{method:<10} "
                + " ".join(f"{t:.2f}:{a[t].ari:.2f}/{b[t].ari:.2f}" for t in ev.GRID[::2])
            )


if __name__ == "__main__":
    main()
