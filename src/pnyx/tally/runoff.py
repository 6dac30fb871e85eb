"""Runoff methods on ranked ballots: instant runoff (one seat) and single transferable vote.

A ballot is read as its strict prefix: its options in rank order up to (not including) the first
rank shared by several options, where it stops (as if it ended there: "exhausted"). A ballot
whose first rank is shared is spoiled for these methods; a ballot ranking nothing is blank.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .core import (
    Ballots,
    Result,
    Spoiled,
    check_kind,
    check_seats,
    priority,
    tiebreak_order,
)

#: STV values are integers in units of 1/100000 of a vote (5 decimal places, as in SSI 2007/42).
UNITS = 100_000


def preference_lists(ballots: Ballots) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Each ballot's strict prefix as option indices, padded with -1: shape (rows, options+1).

    Returns the lists, the blank-row mask, the mask of rows whose first rank is tied, and the
    number of ballots cut at a later tie."""
    r = np.asarray(ballots.matrix).astype(np.int64)
    n, m = r.shape
    big = np.iinfo(np.int64).max
    rk = np.where(r > 0, r, big)
    order = np.argsort(rk, axis=1, kind="stable")
    s = np.take_along_axis(rk, order, axis=1)
    ranked = s != big
    tie_next = np.zeros((n, m), dtype=bool)
    tie_next[:, :-1] = s[:, :-1] == s[:, 1:]
    tie = tie_next.copy()
    tie[:, 1:] |= tie_next[:, :-1]
    ok = np.logical_and.accumulate(ranked & ~tie, axis=1)
    dtype = np.int16 if m < 32767 else np.int32
    lists = np.full((n, m + 1), -1, dtype=dtype)
    lists[:, :m] = np.where(ok, order, -1)
    blank = ~ranked[:, 0] if m else np.ones(n, dtype=bool)
    first_tied = ranked[:, 0] & tie[:, 0] if m else np.zeros(n, dtype=bool)
    cut = ranked & tie & ~first_tied[:, None]
    n_cut = int(ballots.weight_array()[cut.any(axis=1)].sum())
    return lists, blank, first_tied, n_cut


class _Piles:
    """Ballot pieces and where they sit: piece i stands for ``papers[i]`` identical ballot
    papers (row ``row[i]`` of ``lists``), each worth ``value[i]``, credited to option ``at[i]``
    (-1: exhausted) found at position ``ptr[i]`` of the row."""

    def __init__(self, lists: np.ndarray, papers: np.ndarray, value: int, m: int) -> None:
        self.lists = lists
        self.m = m
        n = lists.shape[0]
        self.row = np.arange(n, dtype=np.int64)
        self.ptr = np.zeros(n, dtype=np.int64)
        self.papers = papers.astype(np.int64)
        self.value = np.full(n, value, dtype=np.int64)
        self.at = lists[:, 0].astype(np.int64)
        self.continuing = np.ones(m, dtype=bool)

    def totals(self) -> tuple[np.ndarray, int]:
        """Votes credited to each option, and the exhausted votes (same integer units)."""
        t = np.bincount(self.at + 1, weights=self.papers * self.value, minlength=self.m + 1)
        t = np.rint(t).astype(np.int64)  # exact: integers below 2**53
        return t[1:], int(t[0])

    def advance(self, idx: np.ndarray) -> None:
        """Move pieces ``idx`` to their next continuing preference (or exhaust them)."""
        while idx.size:
            self.ptr[idx] += 1
            nxt = self.lists[self.row[idx], self.ptr[idx]].astype(np.int64)
            self.at[idx] = nxt
            stop = (nxt < 0) | self.continuing[np.maximum(nxt, 0)]
            idx = idx[~stop]

    def remove(self, c: int) -> None:
        """Option ``c`` stops continuing (elected or excluded); nothing moves yet."""
        self.continuing[c] = False

    def exclude(self, c: int) -> None:
        """Exclude ``c`` and pass on all its pieces at their current value."""
        self.remove(c)
        self.advance(np.flatnonzero(self.at == c))

    def transfer_surplus(self, c: int, quota: int) -> bool:
        """Weighted inclusive Gregory transfer of ``c``'s surplus: every piece credited to
        ``c`` passes on ``floor(surplus * value / total)`` per paper to its next continuing
        preference (exhausted if none) and keeps the rest at ``c``. True if anything moved."""
        totals, _ = self.totals()
        total = int(totals[c])
        surplus = total - quota
        if surplus <= 0 or total <= 0:
            return False
        idx = np.flatnonzero((self.at == c) & (self.value > 0))
        tv = surplus * self.value[idx] // total
        moving = tv > 0
        if not moving.any():
            return False
        idx, tv = idx[moving], tv[moving]
        self.value[idx] -= tv
        start = self.row.size
        self.row = np.concatenate([self.row, self.row[idx]])
        self.ptr = np.concatenate([self.ptr, self.ptr[idx]])
        self.papers = np.concatenate([self.papers, self.papers[idx]])
        self.value = np.concatenate([self.value, tv])
        self.at = np.concatenate([self.at, self.at[idx]])
        self.advance(np.arange(start, self.row.size))
        return True


