"""TF-IDF vectors of analysed messages, cosine similarity, and grouping by similarity."""

from __future__ import annotations

import heapq
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping

from reports.hotspots.analyze import Doc

Vector = dict[str, float]
TOP_TERMS = 10


def idf_weights(doc_freq: Mapping[str, int], total: int) -> dict[str, float]:
    """Smoothed inverse document frequency ln((n + 1) / (df + 1)) + 1."""
    return {t: math.log((total + 1) / (df + 1)) + 1 for t, df in doc_freq.items()}


def vectorize(doc: Doc, idf: Mapping[str, float]) -> Vector:
    """The doc's unit-length TF-IDF vector (title terms count twice)."""
    raw = {t: w * idf.get(t, 1.0) for t, w in doc.weights.items()}
    norm = math.sqrt(sum(v * v for v in raw.values())) or 1.0
    return {t: v / norm for t, v in raw.items()}


def similarities(vectors: list[Vector], *, floor: float) -> dict[tuple[int, int], float]:
    """Cosine of the pairs at or above `floor`, found through each doc's heaviest terms.

    Two texts that similar share heavy terms, so candidates come from an inverted index of each
    doc's TOP_TERMS heaviest terms (very common ones skipped); only promising candidates get an
    exact cosine. A pair sharing none of its heavy terms can be missed: a documented approximation.
    """
    postings: dict[str, list[int]] = defaultdict(list)
    for i, vector in enumerate(vectors):
        for term in heapq.nlargest(TOP_TERMS, vector, key=vector.__getitem__):
            postings[term].append(i)
    cap = max(50, len(vectors) // 20)
    partial: dict[tuple[int, int], float] = defaultdict(float)
    for term, docs in postings.items():
        if 2 <= len(docs) <= cap:
            for a, first in enumerate(docs):
                weight = vectors[first][term]
                for second in docs[a + 1:]:
                    partial[(first, second)] += weight * vectors[second][term]
    exact = {
        pair: cosine(vectors[pair[0]], vectors[pair[1]]) for pair, dot in partial.items() if dot >= floor / 4
    }
    return {pair: value for pair, value in exact.items() if value >= floor}


def components(size: int, pairs: Iterable[tuple[int, int]]) -> list[list[int]]:
    """Connected components (union-find) of the graph the pairs draw, singletons included."""
    parent = list(range(size))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in pairs:
        parent[root(a)] = root(b)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(size):
        groups[root(i)].append(i)
    return list(groups.values())


def centroid(vectors: Iterable[Vector]) -> Vector:
    """The unit-length mean of vectors."""
    total: Counter[str] = Counter()
    for vector in vectors:
        total.update(vector)
    norm = math.sqrt(sum(v * v for v in total.values())) or 1.0
    return {t: v / norm for t, v in total.items()}


def cosine(a: Vector, b: Vector) -> float:
    """Cosine of two unit-length vectors."""
    small, large = (a, b) if len(a) < len(b) else (b, a)
    return sum(v * large.get(t, 0.0) for t, v in small.items())
