"""``pnyx synthesise OUTPUTS.csv``: group table outputs offline (no Django, no database)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from .engine import DEFAULT_METHOD, METHODS, THRESHOLDS, synthesise
from .files import OutputsFileError, read_outputs
from .markdown import to_markdown
from .methods import ModelUnavailable

FIELD_ORDER = ("impacts", "proposals", "arguments", "axes")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="pnyx synthesise",
        description="Group the ideas of table outputs (CSV: table,campaign,step,field,text; one "
        "idea a line) into clusters raised by several tables and ideas raised by one. "
        "Formats: docs/formats.md; method: docs/synthesis.md.",
    )
    p.add_argument("outputs", help="OUTPUTS.csv")
    p.add_argument(
        "--method",
        choices=METHODS,
        help=f"grouping method (default {DEFAULT_METHOD}; "
        + ", ".join(f"{m}: threshold {t}" for m, t in THRESHOLDS.items())
        + ")",
    )
    p.add_argument(
        "--threshold",
        type=float,
        help="mean similarity two groups of ideas need to be merged, in (0, 1] "
        "(default: the method's tuned one)",
    )
    p.add_argument("--out", metavar="SYNTH.json", help="write the synthesis as JSON there")
    p.add_argument("--markdown", metavar="FILE", help="write the synthesis as Markdown there")
    p.add_argument("--language", choices=("fr", "en"), default="fr", help="Markdown's fixed words")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.threshold is not None and not 0.0 < args.threshold <= 1.0:
        print(
            f"pnyx synthesise: --threshold must be in (0, 1], not {args.threshold}", file=sys.stderr
        )
        return 2
    t0 = time.perf_counter()
    try:
        contributions = read_outputs(args.outputs)
        synthesis = synthesise(
            contributions, method=args.method, threshold=args.threshold, field_order=FIELD_ORDER
        )
    except OutputsFileError as exc:
        print(f"pnyx synthesise: {exc}", file=sys.stderr)
        return 2
    except ModelUnavailable as exc:
        print(f"pnyx synthesise: {exc}", file=sys.stderr)
        return 3
    data = {"source": {"file": Path(args.outputs).name, "rows": len(contributions)}}
    data.update(synthesis.to_dict())
    text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    if args.markdown:
        Path(args.markdown).write_text(
            to_markdown(synthesis, language=args.language), encoding="utf-8"
        )
    if not args.out and not args.markdown:
        sys.stdout.write(text)
        return 0
    if synthesis.fallback:
        print(f"note: {synthesis.fallback}")
    print(
        f"{len(contributions)} rows, {synthesis.units} idea units, {len(synthesis.groups)} "
        f"(campaign, step, field) groups: "
        f"{sum(len(g.clusters) for g in synthesis.groups)} clusters of several tables, "
        f"{sum(len(g.unique) for g in synthesis.groups)} ideas of one table "
        f"(method {synthesis.method}, threshold {synthesis.threshold}, "
        f"{time.perf_counter() - t0:.1f} s)"
    )
    return 0
