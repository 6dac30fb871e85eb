"""`pnyx draw`, `pnyx verify-draw` and `pnyx replace` (offline: no Django, no database).

Exit codes: 0 success; 1 infeasible quotas (draw) or a panel that does not match (verify-draw,
replace); 2 bad input (missing or malformed files, bad options); 130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections.abc import Callable, Sequence

from . import METHODS, compute_distribution, diagnose, replay_replacements, verify_panel
from .csvio import (
    load_problem,
    read_panel_ids,
    write_panel,
    write_probabilities,
    write_replacements,
)
from .distribution import Distribution, sample_panel
from .model import DataError, GroupLimit, LotteryError
from .replacement import DeclineNotOnPanelError


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # exit code 2 with a one-line message
        self.print_usage(sys.stderr)
        raise _UsageError(f"{self.prog}: error: {message}")


class _UsageError(Exception):
    pass


def _run(body: Callable[[], int]) -> int:
    try:
        return body()
    except _UsageError as e:
        print(e, file=sys.stderr)
        return 2
    except DataError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except LotteryError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130


def _progress_bar(enabled: bool):
    from tqdm import tqdm

    state: dict[str, tqdm] = {}

    def progress(done: int, total: int, message: str) -> None:
        if not enabled:
            return
        bar = state.get("bar")
        if bar is None or bar.total != total:
            if bar is not None:
                bar.close()
            bar = state["bar"] = tqdm(total=total, file=sys.stderr, unit="profile", leave=False)
        bar.n = done
        bar.set_postfix_str(message, refresh=False)
        bar.refresh()

    def close() -> None:
        if "bar" in state:
            state["bar"].close()

    return progress, close


def draw_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="pnyx draw",
        description="Compute a fair distribution over panels meeting the quotas (leximin), "
        "publish it, and, given a seed, draw a panel from it.",
    )
    p.add_argument("--pool", required=True, help="POOL.csv: an id column and feature columns")
    p.add_argument("--quotas", required=True, help="QUOTAS.csv: feature,value,min,max")
    p.add_argument("--size", required=True, type=int, help="panel size k")
    p.add_argument("--method", choices=METHODS, default="leximin")
    p.add_argument("--id-column", default="id")
    p.add_argument("--seed", help="public seed; without it, only the distribution is computed")
    p.add_argument("--out", help="PANEL.csv to write (default: stdout, unless --json)")
    p.add_argument("--probabilities", help="PROBS.csv to write: id,probability")
    p.add_argument("--distribution", help="DIST.json to write (publish its SHA-256)")
    p.add_argument("--json", action="store_true", help="print a JSON summary on stdout")
    p.add_argument("--group-column", help="column of households / action groups (not a feature)")
    p.add_argument("--max-per-group", type=int, default=1, help="with --group-column (default 1)")
    p.add_argument(
        "--runs", type=int, default=500, help="Monte Carlo runs estimating legacy probabilities"
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    return p


def draw_main(argv: Sequence[str]) -> int:
    return _run(lambda: _draw(list(argv)))


def _draw(argv: list[str]) -> int:
    args = draw_parser().parse_args(argv)
    start = time.perf_counter()
    group = GroupLimit(args.group_column, args.max_per_group) if args.group_column else None
    if group is not None and args.max_per_group < 1:
        raise DataError("--max-per-group must be at least 1")
    problem = load_problem(args.pool, args.quotas, args.size, args.id_column, group)
    diagnosis = diagnose(problem)
    if not diagnosis.feasible:
        if args.json:
            print(
                json.dumps(
                    {
                        "feasible": False,
                        "reason": diagnosis.reason,
                        "changes": [
                            {
                                "feature": c.feature,
                                "value": c.value,
                                "bound": c.bound,
                                "from": c.old,
                                "to": c.new,
                                "text": str(c),
                            }
                            for c in diagnosis.changes
                        ],
                    },
                    indent=2,
                )
            )
        print(f"error: {diagnosis}", file=sys.stderr)
        return 1
    progress, close = _progress_bar(not args.no_progress and sys.stderr.isatty())
    try:
        dist = compute_distribution(
            problem, args.method, progress=progress, monte_carlo_runs=args.runs
        )
    finally:
        close()
    digest = dist.digest
    if args.distribution:
        with open(args.distribution, "wb") as f:
            f.write(dist.to_bytes())
    if args.probabilities:
        write_probabilities(args.probabilities, dist)
    panel = None
    if args.seed is not None:
        panel = sample_panel(dist, args.seed, digest)
        if args.out:
            write_panel(args.out, dist, panel)
        elif not args.json:
            write_panel("/dev/stdout", dist, panel)
    summary = {
        **dist.summary(),
        "seconds": round(time.perf_counter() - start, 3),
        "digest": digest,
    }
    if args.seed is not None:
        summary["seed"] = args.seed
        summary["panel"] = panel
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        print(
            f"{dist.method}: n={summary['n']} k={summary['k']} "
            f"probability {summary['min_probability']:.6f}..{summary['max_probability']:.6f} "
            f"gini {summary['gini']:.4f}, {summary['panels']} panels, "
            f"{summary['seconds']} s; SHA-256 of DIST.json {digest}",
            file=sys.stderr,
        )
    return 0


def verify_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="pnyx verify-draw",
        description="Check that a panel is exactly what a published distribution and seed give.",
    )
    p.add_argument("--distribution", required=True, help="the published DIST.json")
    p.add_argument("--seed", required=True, help="the public seed")
    p.add_argument("--panel", required=True, help="PANEL.csv as published")
    p.add_argument(
        "--replacements",
        help="optional REPLACEMENTS.csv (number,declined,replacement) to check as well",
    )
    return p


def _read_distribution(path: str) -> tuple[Distribution, str]:
    """A published DIST.json and the SHA-256 of its bytes, as the draw published them."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise DataError(f"cannot read: {e.strerror}", file=path) from e
    return Distribution.from_bytes(data, path), hashlib.sha256(data).hexdigest()