def _history_break(
    tied: list[int], history: Sequence[np.ndarray], prefer_highest: bool
) -> list[int]:
    """Narrow a tie by the most recent earlier stage where the tied options had unequal
    votes (then the one before, and so on)."""
    for snap in reversed(history):
        vals = snap[tied]
        ext = vals.max() if prefer_highest else vals.min()
        narrowed = [c for c, v in zip(tied, vals, strict=True) if v == ext]
        if len(narrowed) < len(tied):
            tied = narrowed
            if len(tied) == 1:
                break
    return tied


def _pick(
    tied: list[int],
    history: Sequence[np.ndarray],
    prio: np.ndarray,
    names: Sequence[str],
    highest: bool,
    what: str,
    ties: list[str],
) -> int:
    if len(tied) == 1:
        return tied[0]
    narrowed = _history_break(tied, history, highest)
    if len(narrowed) == 1:
        ties.append(
            f"{what}: {', '.join(names[c] for c in tied)} tied; {names[narrowed[0]]} chosen "
            "by the votes at the latest earlier stage where they differed"
        )
        return narrowed[0]
    # The tie-break order: the first one keeps the advantage.
    chosen = (
        min(narrowed, key=lambda c: prio[c]) if highest else max(narrowed, key=lambda c: prio[c])
    )
    ties.append(
        f"{what}: {', '.join(names[c] for c in tied)} tied at every stage; "
        f"{names[chosen]} chosen by the tie-break order"
    )
    return chosen


def _prepare(
    ballots: Ballots, method: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[Spoiled, ...], int, int]:
    lists, blank, first_tied, n_cut = preference_lists(ballots)
    spoiled = ballots.spoiled + tuple(
        ballots.describe_row(int(i), "first preference shared by several options")
        for i in np.flatnonzero(first_tied)
    )
    keep = ~blank & ~first_tied
    w = ballots.weight_array()
    return lists[keep], w[keep], blank, spoiled, n_cut, int(w[blank].sum())


