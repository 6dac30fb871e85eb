"""Helpers of the seating tests: populations as CSV, running the commands, reading outputs."""

from __future__ import annotations

import csv
import io
import json
import random
from contextlib import redirect_stdout
from pathlib import Path

COLUMNS = ["id", "gender", "region", "age", "action_group"]


def population(
    n: int, seed: int, groups_max: int = 4, regions: int = 5
) -> dict[str, dict[str, str]]:
    rnd = random.Random(seed)
    women = rnd.uniform(0.2, 0.8)
    people: dict[str, dict[str, str]] = {}
    group = 0
    left = 0
    region = "R0"
    for i in range(n):
        if left == 0:
            group += 1
            left = rnd.randint(1, groups_max)
            region = f"R{rnd.randrange(regions)}"
        left -= 1
        r = rnd.random()
        gender = "F" if r < women else ("M" if r < 0.97 else "X")
        people[f"id{i:04d}"] = {
            "gender": gender,
            "region": region if rnd.random() < 0.8 else f"R{rnd.randrange(regions)}",
            "age": str(rnd.randint(18, 85)),
            "action_group": f"G{group}" if rnd.random() < 0.9 else "",
        }
    return people


def write_people(path: Path, people: dict[str, dict[str, str]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(COLUMNS)
        for pid, a in people.items():
            w.writerow([pid, *(a[c] for c in COLUMNS[1:])])
    return path


def read_rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def run(main, argv: list[str]) -> tuple[int, dict | None, str]:  # type: ignore[no-untyped-def]
    out = io.StringIO()
    with redirect_stdout(out):
        code = main([str(a) for a in argv])
    text = out.getvalue()
    data = json.loads(text) if "--json" in argv and code == 0 else None
    return code, data, text
