"""Grouping by today's ``words`` method: hand-made French cases, properties, an independent
reference, speed. (The other methods: test_synthesis_methods.py.)"""

from __future__ import annotations

import itertools
import json
import random

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from synthesis_helpers import (
    WORDS,
    all_units,
    contributions,
    cosine,
    output_units,
    reference_partition,
    unit_vectors,
)

from pnyx.synthesis import THRESHOLDS, Contribution
from pnyx.synthesis import synthesise as _synthesise


def synthesise(contributions, **kwargs):
    """Today's engine: the ``words`` method."""
    return _synthesise(contributions, method="words", **kwargs)


ENERGY = {
    1: "- Baisser les factures d'électricité\n- Rénover les logements",
    2: "Les factures d'électricité sont trop chères",
    3: "Isolation des logements\nbaisse du prix de l'électricité",
    4: "- rénovation thermique des logements\n- facture d'électricité trop élevée",
    5: "Gratuité des transports en commun",
    6: "isoler les logements passoires",
    7: "Réduire la facture d'électricité des ménages",
    8: "transports en commun gratuits; plus de bus",
    9: "Créer une maison de santé dans chaque canton",
}


def energy(campaign: str = "climat", step: int = 1, field: str = "proposals"):
    return [Contribution(t, campaign, step, field, x) for t, x in ENERGY.items()]


def test_obvious_french_grouping():
    s = synthesise(energy())
    (g,) = s.groups
    assert (g.campaign, g.step, g.field, g.units) == ("climat", 1, "proposals", 13)
    assert g.tables == tuple(range(1, 10))
    groups = {frozenset(i.text for i in c.ideas): c for c in g.clusters}
    bills = frozenset(
        {
            "Baisser les factures d'électricité",
            "Les factures d'électricité sont trop chères",
            "baisse du prix de l'électricité",
            "facture d'électricité trop élevée",
            "Réduire la facture d'électricité des ménages",
        }
    )
    housing = frozenset(
        {
            "Rénover les logements",
            "Isolation des logements",
            "rénovation thermique des logements",
            "isoler les logements passoires",
        }
    )
    transport = frozenset({"Gratuité des transports en commun", "transports en commun gratuits"})
    assert set(groups) == {bills, housing, transport}
    assert [c.size for c in g.clusters] == [5, 4, 2]  # ordered by size
    assert groups[bills].tables == (1, 2, 3, 4, 7)
    assert groups[bills].label_terms[0] == "électricité"  # accented, as written
    assert set(groups[housing].label_terms) >= {"logements"}
    assert len(groups[bills].excerpts) == 3
    assert len({e.table for e in groups[bills].excerpts}) == 3  # one excerpt per table
    assert [(c.tables, [i.text for i in c.ideas]) for c in g.unique] == [
        ((8,), ["plus de bus"]),
        ((9,), ["Créer une maison de santé dans chaque canton"]),
    ]


def test_a_table_repeating_itself_is_still_one_table():
    s = synthesise(
        [
            Contribution(1, "c", 1, "f", "isoler les logements\nisolation des logements"),
            Contribution(2, "c", 1, "f", "bus gratuits"),
        ]
    )
    (g,) = s.groups
    assert g.clusters == ()
    assert [(c.size, len(c.ideas)) for c in g.unique] == [(1, 2), (1, 1)]


def test_groups_by_campaign_step_and_field_in_given_field_order():
    cs = energy("santé", 2, "axes") + energy("climat", 1, "impacts") + energy("climat", 1, "axes")
    s = synthesise(cs, field_order=["impacts"])
    assert [(g.campaign, g.step, g.field) for g in s.groups] == [
        ("climat", 1, "impacts"),
        ("climat", 1, "axes"),
        ("santé", 2, "axes"),
    ]
    assert s.group("santé", 2, "axes") is s.groups[2]
    assert s.group("santé", 3, "axes") is None
    assert s.units == 39


