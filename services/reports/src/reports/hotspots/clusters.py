"""Groups of similar requests across places: TF-IDF cosine similarity within the window."""

from __future__ import annotations

from collections import Counter, defaultdict

from reports.hotspots.analyze import Doc
from reports.hotspots.model import HotspotConfig
from reports.hotspots.ranking import Candidate
from reports.hotspots.similarity import Vector, centroid, components, cosine, vectorize
from reports.hotspots.stats import poisson_surprise
from reports.hotspots.window import Window

CENTROID_TERMS = 20

def _tighten(group: list[int], vectors: list[Vector], threshold: float) -> list[int]:
    """Drop members of a single-link chain that are not close to the group's centroid."""
    for _ in range(2):
        middle = centroid(vectors[i] for i in group)
        group = [i for i in group if cosine(vectors[i], middle) >= threshold]
        if not group:
            break
    return group


def _baseline_similar(middle: Vector, baseline: list[Vector], postings: dict[str, list[int]], threshold: float) -> int:
    top = sorted(middle, key=middle.__getitem__, reverse=True)[:CENTROID_TERMS]
    candidates = {i for term in top for i in postings.get(term, ())}
    return sum(1 for i in candidates if cosine(baseline[i], middle) >= threshold)


def _qualifies(members: list[Doc], window: Window, config: HotspotConfig) -> bool:
    places = {d.places[-1][0] for d in members if d.places and d.places[-1][1] > 0}
    return window.reports({d.id for d in members}) >= config.min_count and len(places) >= config.cluster_min_places


def _common_place(members: list[Doc]) -> tuple[str, int, tuple[str, ...]]:
    """The finest place all members share (with its path), or 多地 when they share none (no root)."""
    placed = [d for d in members if d.places and d.places[-1][1] > 0] or members
    shared = set.intersection(*({name for name, _ in d.places} for d in placed))
    chain = [p for p in placed[0].places if p[0] in shared]
    if not chain:
        return "多地", 0, ()
    return chain[-1][0], chain[-1][1], tuple(name for name, level in chain if level > 0)


def _cluster_terms(members: list[Doc], idf: dict[str, float], limit: int) -> dict[str, int]:
    """Terms most members share, rarest first among equals; a term inside a longer one is skipped."""
    counts: Counter[str] = Counter()
    for doc in members:
        counts.update(doc.terms)
    shared = [t for t, k in counts.items() if k >= max(2, len(members) / 2)]
    picked: dict[str, int] = {}
    for term in sorted(shared, key=lambda t: (-counts[t], -len(t), -idf.get(t, 0.0), t)):
        if not any(term in p for p in picked):
            picked[term] = counts[term]
        if len(picked) == limit:
            break
    return picked


def cluster_candidates(window: Window, config: HotspotConfig) -> list[Candidate]:
    """Groups of at least min_count similar requests from at least cluster_min_places places."""
    docs, vectors, threshold = window.current, window.vectors, config.cluster_similarity
    pairs = (pair for pair, dot in window.pair_similarity.items() if dot >= threshold)
    groups = [_tighten(g, vectors, threshold) for g in components(len(docs), pairs) if len(g) > 1]
    groups = [g for g in groups if _qualifies([docs[i] for i in g], window, config)]
    if not groups:
        return []
    baseline = [vectorize(d, window.idf) for d in window.baseline]
    postings: dict[str, list[int]] = defaultdict(list)
    for i, vector in enumerate(baseline):
        for term in vector:
            postings[term].append(i)
    found = []
    for group in groups:
        members = [docs[i] for i in group]
        middle = centroid(vectors[i] for i in group)
        similar, k = _baseline_similar(middle, baseline, postings, threshold), window.reports({d.id for d in members})
        expected = max((similar + config.pseudo_count) * window.rate_factor,
                       len(docs) * (similar + 1) / (len(window.baseline) + 2))
        score = poisson_surprise(k, expected)
        if score < config.min_score or k < config.min_ratio * expected:
            continue
        place, level, path = _common_place(members)
        counts = _cluster_terms(members, window.idf, config.top_terms)
        found.append(Candidate(
            kind="cluster", place=place, level=level, path=path, terms=tuple(counts), term_counts=counts,
            members=frozenset(d.id for d in members), score=score, observed=k, expected=expected,
        ))
    return found
