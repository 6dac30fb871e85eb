"""Benchmark: pnyx.synthesis's default method against today's engine (``words``) on 2,000
table outputs.

Run by hand (not in the tests): ``.venv/bin/python bench/synthesis.py [--outputs N]
[--methods M,M] [--csv FILE]``.

The outputs are generated deterministically (seed 2026) from the labelled development set:
for each of its 16 (campaign, step, field), tables each write 2 to 6 of that group's ideas,
drawn at random, with noise: a bullet or number, case changes, a filler ("Il faut", "Nous
voulons"), trailing punctuation, and, on about 40 % of the lines, a typo (two letters
swapped, a letter dropped or doubled), so most lines are distinct texts. Each model-based
method encodes every text again; the first one also loads the model (lazily, on first use),
and its time includes that. ``--csv`` also writes the outputs as an
OUTPUTS.csv file, for ``pnyx synthesise``.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import random
import time

from pnyx.synthesis import DEFAULT_METHOD, Contribution, devset, methods, split_ideas, synthesise

FILLERS = ["", "", "", "Il faut ", "Nous voulons ", "Pour nous : ", "Urgent : "]
BULLETS = ["", "", "- ", "* ", "• ", "1. "]
ENDS = ["", "", "", ".", " !", "...", " ?"]


def typo(rng: random.Random, text: str) -> str:
    words = text.split(" ")
    long_words = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if not long_words:
        return text
    i = rng.choice(long_words)
    w = words[i]
    k = rng.randrange(1, len(w) - 2)
    kind = rng.randrange(3)
    if kind == 0:
        w = w[:k] + w[k + 1] + w[k] + w[k + 2 :]
    elif kind == 1:
        w = w[:k] + w[k + 1 :]
    else:
        w = w[:k] + w[k] + w[k:]
    words[i] = w
    return " ".join(words)


def noisy(rng: random.Random, text: str) -> str:
    if rng.random() < 0.4:
        text = typo(rng, text)
    r = rng.random()
    if r < 0.25:
        text = text.lower()
    elif r < 0.3:
        text = text.upper()
    filler = rng.choice(FILLERS)
    if filler:
        text = filler + text[0].lower() + text[1:]
    return rng.choice(BULLETS) + text + rng.choice(ENDS)


def outputs(n: int = 2000, seed: int = 2026) -> list[Contribution]:
    """`n` table outputs recombined from the development set, with noise (deterministic)."""
    rng = random.Random(seed)
    by_group: dict[tuple[str, int, str], list[str]] = {}
    for r in devset.rows():
        by_group.setdefault((r.campaign, r.step, r.field), []).append(r.text)
    keys = sorted(by_group)
    out = []
    for k in range(n):
        campaign, step, field = keys[k % len(keys)]
        texts = by_group[campaign, step, field]
        lines = [noisy(rng, t) for t in rng.sample(texts, rng.randint(2, 6))]
        out.append(Contribution(k // len(keys) + 1, campaign, step, field, "\n".join(lines)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outputs", type=int, default=2000)
    parser.add_argument("--methods", default=f"words,{DEFAULT_METHOD}")
    parser.add_argument("--csv", help="also write the outputs there (OUTPUTS.csv format)")
    args = parser.parse_args()
    cs = outputs(args.outputs)
    units = [u for c in cs for u in split_ideas(c.text)]
    print(f"python {platform.python_version()}, {os.cpu_count()} cpus, load {os.getloadavg()}")
    print(
        f"{len(cs)} outputs, {len(units)} idea units ({len(set(units))} distinct texts), "
        f"{len({(c.campaign, c.step, c.field) for c in cs})} (campaign, step, field) groups, "
        f"largest {max(sum(len(split_ideas(c.text)) for c in cs if (c.campaign, c.step, c.field) == k) for k in {(c.campaign, c.step, c.field) for c in cs})} units"
    )
    if args.csv:
        with open(args.csv, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(["table", "campaign", "step", "field", "text"])
            for c in cs:
                w.writerow([c.table, c.campaign, c.step, c.field, c.text])
    times = {}
    loaded = False
    for method in args.methods.split(","):
        loading = method in methods.MODEL_METHODS and not loaded
        loaded = loaded or loading
        t0 = time.perf_counter()
        s = synthesise(cs, method=method)
        times[method] = time.perf_counter() - t0
        print(
            f"{method:<10} {times[method]:7.2f} s  ({s.units} units, "
            f"{sum(len(g.clusters) for g in s.groups)} clusters of several tables, "
            f"{sum(len(g.unique) for g in s.groups)} ideas of one table; threshold {s.threshold})"
            + (" (model loaded in this run)" if loading else "")
        )
    base = times.get("words")
    if base:
        for method, t in times.items():
            if method != "words":
                print(f"ratio {method} / words: {t / base:.1f}")
    print(f"load after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