def irv(
    ballots: Ballots,
    *,
    seats: int = 1,
    tiebreak: Sequence[str] | None = None,
    seed: str | None = None,
) -> Result:
    """Instant runoff (alternative vote, Hare).

    Rule: each round, every counted ballot counts for its highest-ranked continuing option; the
    continuing option with the fewest votes is excluded, until one option remains (a majority
    winner is never excluded, so this elects the usual IRV winner). Several options with the
    fewest votes: the one with fewer votes at the latest earlier round where they differed is
    excluded; tied at every round: the one last in the tie-break order. The ranking is the
    reverse order of exclusion; winners: its first ``seats`` options (for proportional
    representation use :func:`stv`). Source: T. Hare, 1859; W. R. Ware, 1871. Peer:
    ``pref_voting.iterative_methods.instant_runoff`` (and ``instant_runoff_put``).

    Scores: ``{option: {"votes": [votes in each round while continuing], "excluded_in_round":
    r or None}}``.
    """
    check_kind(ballots, "ranked", "irv")
    seats = check_seats(seats, ballots.options)
    names = ballots.options
    m = len(names)
    lists, w, blank, spoiled, n_cut, n_blank = _prepare(ballots, "irv")
    order = tiebreak_order(names, tiebreak, seed)
    prio = priority(names, order)
    piles = _Piles(lists, w, 1, m)
    history: list[np.ndarray] = []
    rounds: list[dict[str, Any]] = []
    excluded: list[int] = []
    ties: list[str] = []
    votes: dict[int, list[int]] = {c: [] for c in range(m)}
    while True:
        t, exhausted = piles.totals()
        cont = [int(c) for c in np.flatnonzero(piles.continuing)]
        for c in cont:
            votes[c].append(int(t[c]))
        record: dict[str, Any] = {
            "votes": {names[c]: int(t[c]) for c in cont},
            "exhausted": exhausted,
        }
        if len(cont) <= 1:
            rounds.append(record)
            break
        low = min(t[c] for c in cont)
        tied = [c for c in cont if t[c] == low]
        e = _pick(tied, history, prio, names, False, f"round {len(rounds) + 1} exclusion", ties)
        history.append(t)
        record["excluded"] = names[e]
        rounds.append(record)
        excluded.append(e)
        piles.exclude(e)
    ranking_idx = [c for c in range(m) if c not in excluded] + excluded[::-1]
    ranking = tuple(names[i] for i in ranking_idx)
    return Result(
        method="irv",
        options=names,
        seats=seats,
        winners=ranking[:seats],
        ranking=ranking,
        scores={
            names[c]: {
                "votes": votes[c],
                "excluded_in_round": excluded.index(c) + 1 if c in excluded else None,
            }
            for c in ranking_idx
        },
        ballots=int(w.sum()),
        blank=n_blank,
        spoiled=spoiled,
        ties=tuple(ties),
        details={"rounds": rounds, "cut_at_tie": n_cut, "tiebreak": order},
    )


def droop_quota(ballots: int, seats: int) -> int:
    """Droop quota as in SSI 2007/42 rule 46: floor(ballots / (seats + 1)) + 1."""
    return ballots // (seats + 1) + 1