def verify_main(argv: Sequence[str]) -> int:
    return _run(lambda: _verify(list(argv)))


def _verify(argv: list[str]) -> int:
    args = verify_parser().parse_args(argv)
    dist, digest = _read_distribution(args.distribution)
    pool = dist.problem.pool
    rows = read_panel_ids(args.panel, pool.id_column)
    reasons: list[str] = []
    for line, rec in rows:
        pid = rec[pool.id_column]
        if pid not in pool.index:
            reasons.append(f"{args.panel}: line {line}: {pid!r} is not in the pool")
            continue
        for col, value in zip(pool.columns, pool.rows[pool.index[pid]], strict=True):
            if col in rec and rec[col] != value:
                reasons.append(
                    f"{args.panel}: line {line}, field {col!r}: {rec[col]!r} but the pool says "
                    f"{value!r}"
                )
    ids = [rec[pool.id_column] for _line, rec in rows]
    reasons += verify_panel(dist, args.seed, ids, digest)
    what = "the panel is"
    if args.replacements and not reasons:
        reasons += _verify_replacements(args.replacements, dist, args.seed, ids, digest)
        what = "the replacements are"
    if reasons:
        print(f"MISMATCH: {what} not what this distribution and seed give", file=sys.stderr)
        for r in reasons:
            print(f"  - {r}", file=sys.stderr)
        return 1
    print(
        f"OK: the panel is exactly what distribution {digest} and seed {args.seed!r} give"
        + (" (replacements too)" if args.replacements else "")
    )
    return 0


def _verify_replacements(
    path: str, dist: Distribution, seed: str, panel: list[str], digest: str
) -> list[str]:
    rows = read_panel_ids(path, "declined")
    declines = [rec["declined"] for _line, rec in rows]
    try:
        expected = replay_replacements(
            dist, seed, panel, declines, digest=digest, allow_unfilled=True
        )
    except LotteryError as e:
        return [f"{path}: {e}"]
    reasons = []
    for (line, rec), r in zip(rows, expected, strict=True):
        if rec.get("number", str(r.number)) != str(r.number):
            reasons.append(f"{path}: line {line}, field 'number': expected {r.number}")
        got = (rec.get("replacement") or "").strip()
        if got == r.replacement:
            continue
        if not r.replacement:
            reasons.append(
                f"{path}: line {line}, field 'replacement': {got!r} but nobody can replace "
                f"{r.declined!r} without breaking a quota"
            )
        elif not got:
            reasons.append(
                f"{path}: line {line}, field 'replacement': empty (seat left empty) but the "
                f"seed gives {r.replacement!r}"
            )
        else:
            reasons.append(
                f"{path}: line {line}, field 'replacement': {got!r} but the "
                f"seed gives {r.replacement!r}"
            )
    return reasons


def replace_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="pnyx replace",
        description="Draw the replacements of the people who declined, from the published "
        "distribution, seed and panel, and write REPLACEMENTS.csv (what verify-draw checks).",
    )
    p.add_argument("--distribution", required=True, help="the published DIST.json")
    p.add_argument("--seed", required=True, help="the public seed")
    p.add_argument("--panel", required=True, help="PANEL.csv as published (the first panel)")
    p.add_argument(
        "--declines",
        required=True,
        help="CSV with a 'declined' column: the ids who declined, in the order they did "
        "(other columns are ignored, so a REPLACEMENTS.csv can be given to extend it)",
    )
    p.add_argument("--out", help="REPLACEMENTS.csv to write (default: stdout)")
    return p


def replace_main(argv: Sequence[str]) -> int:
    return _run(lambda: _replace(list(argv)))


def _replace(argv: list[str]) -> int:
    args = replace_parser().parse_args(argv)
    dist, digest = _read_distribution(args.distribution)
    pool = dist.problem.pool
    panel = [rec[pool.id_column] for _line, rec in read_panel_ids(args.panel, pool.id_column)]
    reasons = verify_panel(dist, args.seed, panel, digest)
    if reasons:
        print(
            f"MISMATCH: {args.panel} is not what this distribution and seed give", file=sys.stderr
        )
        for r in reasons:
            print(f"  - {r}", file=sys.stderr)
        return 1
    declines = read_panel_ids(args.declines, "declined")
    try:
        rows = replay_replacements(
            dist,
            args.seed,
            panel,
            [rec["declined"] for _line, rec in declines],
            digest=digest,
            allow_unfilled=True,  # a seat nobody can refill is written with an empty replacement
        )
    except DeclineNotOnPanelError as e:
        raise DataError(
            f"{e.declined!r} is not on the panel at that point (not drawn, already replaced, "
            "or listed twice)",
            file=args.declines,
            line=declines[e.index][0],
            field="declined",
        ) from e
    write_replacements(args.out or sys.stdout, rows)
    if args.out:
        filled = sum(1 for r in rows if r.replacement)
        print(
            f"{len(rows)} declines: {filled} replaced, {len(rows) - filled} seats left empty; "
            f"written to {args.out}",
            file=sys.stderr,
        )
    return 0
