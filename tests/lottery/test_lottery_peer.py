"""Cross-check against the `sortition-algorithms` package (slow: its maximin is slow)."""

from __future__ import annotations

import pytest
from lottery_helpers import make_problem

from pnyx.lottery import compute_distribution

peer = pytest.importorskip("sortition_algorithms")


def peer_maximin_min_probability(problem) -> float:
    import csv
    import io

    from sortition_algorithms.adapters import CSVStringDataSource, SelectionData
    from sortition_algorithms.committee_generation.maximin import find_distribution_maximin
    from sortition_algorithms.settings import Settings

    quotas, people_csv = io.StringIO(), io.StringIO()
    w = csv.writer(quotas)
    w.writerow(["feature", "value", "min", "max"])
    for q in problem.quotas:
        w.writerow([q.feature, q.value, q.min, q.max])
    w = csv.writer(people_csv)
    w.writerow(["id", *problem.pool.columns])
    for pid, row in zip(problem.pool.ids, problem.pool.rows, strict=True):
        w.writerow([pid, *row])
    data = SelectionData(CSVStringDataSource(quotas.getvalue(), people_csv.getvalue()))
    features, _ = data.load_features(problem.k)
    people, _ = data.load_people(Settings(id_column="id", columns_to_keep=[]), features)
    committees, probs, _ = find_distribution_maximin(features, people, problem.k, [])
    marginal = dict.fromkeys(problem.pool.ids, 0.0)
    for committee, p in zip(committees, probs, strict=True):
        for pid in committee:
            marginal[pid] += p
    return min(marginal.values())


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1])
def test_lowest_probability_equals_peer_maximin(seed):
    import random

    rnd = random.Random(seed)
    rows = [
        (rnd.choice("FFFM"), rnd.choice(["N", "N", "S", "E"]), rnd.choice(["y", "o", "o"]))
        for _ in range(24)
    ]
    quotas = []
    for j, feat in enumerate(("g", "r", "a")):
        for v in sorted({r[j] for r in rows}):
            share = 6 * sum(1 for r in rows if r[j] == v) / len(rows)
            quotas.append((feat, v, max(0, round(share) - 1), round(share) + 1))
    problem = make_problem(rows, ["g", "r", "a"], quotas, 6)
    ours = compute_distribution(problem).person_probability.min()
    assert ours == pytest.approx(peer_maximin_min_probability(problem), abs=1e-5)