def stv(
    ballots: Ballots,
    *,
    seats: int = 1,
    tiebreak: Sequence[str] | None = None,
    seed: str | None = None,
) -> Result:
    """Single transferable vote, Scottish rules (The Scottish Local Government Elections Order
    2007, SSI 2007/42, rules 45–52): Droop quota, weighted inclusive Gregory method (WIGM).

    Rule:
    - quota = floor(counted ballots / (seats + 1)) + 1; values are kept in units of 1/100000 of
      a vote.
    - Stage: every continuing option with at least a quota is elected (in decreasing order of
      votes). Then surpluses are transferred one at a time, the largest first: every ballot
      paper credited to the elected option passes on ``floor(surplus * its value / total)`` (in
      units) to its next continuing preference, or is non-transferable; it keeps the rest. If a
      transfer brings an option to the quota, it is elected before further transfers. Once
      every seat is filled the count ends: no surplus is transferred any more. A surplus too
      small to move anything (every paper's share rounds down to 0) is not transferred.
    - With no surplus left, when the continuing options are no more than the seats left, they
      are all elected; otherwise the continuing option with the fewest votes is excluded and its
      papers pass on at their current value.
    - Ties (equal surpluses or equal lowest votes): the latest earlier stage where the tied
      options had unequal votes decides (highest surplus transferred first, lowest excluded);
      equal at every stage: the tie-break order (instead of the statute's lot).
    As in ``pref_voting.proportional_methods.stv_scottish`` (the peer this is tested against), a
    surplus is recomputed from current values, so an option still above quota after a truncated
    transfer may transfer again (the statute's "value when received" gives the same result when
    every surplus is transferred once).

    Ranking: the elected in order of election, then options still continuing by votes, then the
    excluded in reverse order of exclusion. Scores: ``{option: {"votes": final votes,
    "status": "elected" | "continuing" | "excluded", "stage": stage of election or exclusion}}``;
    ``details["stages"]`` lists every stage with the votes of every option.
    """
    check_kind(ballots, "ranked", "stv")
    seats = check_seats(seats, ballots.options)
    names = ballots.options
    m = len(names)
    lists, w, blank, spoiled, n_cut, n_blank = _prepare(ballots, "stv")
    order = tiebreak_order(names, tiebreak, seed)
    prio = priority(names, order)
    total_ballots = int(w.sum())
    quota_votes = droop_quota(total_ballots, seats)
    quota = quota_votes * UNITS
    piles = _Piles(lists, w, UNITS, m)
    history: list[np.ndarray] = []
    stages: list[dict[str, Any]] = []
    winners: list[int] = []
    excluded: list[int] = []
    status: dict[int, tuple[str, int]] = {}
    ties: list[str] = []

    def snapshot(action: str) -> None:
        t, ex = piles.totals()
        history.append(t)
        stages.append(
            {
                "action": action,
                "votes": {names[c]: int(t[c]) / UNITS for c in range(m)},
                "exhausted": ex / UNITS,
            }
        )

    def elect(cs: list[int], t: np.ndarray) -> None:
        for c in sorted(cs, key=lambda c: (-int(t[c]), int(prio[c]))):
            piles.remove(c)
            winners.append(c)
            status[c] = ("elected", len(stages))

    def pick_surplus(cands: list[int], t: np.ndarray) -> int:
        best = max(int(t[c]) for c in cands)
        tied = [c for c in cands if t[c] == best]
        return _pick(tied, history, prio, names, True, f"stage {len(stages) + 1} surplus", ties)

    def elect_rest(t: np.ndarray) -> bool:
        cont = [int(c) for c in np.flatnonzero(piles.continuing)]
        if len(cont) <= seats - len(winners):
            elect(cont, t)
            return True
        return False

    snapshot("first preferences")
    guard = 0
    while len(winners) < seats:
        guard += 1
        if guard > 100 * (m + 1) * (seats + 1) + 1000:
            raise RuntimeError("stv: no progress")
        t, _ = piles.totals()
        cont = np.flatnonzero(piles.continuing)
        reached = [int(c) for c in cont if t[c] >= quota]
        if reached:
            elect(reached, t)
            stuck: set[int] = set()
            # Every seat filled: the count ends, no surplus is transferred any more.
            while len(winners) < seats:
                t, _ = piles.totals()
                elig = [c for c in winners if t[c] > quota and c not in stuck]
                if not elig:
                    break
                n_ties = len(ties)
                chosen = pick_surplus(elig, t)
                if piles.transfer_surplus(chosen, quota):
                    snapshot(f"surplus of {names[chosen]}")
                    t, _ = piles.totals()
                    if any(t[c] >= quota for c in np.flatnonzero(piles.continuing)):
                        break
                else:
                    del ties[n_ties:]  # a surplus too small to move anything decided nothing
                    stuck.add(chosen)
            if len(winners) < seats and elect_rest(piles.totals()[0]):
                break
            continue
        surplusers = [c for c in winners if t[c] > quota]
        if surplusers:
            n_ties = len(ties)
            chosen = pick_surplus(surplusers, t)
            if piles.transfer_surplus(chosen, quota):
                snapshot(f"surplus of {names[chosen]}")
                continue
            del ties[n_ties:]
        if elect_rest(t):
            break
        cont_l = [int(c) for c in cont]
        low = min(int(t[c]) for c in cont_l)
        tied = [c for c in cont_l if t[c] == low]
        e = _pick(tied, history, prio, names, False, f"stage {len(stages) + 1} exclusion", ties)
        piles.exclude(e)
        excluded.append(e)
        snapshot(f"exclusion of {names[e]}")
        status[e] = ("excluded", len(stages))
    t, _ = piles.totals()
    still = [int(c) for c in np.flatnonzero(piles.continuing)]
    still.sort(key=lambda c: (-int(t[c]), int(prio[c])))
    ranking_idx = winners + still + excluded[::-1]
    ranking = tuple(names[i] for i in ranking_idx)
    scores = {}
    for c in ranking_idx:
        st, stage = status.get(c, ("continuing", None))
        scores[names[c]] = {"votes": int(t[c]) / UNITS, "status": st, "stage": stage}
    return Result(
        method="stv",
        options=names,
        seats=seats,
        winners=tuple(names[c] for c in winners),
        ranking=ranking,
        scores=scores,
        ballots=total_ballots,
        blank=n_blank,
        spoiled=spoiled,
        ties=tuple(ties),
        details={
            "variant": "Scottish STV (SSI 2007/42): Droop quota, weighted inclusive Gregory, "
            "5 decimals",
            "quota": quota_votes,
            "stages": stages,
            "cut_at_tie": n_cut,
            "tiebreak": order,
        },
    )
