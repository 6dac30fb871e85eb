"""Seat one group of people (a part of the hall, or the people of one topic) at its tables.

The engine works on integer codes and NumPy arrays:

1. *Band quotas.* For the band attribute (gender), the number of people of category g at table
   j is fixed in advance to floor or ceil of ``size_j * n_g / n``, with row sums equal to the
   table sizes and column sums equal to the category counts. Such a rounding always exists
   (the fractional matrix has integer margins, so its bipartite rounding polytope is integral);
   it is found as a small transportation problem with HiGHS. When re-planning, the rounding
   that keeps the most people where they already sit is chosen.
2. *Greedy construction.* People are placed one by one (those with a previous table first,
   then in seeded random order) at the admissible table (band quota left) of least cost.
3. *Local search.* Swaps of two people of the same band category between two tables (so the
   band stays exact), evaluated for all candidates at once with NumPy, applied while they lower
   the cost; a bounded number of sideways / uphill "kicks" escape local minima while hard
   conflicts remain.

Cost of a layout (weights in `model`): ``W_APART`` per pair of the same action group at a
table, ``W_REPEAT`` per pair that already met at an earlier step (remix), ``W_MOVE`` per person
away from their previous table (re-planning), ``W_SOFT`` per person above the proportional
ceiling of a soft category (region, age band) at a table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import highspy
import numpy as np

from ._solver import new_highs
from .errors import SeatingError
from .model import W_MOVE, W_SOFT


def encode(values: Sequence[str], empty_is_none: bool = False) -> np.ndarray:
    """Category codes 0..m-1 in sorted order of the values; '' -> -1 when empty_is_none."""
    cats = sorted({v for v in values if not (empty_is_none and v == "")})
    index = {v: i for i, v in enumerate(cats)}
    return np.array(
        [index.get(v, -1) if (v or not empty_is_none) else -1 for v in values], dtype=np.int64
    )


def conflict_matrix(apart: Sequence[np.ndarray], n: int, weight: float) -> np.ndarray:
    """n x n matrix: weight per shared non-empty `apart` code, zero diagonal."""
    conf = np.zeros((n, n), dtype=np.float64)
    for codes in apart:
        same = (codes[:, None] == codes[None, :]) & (codes[:, None] >= 0)
        conf += weight * same
    np.fill_diagonal(conf, 0.0)
    return conf


def _solve_rounding(frac: np.ndarray, current: np.ndarray | None) -> np.ndarray:
    """Integer matrix with entries floor/ceil of `frac` and the same (integer) margins."""
    lo = np.floor(frac + 1e-9).astype(np.int64)
    free = frac - lo > 1e-9
    row_need = np.rint(frac.sum(axis=1)).astype(np.int64) - lo.sum(axis=1)
    col_need = np.rint(frac.sum(axis=0)).astype(np.int64) - lo.sum(axis=0)
    if not free.any():
        return lo
    cells = np.argwhere(free)
    nv = len(cells)
    k, m = frac.shape
    cost = np.zeros(nv)
    if current is not None:
        # prefer rounding up where people already sit (fewer moves)
        cost = -(current[cells[:, 0], cells[:, 1]] > lo[cells[:, 0], cells[:, 1]]).astype(float)
    # rows: k table constraints then m category constraints; columns: the free cells
    starts = np.arange(0, 2 * nv + 1, 2, dtype=np.int32)
    index = np.empty(2 * nv, dtype=np.int32)
    index[0::2] = cells[:, 0]
    index[1::2] = k + cells[:, 1]
    lp = highspy.HighsLp()
    lp.num_col_ = nv
    lp.num_row_ = k + m
    lp.col_cost_ = cost
    lp.col_lower_ = np.zeros(nv)
    lp.col_upper_ = np.ones(nv)
    bounds = np.concatenate([row_need, col_need]).astype(float)
    lp.row_lower_ = bounds
    lp.row_upper_ = bounds
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = starts
    lp.a_matrix_.index_ = index
    lp.a_matrix_.value_ = np.ones(2 * nv)
    lp.integrality_ = [highspy.HighsVarType.kInteger] * nv
    h = new_highs()
    h.passModel(lp)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:  # pragma: no cover
        raise SeatingError("internal error: no rounding of the band quotas was found")
    y = np.rint(np.asarray(h.getSolution().col_value)).astype(np.int64)
    out = lo.copy()
    out[cells[:, 0], cells[:, 1]] += y
    return out


def band_quotas(
    sizes: np.ndarray, band: np.ndarray, current: np.ndarray | None = None
) -> np.ndarray:
    """quota[j, g]: people of band category g at table j (floor/ceil of the share)."""
    n = int(sizes.sum())
    m = int(band.max()) + 1 if len(band) else 0
    counts = np.bincount(band, minlength=m).astype(float)
    frac = sizes[:, None].astype(float) * counts[None, :] / max(n, 1)
    return _solve_rounding(frac, current)


def soft_caps(sizes: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """cap[j, c] = ceil(size_j * share_c): proportional ceiling of category c at table j."""
    n = max(int(sizes.sum()), 1)
    m = int(codes.max()) + 1 if len(codes) else 0
    counts = np.bincount(codes, minlength=m).astype(float)
    return np.ceil(sizes[:, None] * counts[None, :] / n - 1e-9)


@dataclass
class Layout:
    table: np.ndarray  # table (0..k-1) of each person
    cost: float


def seat(
    sizes: Sequence[int],
    band: np.ndarray,
    soft: Sequence[np.ndarray],
    conf: np.ndarray,
    rng: np.random.Generator,
    home: np.ndarray | None = None,
    max_kicks: int = 2000,
) -> Layout:
    """Seat n people at len(sizes) tables. See the module docstring for the method.

    `band`: band codes (n,), `soft`: soft attribute codes, `conf`: n x n pair costs (apart and
    repeated pairs), `home`: previous table of each person or -1 (re-planning).
    """
    sizes_a = np.asarray(sizes, dtype=np.int64)
    n = len(band)
    k = len(sizes_a)
    if int(sizes_a.sum()) != n:  # pragma: no cover
        raise SeatingError(f"internal error: {n} people for {int(sizes_a.sum())} seats")
    if k == 0:
        return Layout(np.zeros(0, dtype=np.int64), 0.0)
    if home is None:
        home = np.full(n, -1, dtype=np.int64)
    current = None
    nb = int(band.max()) + 1
    if (home >= 0).any():
        current = np.zeros((k, nb), dtype=np.int64)
        np.add.at(current, (home[home >= 0], band[home >= 0]), 1)
    quota = band_quotas(sizes_a, band, current)
    caps = [soft_caps(sizes_a, c) for c in soft]
    counts = [np.zeros_like(c_, dtype=np.int64) for c_ in caps]
    has_home = home >= 0

    # 1. greedy construction
    rem = quota.copy()
    M = np.zeros((k, n), dtype=np.float64)  # M[j, x] = sum of conf[x, y] for y at table j
    table = np.full(n, -1, dtype=np.int64)
    noise = rng.random((n, k)) * 0.5
    busy = (conf > 0).sum(axis=1)
    order = np.lexsort((rng.random(n), -busy, ~has_home))
    ar = np.arange(k)
    for p in order:
        g = band[p]
        score = M[:, p] + noise[p]
        for codes, cap, cnt in zip(soft, caps, counts, strict=True):
            c = codes[p]
            score = score + W_SOFT * (cnt[:, c] + 1 > cap[:, c])
        if has_home[p]:
            score = score + W_MOVE * (ar != home[p])
        score[rem[:, g] <= 0] = np.inf
        j = int(np.argmin(score))
        table[p] = j
        rem[j, g] -= 1
        M[j] += conf[p]
        for codes, cnt in zip(soft, counts, strict=True):
            cnt[j, codes[p]] += 1

    # 2. local search by swaps within a band category
    members = [np.flatnonzero(band == g) for g in range(nb)]
    idx = np.arange(n)

    def person_bad() -> np.ndarray:
        bad = M[table, idx] > 0
        for codes, cap, cnt in zip(soft, caps, counts, strict=True):
            bad |= cnt[table, codes] > cap[table, codes]
        bad |= has_home & (home != table)
        return bad

    def deltas(p: int) -> tuple[np.ndarray, np.ndarray]:
        a = table[p]
        cand = members[band[p]]
        b = table[cand]
        keep = b != a
        cand, b = cand[keep], b[keep]
        d = (M[b, p] - conf[p, cand]) - M[a, p] + (M[a, cand] - conf[cand, p]) - M[b, cand]
        for codes, cap, cnt in zip(soft, caps, counts, strict=True):
            rp, rq = codes[p], codes[cand]
            ca_p = cnt[a, rp]
            s = np.maximum(0, ca_p - 1 - cap[a, rp]) - np.maximum(0, ca_p - cap[a, rp])
            ca_q = cnt[a, rq]
            s = s + np.maximum(0, ca_q + 1 - cap[a, rq]) - np.maximum(0, ca_q - cap[a, rq])
            cb_q = cnt[b, rq]
            s = s + np.maximum(0, cb_q - 1 - cap[b, rq]) - np.maximum(0, cb_q - cap[b, rq])
            cb_p = cnt[b, rp]
            s = s + np.maximum(0, cb_p + 1 - cap[b, rp]) - np.maximum(0, cb_p - cap[b, rp])
            d = d + W_SOFT * np.where(rq != rp, s, 0)
        if has_home.any():
            hp, hq = home[p], home[cand]
            mv = (hp >= 0) * ((b != hp).astype(int) - int(a != hp)) + (hq >= 0) * (
                (a != hq).astype(int) - (b != hq).astype(int)
            )
            d = d + W_MOVE * mv
        return cand, d

    def apply(p: int, q: int) -> None:
        a, b = table[p], table[q]
        table[p], table[q] = b, a
        diff = conf[p] - conf[q]
        M[a] -= diff
        M[b] += diff
        for codes, cnt in zip(soft, counts, strict=True):
            cnt[a, codes[p]] -= 1
            cnt[b, codes[p]] += 1
            cnt[b, codes[q]] -= 1
            cnt[a, codes[q]] += 1

    def total() -> float:
        c = float(M[table, idx].sum() / 2)
        for cap, cnt in zip(caps, counts, strict=True):
            c += W_SOFT * float(np.maximum(0, cnt - cap).sum())
        return c + W_MOVE * float((has_home & (home != table)).sum())

    def snapshot() -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
        return table.copy(), M.copy(), [c.copy() for c in counts]

    max_kicks = min(max_kicks, 4 * n)
    kicks = 0
    stale = 0
    best_cost, best = total(), snapshot()
    hard = conf.max() if conf.size else 0.0
    for _ in range(400):
        bad = np.flatnonzero(person_bad())
        if len(bad) == 0:
            break
        rng.shuffle(bad)
        improved = False
        for p in bad:
            cand, d = deltas(int(p))
            if len(cand) == 0:
                continue
            i = int(np.argmin(d))
            if d[i] < -1e-9:
                apply(int(p), int(cand[i]))
                improved = True
        if improved:
            continue
        # a local minimum: remember it if best, then kick people in hard conflict
        cost = total()
        if cost < best_cost - 1e-9:
            best_cost, best, stale = cost, snapshot(), 0
        else:
            stale += 1
        hot = bad[M[table[bad], bad] > 0]
        if len(hot) == 0 or kicks >= max_kicks or hard == 0 or stale >= 10:
            break
        for p in hot:
            cand, d = deltas(int(p))
            ok = np.flatnonzero(d < W_MOVE + 1e-9)
            if len(ok) == 0:
                continue
            apply(int(p), int(cand[ok[rng.integers(len(ok))]]))
            kicks += 1

    cost = total()
    if cost > best_cost:
        table, M, counts = best
        cost = best_cost
    return Layout(table, cost)
