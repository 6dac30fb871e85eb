"""Grouping of idea units: a similarity matrix per method, average-linkage clustering.

For each (campaign, step, field):
1. units are sorted by (normalised text, text, table, line), so that the result does not
   depend on the order of the input;
2. the method (`methods.SIMILARITY`) turns the sorted texts into a cosine matrix: ``words``
   (today's TF-IDF over `text.terms`: sublinear term frequency 1 + ln(tf), smoothed inverse
   document frequency ln((1 + n) / (1 + df)) + 1 with the units of the group as documents,
   L2-normalised), ``tfidf`` (Snowball stems and character n-grams), ``use`` (sentence
   embeddings) or ``use+tfidf`` (their mean);
3. similarities feed SciPy's average-linkage agglomerative clustering
   (`scipy.cluster.hierarchy.linkage(method="average")`) on the distance 1 - similarity, cut at
   1 - `threshold` (`fcluster(criterion="distance")`): two groups of units are merged while the
   mean similarity over all their pairs of units is at least `threshold`. A unit with no
   content word stays alone, whatever the method.
4. a cluster's label is its top `label_size` terms by summed TF-IDF weight (``words``
   vectors, whatever the method; ties: the term), each shown in its most frequent written
   form in the cluster; its excerpts are the units with the highest summed similarity to the
   cluster's units (for ``words``: the closest to its centroid), one per table first.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage

from .methods import (
    DESCRIPTIONS,
    MODEL_METHODS,
    SIMILARITY,
    ModelUnavailable,
    load_use,
    words_matrix,
)
from .model import Cluster, Contribution, Group, Idea, Synthesis, TableId
from .text import numbered_ideas, strip_accents

#: The grouping methods, by name (see `methods`).
METHODS: tuple[str, ...] = tuple(SIMILARITY)
#: Each method's cut (the mean cosine similarity two groups of units need to be merged),
#: tuned on the development set's TUNE campaigns (bench/synthesis_eval.py).
THRESHOLDS: dict[str, float] = {"words": 0.175, "tfidf": 0.1, "use": 0.275, "use+tfidf": 0.225}
#: The method used when none is given; if its model cannot be loaded, FALLBACK_METHOD is used
#: instead and the synthesis says so (`Synthesis.fallback`).
DEFAULT_METHOD = "use+tfidf"
FALLBACK_METHOD = "tfidf"
#: Default cut of the default method.
DEFAULT_THRESHOLD = THRESHOLDS[DEFAULT_METHOD]


def resolve_method(method: str | None) -> tuple[str, str]:
    """(method to use, fallback note): `method` or the default, checked; the default falls back
    to FALLBACK_METHOD (with the reason) when its model cannot be loaded, a named method does
    not (`ModelUnavailable`)."""
    if method is not None and method not in SIMILARITY:
        raise ValueError(f"unknown method {method!r}: one of {', '.join(METHODS)}")
    name = method or DEFAULT_METHOD
    if name in MODEL_METHODS:
        try:
            load_use()
        except ModelUnavailable as exc:
            if method is not None:
                raise
            return FALLBACK_METHOD, f"{name} unavailable, used {FALLBACK_METHOD}: {exc}"
    return name, ""


def table_key(table: TableId) -> tuple[int, int, str]:
    """Sort key of a table id: numbers (and digit strings) numerically, then other names."""
    if isinstance(table, int):
        return (0, table, "")
    s = str(table)
    return (0, int(s), s) if s.isascii() and s.isdigit() else (1, 0, s)


def synthesise(
    contributions: Iterable[Contribution],
    *,
    threshold: float | None = None,
    method: str | None = None,
    field_order: Sequence[str] = (),
    max_excerpts: int = 3,
    label_size: int = 3,
) -> Synthesis:
    """Group the idea units of `contributions` by (campaign, step, field), then by similarity.

    `method` is one of METHODS (None: DEFAULT_METHOD, see `resolve_method`). `threshold`
    (0 < threshold <= 1; None: the method's tuned one, THRESHOLDS) is the mean cosine
    similarity two groups of units need to be merged: higher gives more, tighter clusters.
    `field_order` orders the fields in the output (fields not named come after,
    alphabetically).
    """
    method, fallback = resolve_method(method)
    if threshold is None:
        threshold = THRESHOLDS[method]
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must be in (0, 1], not {threshold!r}")
    if max_excerpts < 1 or label_size < 1:
        raise ValueError("max_excerpts and label_size must be at least 1")
    by_group: dict[tuple[str, int, str], list[Idea]] = defaultdict(list)
    tables: dict[tuple[str, int, str], set[TableId]] = defaultdict(set)
    for c in contributions:
        key = (str(c.campaign), int(c.step), str(c.field))
        units = numbered_ideas(c.text or "")
        if units:
            tables[key].add(c.table)
        by_group[key].extend(Idea(c.table, u, line) for line, u in units)
    rank = {f: i for i, f in enumerate(field_order)}

    def group_key(k: tuple[str, int, str]) -> tuple[str, int, int, str]:
        return (k[0], k[1], rank.get(k[2], len(rank)), k[2])

    groups = []
    for key in sorted((k for k, v in by_group.items() if v), key=group_key):
        clusters = _cluster(by_group[key], method, threshold, max_excerpts, label_size)
        shared = tuple(c for c in clusters if c.size >= 2)
        unique = tuple(
            sorted(
                (c for c in clusters if c.size < 2),
                key=lambda c: (table_key(c.tables[0]), _unit_key(c.ideas[0])),
            )
        )
        groups.append(
            Group(
                campaign=key[0],
                step=key[1],
                field=key[2],
                tables=tuple(sorted(tables[key], key=table_key)),
                units=len(by_group[key]),
                clusters=shared,
                unique=unique,
            )
        )
    return Synthesis(
        groups=tuple(groups),
        threshold=threshold,
        units=sum(g.units for g in groups),
        method=method,
        description=DESCRIPTIONS[method],
        fallback=fallback,
    )


def partition(sim: np.ndarray, threshold: float, alone: np.ndarray | None = None) -> np.ndarray:
    """Cluster labels (0..k-1, by first member) of average linkage on 1 - `sim`, cut so that
    merged groups have a mean similarity of at least `threshold`; units where `alone` is true
    get a cluster of their own."""
    n = sim.shape[0]
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    labels = np.zeros(n, dtype=np.int64)
    if n >= 2:
        dist = np.clip(1.0 - sim, 0.0, 2.0)
        dist = (dist + dist.T) / 2.0
        np.fill_diagonal(dist, 0.0)
        iu = np.triu_indices(n, k=1)
        z = linkage(dist[iu], method="average")
        labels = fcluster(z, t=1.0 - threshold + 1e-9, criterion="distance")
    if alone is not None:
        labels = np.where(alone, labels.max() + 1 + np.arange(n), labels)
    first: dict[int, int] = {}
    return np.array([first.setdefault(int(x), len(first)) for x in labels], dtype=np.int64)


def _unit_key(idea: Idea) -> tuple[str, str, tuple[int, int, str], int]:
    return (strip_accents(idea.text), idea.text, table_key(idea.table), idea.line)


def _cluster(
    ideas: list[Idea], method: str, threshold: float, max_excerpts: int, label_size: int
) -> list[Cluster]:
    ideas = sorted(ideas, key=_unit_key)
    n = len(ideas)
    texts = [i.text for i in ideas]
    x, vocab, unit_terms = words_matrix(texts)
    alone = np.array([not ts for ts in unit_terms], dtype=bool)
    if n >= 2:
        sim = SIMILARITY[method](texts)
        labels = partition(sim, threshold, alone)
    else:
        sim = np.ones((n, n))
        labels = np.zeros(n, dtype=np.int64)
    members: dict[int, list[int]] = defaultdict(list)
    for i, lab in enumerate(labels.tolist()):
        members[lab].append(i)

    dense_x = x.toarray() if len(vocab) else np.zeros((n, 0))
    clusters = [
        _make_cluster(idx, ideas, unit_terms, dense_x, sim, vocab, max_excerpts, label_size)
        for idx in members.values()
    ]
    clusters.sort(key=lambda c: (-c.size, -len(c.ideas), _unit_key(c.excerpts[0]), c.label_terms))
    return clusters


def _make_cluster(
    idx: list[int],
    ideas: list[Idea],
    unit_terms: list[list[tuple[str, str]]],
    x: np.ndarray,
    sim: np.ndarray,
    vocab: list[str],
    max_excerpts: int,
    label_size: int,
) -> Cluster:
    sub = x[idx]
    weight = sub.sum(axis=0)
    top = sorted(
        (j for j in np.flatnonzero(weight)), key=lambda j: (-round(weight[j], 12), vocab[j])
    )
    written: dict[str, Counter[str]] = defaultdict(Counter)
    for i in idx:
        for t, w in unit_terms[i]:
            written[t][w] += 1
    label = tuple(
        min(written[vocab[j]].items(), key=lambda kv: (-kv[1], kv[0]))[0] for j in top[:label_size]
    )
    closeness = sim[np.ix_(idx, idx)].sum(axis=1)
    by_closeness = sorted(
        range(len(idx)), key=lambda k: (-round(float(closeness[k]), 12), _unit_key(ideas[idx[k]]))
    )
    excerpts: list[Idea] = []
    seen_tables: set[TableId] = set()
    seen_texts: set[str] = set()
    for distinct_tables in (True, False):
        for k in by_closeness:
            idea = ideas[idx[k]]
            if len(excerpts) == max_excerpts:
                break
            if idea.text.casefold() in seen_texts or (
                distinct_tables and idea.table in seen_tables
            ):
                continue
            excerpts.append(idea)
            seen_tables.add(idea.table)
            seen_texts.add(idea.text.casefold())
    tables = tuple(sorted({ideas[i].table for i in idx}, key=table_key))
    members = tuple(
        sorted((ideas[i] for i in idx), key=lambda i: (table_key(i.table), _unit_key(i)))
    )
    return Cluster(
        label_terms=label,
        size=len(tables),
        tables=tables,
        excerpts=tuple(excerpts),
        ideas=members,
    )
