"""``pnyx.tally``: pure counting engine, ballots in, results out (no Django).

Usage from the ``votes`` app::

    from pnyx import tally

    ballots = tally.approval_ballots(options, [(receipt, ["A", "C"]), ...])
    result = tally.count("approval", ballots, seats=3, max_choices=3)
    result.winners, result.ranking, result.scores, result.spoiled, result.to_json()

Every method is a function ``method(ballots, *, seats=1, tiebreak=None, seed=None, ...)``
returning a :class:`Result`; :data:`METHODS` maps the command-line names to them. The rules,
tie-breaks and sources are in docs/tally.md.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .approval import approval
from .build import approval_ballots, graded_ballots, parse_ranking, ranked_ballots, split_choices
from .condorcet import pairwise, ranked_pairs, schulze
from .core import Ballots, Result, Spoiled, TallyError, tiebreak_order
from .files import BallotFile, BallotFileError, read_ballots, read_csv_text, read_preflib_text
from .judgment import majority_judgment
from .runoff import droop_quota, irv, stv

#: Command-line name -> counting function.
METHODS: dict[str, Callable[..., Result]] = {
    "approval": approval,
    "mj": majority_judgment,
    "schulze": schulze,
    "ranked-pairs": ranked_pairs,
    "irv": irv,
    "stv": stv,
}

#: The kind of ballots each method counts.
BALLOT_KIND: dict[str, str] = {
    "approval": "approval",
    "mj": "graded",
    "schulze": "ranked",
    "ranked-pairs": "ranked",
    "irv": "ranked",
    "stv": "ranked",
}


def count(method: str, ballots: Ballots, **params: Any) -> Result:
    """Count ``ballots`` with the method named ``method`` (a key of :data:`METHODS`)."""
    try:
        fn = METHODS[method]
    except KeyError:
        raise TallyError(f"unknown method {method!r}; one of {', '.join(METHODS)}") from None
    return fn(ballots, **params)


__all__ = [
    "BALLOT_KIND",
    "METHODS",
    "BallotFile",
    "BallotFileError",
    "Ballots",
    "Result",
    "Spoiled",
    "TallyError",
    "approval",
    "approval_ballots",
    "count",
    "droop_quota",
    "graded_ballots",
    "irv",
    "majority_judgment",
    "pairwise",
    "parse_ranking",
    "ranked_ballots",
    "ranked_pairs",
    "read_ballots",
    "read_csv_text",
    "read_preflib_text",
    "schulze",
    "split_choices",
    "stv",
    "tiebreak_order",
]