def test_threshold_controls_granularity():
    def count(g):
        return len(g.clusters) + len(g.unique)

    loose = synthesise(energy(), threshold=0.05).groups[0]
    default = synthesise(energy()).groups[0]
    tight = synthesise(energy(), threshold=0.95).groups[0]
    assert count(loose) <= count(default) < count(tight) == 13
    assert tight.clusters == ()  # no two different texts are near-identical
    with pytest.raises(ValueError):
        synthesise([], threshold=0)
    with pytest.raises(ValueError):
        synthesise([], threshold=1.5)


def test_empty_and_whitespace_inputs():
    assert synthesise([]).groups == ()
    s = synthesise([Contribution(1, "c", 1, "f", " \n\t- \n"), Contribution(2, "c", 1, "f", "")])
    assert s.groups == () and s.units == 0
    # Only stop words: the unit is kept, alone, without a label.
    only_stop_words = [Contribution(t, "c", 1, "f", "et de la") for t in (1, 2)]
    (g,) = synthesise(only_stop_words).groups
    assert g.clusters == () and [c.label_terms for c in g.unique] == [(), ()]


def test_json_round_trip():
    d = synthesise(energy()).to_dict()
    assert json.loads(json.dumps(d)) == d
    assert d["groups"][0]["clusters"][0]["size"] == 5
    assert {"label_terms", "size", "tables", "excerpts", "ideas"} <= set(
        d["groups"][0]["clusters"][0]
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(contributions, st.randoms(use_true_random=False))
def test_every_unit_in_one_cluster_sizes_add_up_and_order_does_not_matter(cs, rnd):
    s = synthesise(cs)
    assert output_units(s) == all_units(cs)  # each unit exactly once
    assert s.units == sum(all_units(cs).values())
    for g in s.groups:
        assert g.units == sum(len(c.ideas) for c in (*g.clusters, *g.unique))
        assert all(c.size >= 2 for c in g.clusters) and all(c.size == 1 for c in g.unique)
        sizes = [c.size for c in g.clusters]
        assert sizes == sorted(sizes, reverse=True)
        for c in (*g.clusters, *g.unique):
            assert c.size == len(set(c.tables)) == len({i.table for i in c.ideas})
            assert 1 <= len(c.excerpts) <= 3 and set(c.excerpts) <= set(c.ideas)
    shuffled = list(cs)
    rnd.shuffle(shuffled)
    assert synthesise(shuffled).to_dict() == s.to_dict()
    assert synthesise(cs).to_dict() == s.to_dict()  # deterministic


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.lists(st.sampled_from(WORDS), min_size=1, max_size=4).map(" ".join),
        min_size=1,
        max_size=14,
    ),
    st.sampled_from([0.1, THRESHOLDS["words"], 0.2, 0.35, 0.6]),
)
def test_partition_matches_an_independent_average_linkage(texts, threshold):
    cs = [Contribution(i, "c", 1, "f", t) for i, t in enumerate(texts)]
    (g,) = synthesise(cs, threshold=threshold).groups
    clusters = [[i.text for i in c.ideas] for c in (*g.clusters, *g.unique)]
    # Whatever the ties: no two clusters left are similar enough to merge.
    vectors = dict(zip(texts, unit_vectors(texts), strict=True))
    for a, b in itertools.combinations(clusters, 2):
        mean = sum(cosine(vectors[x], vectors[y]) for x in a for y in b) / (len(a) * len(b))
        assert mean < threshold + 1e-9
    reference = reference_partition(texts, threshold)
    assume(reference is not None)
    assert sorted(sorted(c) for c in clusters) == reference


def convention_outputs(n_tables: int = 180, seed: int = 7) -> list[Contribution]:
    rng = random.Random(seed)
    fillers = ["les", "des", "de la", "pour", "il faut", "plus de", "moins de"]
    words = (
        WORDS
        + "train vélo climat pollution impôts justice emploi jeunes bourses cantine \
        médecins accessibilité culture sport agriculture paysans pesticides".split()
    )
    out = []
    for t in range(1, n_tables + 1):
        lines = [
            "- " + " ".join(f"{rng.choice(fillers)} {rng.choice(words)}" for _ in range(3))
            for _ in range(rng.randint(7, 10))
        ]
        out.append(Contribution(t, "climat", 1, "proposals", "\n".join(lines)))
    return out
