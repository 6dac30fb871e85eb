"""What docs/lottery.md states for a re-implementation, pinned: the seed's bytes, the sort
orders inside DIST.json, the Gini formula."""

from __future__ import annotations

import hashlib
import hmac
import json
import unicodedata

import numpy as np
import pytest

from pnyx.lottery import (
    GroupLimit,
    Pool,
    Problem,
    Quota,
    SeededStream,
    compute_distribution,
    sample_panel,
)
from pnyx.lottery.distribution import gini

# --- the seed --------------------------------------------------------------------------------


def test_the_seed_is_the_hmac_key_as_raw_utf8_bytes_without_normalisation():
    nfc = "Dé 4 · 🎲 6"
    nfd = unicodedata.normalize("NFD", nfc)
    assert nfc != nfd
    digest = "ab" * 32
    for seed in (nfc, nfd, " 3 6 1 ", "3 6 1"):
        msg = f"pnyx-lottery-v1|{digest}|panel|0".encode()
        expected = int.from_bytes(hmac.new(seed.encode("utf-8"), msg, hashlib.sha256).digest())
        assert SeededStream(seed, digest, "panel").block() == expected
    # No Unicode normalisation, no trimming in the engine: each string is its own seed.
    blocks = {SeededStream(s, digest, "panel").block() for s in (nfc, nfd, " 3 6 1 ", "3 6 1")}
    assert len(blocks) == 4


# --- DIST.json orders ------------------------------------------------------------------------

# Ids and values chosen so that code-point order, UTF-16 order, case-insensitive and
# "natural" orders all differ: U+FF5E sorts before U+1D538 by code point, after it in UTF-16.
IDS = ["b10", "b9", "B1", "a", "é", "z", "\uff5e", "\U0001d538"]
ROWS = {
    "b10": ("F", "Île", "g2"),
    "b9": ("M", "Ouest", "g1"),
    "B1": ("F", "ouest", ""),
    "a": ("F", "Île", ""),
    "é": ("M", "Île", "g1"),
    "z": ("F", "Ouest", "g2"),
    "\uff5e": ("M", "ouest", ""),
    "\U0001d538": ("F", "Île", "g1"),
}


@pytest.fixture(scope="module")
def dist_json():
    records = [{"id": i, "gender": g, "region": r, "home": h} for i, (g, r, h) in ROWS.items()]
    pool = Pool.from_records(reversed(records), ["region", "gender", "home"])
    quotas = [
        Quota("region", "ouest", 0, 2),
        Quota("gender", "M", 1, 2),
        Quota("region", "Île", 0, 3),
        Quota("gender", "F", 1, 2),
        Quota("region", "Ouest", 0, 2),
    ]
    problem = Problem(
        pool, tuple(quotas), k=3, group=GroupLimit("home", 1), features=("region", "gender")
    )
    dist = compute_distribution(problem, "leximin")
    return dist, dist.to_bytes(), json.loads(dist.to_bytes())


def test_dist_json_is_canonical_json_with_keys_sorted_at_every_depth(dist_json):
    _dist, data, obj = dist_json
    assert data == json.dumps(
        obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")
    assert not data.endswith(b"\n") and "Île".encode() in data


def test_dist_json_sort_orders(dist_json):
    _dist, _data, obj = dist_json
    by_code_point = sorted(IDS, key=lambda s: [ord(c) for c in s])
    assert by_code_point == ["B1", "a", "b10", "b9", "z", "é", "\uff5e", "\U0001d538"]
    # features and columns: in the order the pool gives them (not sorted)
    assert obj["features"] == ["region", "gender"]
    assert obj["pool"]["columns"] == ["region", "gender", "home"]
    # pool rows: by id, Unicode code points
    assert [r[0] for r in obj["pool"]["rows"]] == by_code_point
    # quotas: by (feature, value, min, max)
    assert [(q["feature"], q["value"]) for q in obj["quotas"]] == [
        ("gender", "F"),
        ("gender", "M"),
        ("region", "Ouest"),
        ("region", "ouest"),
        ("region", "Île"),
    ]
    # profiles: by (values, group) with no group (null) before any group; members by id
    keys = [(tuple(p["values"]), p["group"] or "") for p in obj["profiles"]]
    assert keys == sorted(keys)
    assert keys[0] == (("Ouest", "F"), "g2")
    groups = [p["group"] for p in obj["profiles"] if p["values"] == ["Île", "F"]]
    assert groups == [None, "g1", "g2"]
    for p in obj["profiles"]:
        assert p["members"] == sorted(p["members"], key=lambda s: [ord(c) for c in s])
    # panels: counts by profile index without zeros; panels by their counts, each once
    counts = [p["counts"] for p in obj["panels"]]
    assert counts == sorted(counts) and len({json.dumps(c) for c in counts}) == len(counts)
    for c in counts:
        assert [t for t, _ in c] == sorted({t for t, _ in c}) and all(n > 0 for _, n in c)
    assert obj["weight_total"] == sum(p["weight"] for p in obj["panels"])


def test_panels_are_sampled_in_the_documented_order(dist_json):
    dist, _data, obj = dist_json
    # the first panel of the list is chosen when below(weight_total) falls in its weight
    for seed in ("1", "2", "3", "4"):
        r = SeededStream(seed, dist.digest, "panel").below(obj["weight_total"])
        acc = 0
        for p in obj["panels"]:
            acc += p["weight"]
            if r < acc:
                break
        profiles = {t for t, _ in p["counts"]}
        drawn = sample_panel(dist, seed)
        assert {dist.problem.person_profile[dist.problem.pool.index[i]] for i in drawn} == profiles


# --- Gini ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "x, expected",
    [
        ([0.5, 0.5, 0.5], 0.0),
        ([0.0, 0.0, 1.0, 1.0], 0.5),
        ([0.0, 0.0, 0.0, 1.0], 0.75),
        ([1.0, 0.5, 1.0, 0.5], 1 / 6),  # the example of formats.md
        ([0.2, 0.4, 0.6, 0.8], 0.25),
        ([], 0.0),
        ([0.0, 0.0], 0.0),
    ],
)
def test_gini_on_known_distributions(x, expected):
    assert gini(np.array(x)) == pytest.approx(expected, abs=1e-15)


def test_gini_is_the_mean_absolute_difference_formula():
    x = np.random.default_rng(7).random(101)
    n = len(x)
    mad = sum(abs(a - b) for a in x for b in x) / (2 * n * n * x.mean())
    assert gini(x) == pytest.approx(mad, rel=1e-12)


def test_the_summary_gini_is_over_people_not_profiles(dist_json):
    dist, _data, obj = dist_json
    people = [p["probability"] for p in obj["profiles"] for _ in p["members"]]
    assert obj["summary"]["gini"] == pytest.approx(gini(np.array(people)), abs=1e-15)
    assert len(people) == obj["pool"]["n"] == len(IDS)
