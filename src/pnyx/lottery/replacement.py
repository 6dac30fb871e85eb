"""Replacements: when a drawn person declines, draw someone else from the same seed chain.

Replacement number j (1, 2, ...) uses the stream purpose "replacement-j". The candidates are
the volunteers who are neither on the current panel nor excluded (people who declined before,
or were otherwise ruled out), and whose substitution for the decliner keeps every quota (and
group limit) satisfied; they are listed by ascending id and one is taken with
below(number of candidates). Same-profile volunteers are always candidates; others are too
when the quotas leave room.

When nobody can replace a decliner, the seat stays empty: the number is not used up (the next
replacement gets it), and for the quotas of later replacements the seat still counts as held
by the person who left (the engine checks quotas on full panels). `replay_replacements` with
`allow_unfilled=True` reports such a seat as a Replacement whose `replacement` is "".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .distribution import Distribution
from .model import LotteryError
from .rng import SeededStream


class NoReplacementError(LotteryError):
    """Nobody can replace the decliner without breaking a quota."""


class DeclineNotOnPanelError(LotteryError):
    """A decline names someone not on the panel at that point (never drawn, already replaced,
    or listed twice); `index` is its 0-based position among the declines."""

    def __init__(self, index: int, declined: str):
        super().__init__(
            f"decline {index + 1}: {declined!r} is not on the panel at that point (not drawn, "
            "already replaced, or listed twice)"
        )
        self.index = index
        self.declined = declined


@dataclass(frozen=True)
class Replacement:
    number: int
    declined: str
    replacement: str  # "" when nobody could replace them (the seat stays empty)


def replacement_candidates(
    dist: Distribution, panel: Sequence[str], declined: str, excluded: Iterable[str] = ()
) -> list[str]:
    """Ids (ascending) who may replace `declined` on `panel`."""
    pr = dist.problem
    index = pr.pool.index
    if declined not in panel:
        raise LotteryError(f"{declined!r} is not on the panel")
    unknown = [p for p in panel if p not in index]
    if unknown:
        raise LotteryError(f"{unknown[0]!r} is not in the pool")
    counts = pr.counts_of(index[p] for p in panel if p != declined)
    taken = set(panel) | set(excluded)
    out = []
    for t, members in enumerate(pr.profile_members):
        trial = counts.copy()
        trial[t] += 1
        if trial[t] > pr.profile_size[t] or pr.check_counts(trial):
            continue
        out += [pr.pool.ids[i] for i in members if pr.pool.ids[i] not in taken]
    return sorted(out)


def draw_replacement(
    dist: Distribution,
    seed: str,
    panel: Sequence[str],
    declined: str,
    number: int,
    excluded: Iterable[str] = (),
    digest: str | None = None,
) -> Replacement:
    """Replacement `number` (1-based) for `declined` on the current `panel`."""
    if number < 1:
        raise ValueError("replacement numbers start at 1")
    candidates = replacement_candidates(dist, panel, declined, excluded)
    if not candidates:
        raise NoReplacementError(f"nobody can replace {declined!r} without breaking a quota")
    stream = SeededStream(seed, digest or dist.digest, f"replacement-{number}")
    return Replacement(number, declined, candidates[stream.below(len(candidates))])


def replay_replacements(
    dist: Distribution,
    seed: str,
    panel: Sequence[str],
    declines: Sequence[str],
    excluded: Iterable[str] = (),
    digest: str | None = None,
    allow_unfilled: bool = False,
) -> list[Replacement]:
    """Draw replacements for `declines` in order, starting from `panel`: each decliner is
    excluded afterwards and their replacement joins the panel. Returns the replacements.

    With `allow_unfilled`, a decliner nobody can replace gives Replacement(number, declined,
    ""): they keep their seat for the quota checks that follow and the number is not used
    up; without it, NoReplacementError is raised. A decline of someone not on the panel at
    that point raises DeclineNotOnPanelError."""
    current = list(panel)
    out_excluded = set(excluded)
    out = []
    number = 1
    for index, declined in enumerate(declines):
        if declined not in current:
            raise DeclineNotOnPanelError(index, declined)
        try:
            r = draw_replacement(dist, seed, current, declined, number, out_excluded, digest)
        except NoReplacementError:
            if not allow_unfilled:
                raise
            out.append(Replacement(number, declined, ""))
            out_excluded.add(declined)
            continue
        current[current.index(declined)] = r.replacement
        out_excluded.add(declined)
        out.append(r)
        number += 1
    return out
