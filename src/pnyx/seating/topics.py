"""Day-2 topics: assign people to topics by their ranking, optimally, then seat each topic.

The assignment minimises the total rank cost ``RANK_COSTS(r) = (r - 1) ** 2`` (first choice 0,
second 1, third 4, fourth 9: one fourth choice weighs as much as nine second choices), subject
to: every person gets one topic; a topic holds at most ``floor(max_share * n)`` people; the
number of people of every topic can be split into tables of ``table_min..table_max`` (that
is, ``table_min * k_t <= size_t <= table_max * k_t`` for an integer number of tables k_t; a
topic may get no table at all). People with the same ranking are interchangeable, so the exact
optimum is a small integer program over (ranking class, topic) counts plus the integer table
counts, solved with HiGHS in milliseconds even for thousands of people. Inside a class, who
gets which topic is drawn with the seed. Unranked topics cost as the last rank; people with
no ranking at all cost nothing anywhere.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence

import highspy
import numpy as np

from ._solver import new_highs
from .errors import SeatingError
from .hall import check_table_range, splittable, table_sizes
from .model import W_APART, Person, Rules, TopicPlan, TopicSeat
from .plan import _check_ids, _Codes
from .tables import conflict_matrix, seat


def RANK_COSTS(rank: int) -> int:  # noqa: N802 - a documented constant-like function
    """Cost of giving someone their `rank`-th choice (1 = first)."""
    return (rank - 1) ** 2


def topic_sizes_feasible(sizes: Mapping[str, int], table_min: int, table_max: int) -> bool:
    return all(splittable(n, table_min, table_max) for n in sizes.values())


def _ranks(
    people: Sequence[Person], preferences: Mapping[str, Sequence[str]], topics: Sequence[str]
) -> np.ndarray:
    """rank[i, t] (1-based) of topic t for person i; 0 when the person ranked nothing."""
    t_index = {t: j for j, t in enumerate(topics)}
    ranks = np.zeros((len(people), len(topics)), dtype=np.int64)
    for i, p in enumerate(people):
        prefs = [x for x in preferences.get(p.id, ()) if x]
        if not prefs:
            continue
        ranks[i, :] = len(topics)
        for r, t in enumerate(prefs, start=1):
            if t not in t_index:
                raise SeatingError(f"person {p.id!r} ranks an unknown topic {t!r}")
            ranks[i, t_index[t]] = min(ranks[i, t_index[t]], r)
    return ranks


def optimal_topic_counts(
    costs: np.ndarray, counts: np.ndarray, table_min: int, table_max: int, cap: int
) -> np.ndarray:
    """x[c, t]: people of cost class c (costs[c, t]) sent to topic t, minimising the total cost
    with every topic size splittable into tables and at most `cap`."""
    nc, nt = costs.shape
    nx = nc * nt
    ncol = nx + nt
    # rows: nc class equalities, then per topic: size - max*k <= 0, size - min*k >= 0, size <= cap
    starts, index, value = [0], [], []
    for c in range(nc):
        for t in range(nt):
            index += [c, nc + t, nc + nt + t, nc + 2 * nt + t]
            value += [1.0, 1.0, 1.0, 1.0]
            starts.append(len(index))
    for t in range(nt):
        index += [nc + t, nc + nt + t]
        value += [-float(table_max), -float(table_min)]
        starts.append(len(index))
    lp = highspy.HighsLp()
    lp.num_col_ = ncol
    lp.num_row_ = nc + 3 * nt
    lp.col_cost_ = np.concatenate([costs.reshape(-1).astype(float), np.zeros(nt)])
    lp.col_lower_ = np.zeros(ncol)
    upper_k = math.floor(cap / table_min) if table_min else cap
    lp.col_upper_ = np.concatenate([np.full(nx, float(cap)), np.full(nt, float(upper_k))])
    inf = highspy.kHighsInf
    lp.row_lower_ = np.concatenate(
        [counts.astype(float), np.full(nt, -inf), np.zeros(nt), np.zeros(nt)]
    )
    lp.row_upper_ = np.concatenate(
        [counts.astype(float), np.zeros(nt), np.full(nt, inf), np.full(nt, float(cap))]
    )
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.array(starts, dtype=np.int32)
    lp.a_matrix_.index_ = np.array(index, dtype=np.int32)
    lp.a_matrix_.value_ = np.array(value)
    lp.integrality_ = [highspy.HighsVarType.kInteger] * ncol
    h = new_highs()
    h.setOptionValue("mip_rel_gap", 0.0)
    h.passModel(lp)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        raise SeatingError(
            f"{int(counts.sum())} people cannot be split into {nt} topics of at most {cap} "
            f"people each, every topic at tables of {table_min} to {table_max}"
        )
    sol = np.rint(np.asarray(h.getSolution().col_value)[:nx]).astype(np.int64)
    return sol.reshape(nc, nt)


def assign_topics(
    people: Sequence[Person],
    preferences: Mapping[str, Sequence[str]],
    topics: Sequence[str],
    table_min: int = 7,
    table_max: int = 9,
    max_share: float | None = None,
    rules: Rules | None = None,
    seed: int = 0,
) -> TopicPlan:
    """Optimal topic assignment (see the module docstring), then diverse tables per topic.

    `preferences[id]` lists topic names, first choice first. Tables are numbered from 1 across
    topics, in the order of `topics`. Rules apply as in the hall (band, soft, apart; no remix).
    """
    t0 = time.perf_counter()
    rules = rules or Rules()
    _check_ids(people)
    check_table_range(table_min, table_max)
    topics = list(topics)
    if not topics or len(set(topics)) != len(topics):
        raise SeatingError("topics must be a non-empty list of distinct names")
    n = len(people)
    if n == 0:
        raise SeatingError("no participant")
    cap = n
    if max_share is not None:
        if not 0 < max_share <= 1:
            raise SeatingError(f"max_share must be in (0, 1] (got {max_share})")
        cap = math.floor(max_share * n + 1e-9)
    ranks = _ranks(people, preferences, topics)
    cost = np.where(ranks > 0, (ranks - 1) ** 2, 0)
    classes, inverse = np.unique(cost, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    counts = np.bincount(inverse, minlength=len(classes))
    x = optimal_topic_counts(classes, counts, table_min, table_max, cap)
    rng = np.random.default_rng(seed)
    topic_of = np.empty(n, dtype=np.int64)
    for c in range(len(classes)):
        members = np.flatnonzero(inverse == c)
        members = members[rng.permutation(len(members))]
        topic_of[members] = np.repeat(np.arange(len(topics)), x[c])
    codes = _Codes(people, rules)
    seats: list[TopicSeat] = []
    offset = 0
    sizes_out: dict[str, int] = {}
    tables_out: dict[str, int] = {}
    for t, name in enumerate(topics):
        idx = np.flatnonzero(topic_of == t)
        sizes_out[name] = len(idx)
        if len(idx) == 0:
            tables_out[name] = 0
            continue
        sizes = table_sizes(len(idx), table_min, table_max)
        band, soft, apart = codes.subset(idx)
        layout = seat(sizes, band, soft, conflict_matrix(apart, len(idx), W_APART), rng)
        tables_out[name] = len(sizes)
        order = np.lexsort((idx, layout.table))
        for i in order:
            r = int(ranks[idx[i], t])
            seats.append(
                TopicSeat(people[idx[i]].id, name, offset + int(layout.table[i]) + 1, r or None)
            )
        offset += len(sizes)
    total = int((classes * x).sum())
    return TopicPlan(tuple(topics), seats, sizes_out, tables_out, total, time.perf_counter() - t0)
