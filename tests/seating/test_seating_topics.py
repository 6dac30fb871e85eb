"""Topics: hard rules on the output of `pnyx topics`, optimality against an independent
per-person integer program (HiGHS modelling API), caps, errors."""

from __future__ import annotations

import csv
import math
import random
import tempfile
from pathlib import Path

import highspy
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from seating_helpers import population, read_rows, run, write_people
from seating_validator import check_topic_plan

from pnyx.seating import Person, SeatingError, assign_topics
from pnyx.seating.cli import topics_main


def write_prefs(path: Path, prefs: dict[str, list[str]], width: int) -> Path:
    names = ["first", "second", "third", "fourth", "fifth"][:width]
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", *names])
        for pid, ranked in prefs.items():
            w.writerow([pid, *ranked, *[""] * (width - len(ranked))])
    return path


def random_prefs(ids, topics, seed, skew=0.5):  # type: ignore[no-untyped-def]
    rnd = random.Random(seed)
    prefs = {}
    for pid in ids:
        t = topics[:]
        rnd.shuffle(t)
        if rnd.random() < skew:  # a popular topic
            t.remove(topics[0])
            t.insert(0, topics[0])
        prefs[pid] = t[: rnd.choice([len(t), len(t), 2, 0])] if rnd.random() < 0.2 else t
    return prefs


def cost_of(rank_list: list[str], topic: str, n_topics: int) -> int:
    """Independent reading of the documented objective: (rank - 1)^2, unranked = last rank,
    nothing ranked = 0."""
    if not rank_list:
        return 0
    rank = rank_list.index(topic) + 1 if topic in rank_list else n_topics
    return (rank - 1) ** 2


def lp_optimum(prefs, topics, lo, hi, max_share):  # type: ignore[no-untyped-def]
    """Per-person binary program, written independently of pnyx.seating.topics."""
    ids = list(prefs)
    h = highspy.Highs()
    h.silent()
    z = {
        (i, t): h.addBinary(obj=float(cost_of(prefs[i], t, len(topics))))
        for i in ids
        for t in topics
    }
    cap = len(ids) if max_share is None else math.floor(max_share * len(ids) + 1e-9)
    for i in ids:
        h.addConstr(sum(z[(i, t)] for t in topics) == 1)
    for t in topics:
        k = h.addIntegral(lb=0, ub=len(ids))
        size = sum(z[(i, t)] for i in ids)
        h.addConstr(size - hi * k <= 0)
        h.addConstr(size - lo * k >= 0)
        h.addConstr(size <= cap)
    h.minimize()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    return round(h.getInfo().objective_function_value)


SETTINGS = settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SETTINGS
@given(
    n=st.integers(7, 45),
    n_topics=st.integers(2, 4),
    lo=st.integers(3, 7),
    spread=st.integers(0, 2),
    share=st.sampled_from([None, 0.35, 0.5, 0.6]),
    seed=st.integers(0, 10**6),
)
def test_topic_assignment_is_optimal_and_valid(n, n_topics, lo, spread, share, seed):
    hi = lo + spread
    topics = ["W", "X", "Y", "Z"][:n_topics]
    people = population(n, seed)
    prefs = random_prefs(list(people), topics, seed)
    best = lp_optimum(prefs, topics, lo, hi, share)
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        argv = [
            "--participants", write_people(tmp / "p.csv", people),
            "--preferences", write_prefs(tmp / "prefs.csv", prefs, n_topics),
            "--topics", ",".join(topics), "--table-min", lo, "--table-max", hi,
            "--seed", seed, "--out", tmp / "t.csv", "--json",
        ]  # fmt: skip
        if share is not None:
            argv += ["--max-share", share]
        code, stats, _ = run(topics_main, argv)
        if best is None:
            assert code == 1
            return
        assert code == 0
        rows = read_rows(tmp / "t.csv")
    assert check_topic_plan(rows, people, topics, lo, hi, share) == []
    got = sum(cost_of(prefs[r["id"]], r["topic"], n_topics) for r in rows)
    assert got == best
    firsts = sum(1 for r in rows if prefs[r["id"]] and prefs[r["id"]][0] == r["topic"])
    assert stats["first_choice_share"] == pytest.approx(firsts / n, abs=1e-4)


def test_big_topic_plan_with_cap(tmp_path):
    people = population(1200, 3, groups_max=6, regions=13)
    topics = ["W", "X", "Y", "Z"]
    prefs = random_prefs(list(people), topics, 3, skew=0.7)
    code, stats, _ = run(
        topics_main,
        [
            "--participants", write_people(tmp_path / "p.csv", people),
            "--preferences", write_prefs(tmp_path / "prefs.csv", prefs, 4),
            "--topics", "W,X,Y,Z", "--table-min", 7, "--table-max", 9,
            "--max-share", 0.35, "--out", tmp_path / "t.csv", "--json",
        ],
    )  # fmt: skip
    assert code == 0
    rows = read_rows(tmp_path / "t.csv")
    assert check_topic_plan(rows, people, topics, 7, 9, 0.35) == []
    assert max(stats["people_per_topic"].values()) <= 420
    assert stats["worst_rank"] <= 2
    assert stats["seconds"] < 5


def test_api_refuses_impossible_caps():
    people = [Person(f"p{i}", {"gender": "F"}) for i in range(20)]
    prefs = {p.id: ["A", "B"] for p in people}
    with pytest.raises(SeatingError, match="cannot be split"):
        assign_topics(people, prefs, ["A", "B"], 7, 9, max_share=0.4)
