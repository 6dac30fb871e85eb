"""Shared strategies and an independent reference grouping for the synthesis tests."""

from __future__ import annotations

import math
from collections import Counter

from hypothesis import strategies as st

from pnyx.synthesis import Contribution, Synthesis, split_ideas, terms

WORDS = [
    "factures",
    "électricité",
    "énergie",
    "chères",
    "logements",
    "isolation",
    "rénover",
    "transports",
    "gratuits",
    "bus",
    "santé",
    "hôpital",
    "salaires",
    "retraites",
    "école",
    "eau",
    "loyers",
    "baisser",
]
FILLERS = ["les", "des", "de la", "pour", "il faut", "plus de", "trop", ""]
BULLETS = ["", "- ", "* ", "• ", "1. ", "2) "]

line = st.builds(
    lambda bullet, parts: bullet + " ".join(f"{f} {w}".strip() for f, w in parts),
    st.sampled_from(BULLETS),
    st.lists(st.tuples(st.sampled_from(FILLERS), st.sampled_from(WORDS)), min_size=1, max_size=4),
)
text = st.one_of(
    st.lists(line, min_size=0, max_size=4).map("\n".join),
    st.sampled_from(["", " ", "\n\n", " \t \n ", "-", "• \n 1."]),
)
contribution = st.builds(
    Contribution,
    table=st.one_of(st.integers(1, 12), st.sampled_from(["A1", "B2", "12"])),
    campaign=st.sampled_from(["climat", "santé"]),
    step=st.integers(1, 2),
    field=st.sampled_from(["proposals", "axes"]),
    text=text,
)
contributions = st.lists(contribution, max_size=30)


def all_units(cs: list[Contribution]) -> Counter:
    """Multiset of (campaign, step, field, table, text) idea units of the input."""
    return Counter(
        (c.campaign, c.step, c.field, c.table, u) for c in cs for u in split_ideas(c.text)
    )


def output_units(s: Synthesis) -> Counter:
    return Counter(
        (g.campaign, g.step, g.field, i.table, i.text)
        for g in s.groups
        for c in (*g.clusters, *g.unique)
        for i in c.ideas
    )


def unit_vectors(units: list[str]) -> list[dict[str, float]]:
    """TF-IDF vectors of texts, written apart from the engine (dicts, no NumPy)."""
    n = len(units)
    counts = [Counter(t for t, _ in terms(u)) for u in units]
    df = Counter(t for c in counts for t in c)
    vectors = []
    for c in counts:
        v = {t: (1 + math.log(k)) * (math.log((1 + n) / (1 + df[t])) + 1) for t, k in c.items()}
        norm = math.sqrt(sum(w * w for w in v.values()))
        vectors.append({t: w / norm for t, w in v.items()} if norm else {})
    return vectors


def cosine(va: dict[str, float], vb: dict[str, float]) -> float:
    return sum(w * vb.get(t, 0.0) for t, w in va.items())


def reference_partition(units: list[str], threshold: float) -> list[list[str]] | None:
    """Naive average-linkage clustering of texts: merge the most similar pair of clusters
    while their mean pairwise similarity is at least `threshold`. Returns sorted lists of
    texts, or None when two different pairs tie for a merge (average linkage then depends on
    the tie-breaking rule, which the engine leaves to SciPy)."""
    n = len(units)
    vectors = unit_vectors(units)
    sim = [[cosine(vectors[a], vectors[b]) for b in range(n)] for a in range(n)]
    clusters = [[i] for i in range(n) if vectors[i]]
    alone = [[i] for i in range(n) if not vectors[i]]
    while len(clusters) > 1:
        means = {}
        for x in range(len(clusters)):
            for y in range(x + 1, len(clusters)):
                m = sum(sim[a][b] for a in clusters[x] for b in clusters[y])
                means[x, y] = m / (len(clusters[x]) * len(clusters[y]))
        pair, best = max(means.items(), key=lambda kv: kv[1])
        if best < threshold - 1e-9:
            break
        if best < 1 - 1e-9 and sum(abs(m - best) < 1e-9 for m in means.values()) > 1:
            return None
        x, y = pair
        clusters[x] = clusters[x] + clusters[y]
        del clusters[y]
    return sorted(sorted(units[i] for i in c) for c in clusters + alone)
