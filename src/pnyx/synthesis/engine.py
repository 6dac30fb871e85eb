"""Grouping of idea units: TF-IDF vectors, cosine similarity, average-linkage clustering.

For each (campaign, step, field):
1. units are sorted by (normalised text, text, table), so that the result does not depend on
   the order of the input;
2. each unit becomes a TF-IDF vector over its terms (see `text.terms`): sublinear term
   frequency 1 + ln(tf), smoothed inverse document frequency ln((1 + n) / (1 + df)) + 1 with
   the units of the group as documents, then L2-normalised;
3. cosine similarities between units feed SciPy's average-linkage agglomerative clustering
   (`scipy.cluster.hierarchy.linkage(method="average")`) on the distance 1 - similarity, cut at
   1 - `threshold` (`fcluster(criterion="distance")`): two groups of units are merged while the
   mean similarity over all their pairs of units is at least `threshold`. A unit with no
   content word has no vector and stays alone.
4. a cluster's label is its top `label_size` terms by summed TF-IDF weight (ties: the term),
   each shown in its most frequent written form in the cluster; its excerpts are the units
   closest to its centroid, one per table first.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.sparse import csr_matrix

from .model import Cluster, Contribution, Group, Idea, Synthesis, TableId
from .text import numbered_ideas, strip_accents, terms

#: Default cut: the mean cosine similarity of two groups of units needed to merge them.
DEFAULT_THRESHOLD = 0.2


def table_key(table: TableId) -> tuple[int, int, str]:
    """Sort key of a table id: numbers (and digit strings) numerically, then other names."""
    if isinstance(table, int):
        return (0, table, "")
    s = str(table)
    return (0, int(s), s) if s.isascii() and s.isdigit() else (1, 0, s)


def synthesise(
    contributions: Iterable[Contribution],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    field_order: Sequence[str] = (),
    max_excerpts: int = 3,
    label_size: int = 3,
) -> Synthesis:
    """Group the idea units of `contributions` by (campaign, step, field), then by similarity.

    `threshold` (0 < threshold <= 1) is the mean cosine similarity two groups of units need to
    be merged: higher gives more, tighter clusters. `field_order` orders the fields in the
    output (fields not named come after, alphabetically).
    """
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
        clusters = _cluster(by_group[key], threshold, max_excerpts, label_size)
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
    return Synthesis(groups=tuple(groups), threshold=threshold, units=sum(g.units for g in groups))


def _unit_key(idea: Idea) -> tuple[str, str, tuple[int, int, str], int]:
    return (strip_accents(idea.text), idea.text, table_key(idea.table), idea.line)


def _cluster(
    ideas: list[Idea], threshold: float, max_excerpts: int, label_size: int
) -> list[Cluster]:
    ideas = sorted(ideas, key=_unit_key)
    n = len(ideas)
    unit_terms = [terms(i.text) for i in ideas]
    vocab = sorted({t for ts in unit_terms for t, _ in ts})
    col = {t: j for j, t in enumerate(vocab)}
    rows, cols, vals = [], [], []
    for i, ts in enumerate(unit_terms):
        for t, count in sorted(Counter(t for t, _ in ts).items()):
            rows.append(i)
            cols.append(col[t])
            vals.append(1.0 + math.log(count))
    tf = csr_matrix((vals, (rows, cols)), shape=(n, len(vocab)), dtype=np.float64)
    df = np.bincount(np.asarray(cols, dtype=np.int64), minlength=len(vocab))
    idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
    x = tf.multiply(idf[np.newaxis, :]).tocsr()
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    has_vector = norms > 0
    x = csr_matrix(x.multiply((1.0 / np.where(has_vector, norms, 1.0))[:, np.newaxis]))

    labels = np.arange(n)
    if n >= 2:
        sim = np.asarray((x @ x.T).todense())
        dist = np.clip(1.0 - sim, 0.0, 1.0)
        np.fill_diagonal(dist, 0.0)
        iu = np.triu_indices(n, k=1)
        z = linkage(dist[iu], method="average")
        labels = fcluster(z, t=1.0 - threshold + 1e-9, criterion="distance")
        # A unit without content words (all zeros) joins nothing.
        labels = np.where(has_vector, labels, labels.max() + 1 + np.arange(n))
    members: dict[int, list[int]] = defaultdict(list)
    for i, lab in enumerate(labels.tolist()):
        members[lab].append(i)

    dense_x = x.toarray() if len(vocab) else np.zeros((n, 0))
    clusters = [
        _make_cluster(idx, ideas, unit_terms, dense_x, vocab, max_excerpts, label_size)
        for idx in members.values()
    ]
    clusters.sort(key=lambda c: (-c.size, -len(c.ideas), _unit_key(c.excerpts[0]), c.label_terms))
    return clusters


def _make_cluster(
    idx: list[int],
    ideas: list[Idea],
    unit_terms: list[list[tuple[str, str]]],
    x: np.ndarray,
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
    centroid = weight / (np.linalg.norm(weight) or 1.0)
    closeness = sub @ centroid if len(vocab) else np.zeros(len(idx))
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
