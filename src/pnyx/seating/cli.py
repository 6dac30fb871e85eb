"""`pnyx seat` and `pnyx topics`: the seating engine on CSV files.

Exit codes: 0 done; 1 the request cannot be met (the message says why); 2 malformed input or
command line (the message names the file, the line and the field).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from .errors import InputError, SeatingError
from .io import read_ids, read_people, read_plan, read_preferences, write_plan, write_topics
from .metrics import plan_stats, topic_stats
from .model import Hall, Rules
from .plan import plan_hall, replan
from .topics import assign_topics

DEFAULT_BALANCE = ("gender", "region", "age")
DEFAULT_APART = ("action_group",)


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise _UsageError(f"{self.prog}: {message}")


def _names(value: str) -> list[str]:
    return [x.strip() for x in value.split(",") if x.strip()]


def _rules_columns(
    path: str, columns: list[str], balance: str | None, apart: str | None
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    def pick(given: str | None, default: Sequence[str], option: str) -> tuple[str, ...]:
        if given is None:
            return tuple(c for c in default if c in columns)
        names = _names(given)
        for c in names:
            if c not in columns:
                raise InputError(path, 1, c, f"column named by {option} is missing")
        return tuple(names)

    return pick(balance, DEFAULT_BALANCE, "--balance"), pick(apart, DEFAULT_APART, "--apart")


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--participants", required=True, metavar="PEOPLE.csv")
    parser.add_argument("--table-min", type=int, required=True)
    parser.add_argument("--table-max", type=int, required=True)
    parser.add_argument(
        "--balance", metavar="COLUMNS",
        help="attributes spread over tables (default: those of gender,region,age present); "
        "gender (or else the first) is held within floor/ceil of its share",
    )  # fmt: skip
    parser.add_argument(
        "--apart", metavar="COLUMNS",
        help="attributes whose members must sit apart (default: action_group if present)",
    )  # fmt: skip
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", required=True)
    parser.add_argument("--json", action="store_true", help="print the plan's figures as JSON")


def _run(fn, argv: Sequence[str]) -> int:  # type: ignore[no-untyped-def]
    try:
        return fn(list(argv))
    except _UsageError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except InputError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except SeatingError as e:
        print(f"error: cannot plan: {e}", file=sys.stderr)
        return 1


def seat_main(argv: Sequence[str]) -> int:
    return _run(_seat, argv)


def topics_main(argv: Sequence[str]) -> int:
    return _run(_topics, argv)


def _seat(argv: list[str]) -> int:
    parser = _Parser(prog="pnyx seat", description="Plan the hall: parts, campaigns, tables.")
    parser.add_argument("--parts", type=int, required=True)
    parser.add_argument("--campaigns", required=True, help='comma-separated, e.g. "A,B,C"')
    parser.add_argument("--steps", type=int, required=True)
    parser.add_argument("--remix", action="store_true", help="change tables between steps")
    parser.add_argument("--previous", metavar="PLAN.csv", help="re-plan this plan...")
    parser.add_argument("--absent", metavar="ABSENT.csv", help="...without these people")
    _common(parser)
    args = parser.parse_args(argv)
    if (args.previous is None) != (args.absent is None):
        raise _UsageError("pnyx seat: --previous and --absent go together")
    columns, people = read_people(args.participants)
    balance, apart = _rules_columns(args.participants, columns, args.balance, args.apart)
    rules = Rules(balance=balance, apart=apart, remix=args.remix)
    campaigns = tuple(_names(args.campaigns))
    if args.previous is not None:
        previous = read_plan(args.previous)
        absent = read_ids(args.absent)
        plan = replan(previous, people, absent, args.table_min, args.table_max, rules, args.seed)
        if plan.hall.steps != args.steps or plan.hall.parts != args.parts:
            raise SeatingError(
                f"{args.previous} has {plan.hall.parts} parts and {plan.hall.steps} steps, "
                f"not {args.parts} and {args.steps}"
            )
        absent_set = set(absent)
        people = [p for p in people if p.id not in absent_set]
    else:
        hall = Hall(args.parts, campaigns, args.steps, args.table_min, args.table_max)
        plan = plan_hall(people, hall, rules, args.seed)
    write_plan(args.out, plan.seats)
    stats = plan_stats(plan.seats, people, rules, plan.moved, plan.seconds)
    if args.json:
        print(json.dumps(stats.as_dict(), indent=2))
    else:
        print(
            f"{len(people)} people, {stats.tables} tables, {plan.hall.steps} steps -> {args.out} "
            f"(repeated pairs {stats.repeated_pairs}, same-group pairs {stats.same_group_pairs}, "
            f"gender-band violations {stats.gender_band_violations}"
            + (f", moved {plan.moved}" if plan.moved is not None else "")
            + f", {plan.seconds:.2f} s)"
        )
    return 0


def _topics(argv: list[str]) -> int:
    parser = _Parser(prog="pnyx topics", description="Assign people to topic tables.")
    parser.add_argument("--preferences", required=True, metavar="PREFS.csv")
    parser.add_argument("--topics", required=True, help='comma-separated, e.g. "W,X,Y,Z"')
    parser.add_argument("--max-share", type=float, help="cap per topic, share of everyone")
    _common(parser)
    args = parser.parse_args(argv)
    columns, people = read_people(args.participants)
    balance, apart = _rules_columns(args.participants, columns, args.balance, args.apart)
    rules = Rules(balance=balance, apart=apart)
    topics = _names(args.topics)
    prefs = read_preferences(args.preferences, topics, {p.id for p in people})
    plan = assign_topics(
        people, prefs, topics, args.table_min, args.table_max, args.max_share, rules, args.seed
    )
    write_topics(args.out, plan.seats)
    stats = topic_stats(plan, prefs)
    if args.json:
        print(json.dumps(stats.as_dict(), indent=2))
    else:
        print(
            f"{len(people)} people, {sum(plan.tables.values())} tables -> {args.out} "
            f"(first choice {stats.first_choice_share:.0%}, first or second "
            f"{stats.first_or_second_share:.0%}, worst rank {stats.worst_rank})"
        )
    return 0
