"""``pnyx tally BALLOTS --method M``: recount a published ballot file offline."""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from . import BALLOT_KIND, METHODS, count
from .core import Result, TallyError
from .files import BallotFileError, meta_list, read_ballots


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="pnyx tally",
        description="Count a ballot file (Pnyx CSV or PrefLib .soc/.soi/.toc/.toi). "
        "Formats: docs/formats.md; methods and tie-breaks: docs/tally.md.",
    )
    p.add_argument("ballots", help="ballot file")
    p.add_argument(
        "--method",
        choices=sorted(METHODS),
        help="counting method (default: the file's '# method:' line)",
    )
    p.add_argument("--seats", type=int, help="number of winners (default 1, or '# seats:')")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument(
        "--grades",
        help="mj: the grade scale, best first, comma-separated "
        "(e.g. 'Très bien,Bien,Assez bien,Passable,Insuffisant,À rejeter')",
    )
    p.add_argument(
        "--max-choices", type=int, metavar="K", help="approval: a ballot may choose up to K"
    )
    p.add_argument(
        "--exactly",
        action="store_true",
        help="approval: a non-blank ballot must choose exactly K (--max-choices)",
    )
    p.add_argument(
        "--options",
        help="the options, separated by '|' (approval and ranked CSV; default: the file's "
        "'# options:' line, else every name found, sorted)",
    )
    p.add_argument(
        "--tiebreak",
        help="final tie-break order, best first, separated by '|' (default: by name)",
    )
    p.add_argument("--seed", help="final tie-break order from sha256(SEED + newline + option name)")
    p.add_argument(
        "--all-spoiled",
        action="store_true",
        help="list every spoiled ballot (default: the first 20 in human output)",
    )
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    t0 = time.perf_counter()
    try:
        grades = [g.strip() for g in args.grades.split(",")] if args.grades else None
        options = meta_list(args.options)
        bf = read_ballots(args.ballots, options=options, grades=grades)
        meta = bf.meta
        method = args.method or meta.get("method")
        if method not in METHODS:
            raise TallyError(
                "give --method (one of " + ", ".join(sorted(METHODS)) + ")"
                if method is None
                else f"unknown method {method!r} in the file"
            )
        kind = BALLOT_KIND[method]
        if bf.ballots.kind != kind:
            raise TallyError(
                f"{method} counts {kind} ballots but {args.ballots} holds {bf.ballots.kind} "
                "ballots (see docs/formats.md)"
            )
        params: dict[str, Any] = {
            "seats": args.seats if args.seats is not None else int(meta.get("seats", 1)),
            "tiebreak": meta_list(args.tiebreak),
            "seed": args.seed,
        }
        if method == "approval":
            k = args.max_choices
            if k is None and meta.get("max-choices"):
                k = int(meta["max-choices"])
            exactly = args.exactly or meta.get("exactly", "").lower() in {"yes", "true", "1"}
            params |= {"max_choices": k, "exactly": exactly}
        t1 = time.perf_counter()
        result = count(method, bf.ballots, **params)
        t2 = time.perf_counter()
    except BallotFileError as exc:
        print(f"pnyx tally: {exc}", file=sys.stderr)
        return 2
    except (TallyError, ValueError) as exc:
        print(f"pnyx tally: {exc}", file=sys.stderr)
        return 2
    if args.json:
        out = {
            "method": result.method,
            "ballots": result.ballots,
            "winners": list(result.winners),
            "ranking": list(result.ranking),
            "scores": result.scores,
            "seconds": round(t2 - t0, 6),
        }
        full = result.to_json()
        for key in ("blank", "seats", "spoiled", "ties", "details"):
            out[key] = full[key]
        out["file"] = {"path": args.ballots, "format": bf.format, "sha256": bf.sha256}
        out["timing"] = {"read": round(t1 - t0, 6), "count": round(t2 - t1, 6)}
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        print(render(result, args.ballots, bf.sha256, t1 - t0, t2 - t1, args.all_spoiled))
    return 0


def _score_text(result: Result, name: str) -> str:
    s = result.scores[name]
    match result.method:
        case "approval":
            return f"{s} approvals"
        case "mj":
            return f"{s['majority_grade']}{s['gauge']}  (better {s['better']}, worse {s['worse']})"
        case "schulze" | "ranked-pairs":
            return f"beats {s['beats']}"
        case "irv":
            last = s["votes"][-1] if s["votes"] else 0
            r = s["excluded_in_round"]
            return f"{last} votes" + (f" (excluded in round {r})" if r else "")
        case "stv":
            stage = f" at stage {s['stage']}" if s["stage"] else ""
            return f"{s['status']}{stage}, {s['votes']:.5f} votes"
    return json.dumps(s)


def render(
    result: Result, path: str, sha: str, read_s: float, count_s: float, all_spoiled: bool
) -> str:
    lines = [
        f"File: {path}  (sha256 {sha})",
        f"Method: {result.method}, {result.seats} seat(s)",
        f"Ballots counted: {result.ballots}  blank: {result.blank}  "
        f"spoiled: {result.spoiled_count}",
    ]
    if result.method == "stv":
        lines.append(f"Quota (Droop): {result.details['quota']}")
    lines.append("Winners: " + ", ".join(result.winners))
    lines.append("Ranking:")
    width = max((len(n) for n in result.ranking), default=0)
    for i, name in enumerate(result.ranking, start=1):
        lines.append(f"  {i:>3}. {name:<{width}}  {_score_text(result, name)}")
    if result.ties:
        lines.append("Ties:")
        lines.extend(f"  - {t}" for t in result.ties)
    if result.spoiled:
        lines.append(f"Spoiled ballots ({result.spoiled_count}):")
        shown = result.spoiled if all_spoiled else result.spoiled[:20]
        for s in shown:
            where = f"line {s.line}" if s.line is not None else f"ballot #{s.index + 1}"
            rec = f", receipt {s.receipt}" if s.receipt else ""
            cnt = f" x{s.count}" if s.count != 1 else ""
            lines.append(f"  {where}{rec}{cnt}: {s.reason}")
        if len(shown) < len(result.spoiled):
            lines.append(f"  ... {len(result.spoiled) - len(shown)} more (--all-spoiled)")
    lines.append(f"Read in {read_s:.3f} s, counted in {count_s:.3f} s")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
