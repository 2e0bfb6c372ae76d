"""Group requests about the same problem at the same place: place blocks first, then similar texts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from reports.hotspots.agglomerate import centroids, gram, merge_by_centroid, split
from reports.hotspots.analyze import Doc
from reports.hotspots.model import IssueConfig
from reports.hotspots.placekeys import PlaceKeys, place_keys, unit_keys

CHUNK = 512


def adjust(sim: np.ndarray, keys: PlaceKeys, rows: np.ndarray, cols: np.ndarray, bonus: float) -> np.ndarray:
    """Similarity raised where two units name the same local place, and -1 where their places differ."""
    local_r, local_c = keys.mentioned[rows][:, None], keys.mentioned[cols][None, :]
    adjusted = sim + bonus * ((local_r >= 0) & (local_r == local_c))
    return np.where(keys.conflict(rows, cols), -1.0, adjusted)


def link_pairs(matrix: sparse.csr_matrix, keys: PlaceKeys, *, threshold: float, bonus: float) -> sparse.coo_matrix:
    """The graph of pairs (i < j) whose place-adjusted similarity reaches the threshold."""
    size = matrix.shape[0]
    found: list[tuple[np.ndarray, np.ndarray]] = []
    transposed = matrix.T.tocsr()
    for start in range(0, size, CHUNK):
        product = (matrix[start:start + CHUNK] @ transposed).tocoo()
        first, second = product.row + start, product.col
        candidate = (second > first) & (product.data >= threshold - bonus)
        first, second, sim = first[candidate], second[candidate], product.data[candidate]
        sim = sim + bonus * keys.same_place_pairs(first, second)
        linked = (sim >= threshold) & ~keys.conflict_pairs(first, second)
        found.append((first[linked], second[linked]))
    pairs = (np.concatenate([f[0] for f in found]), np.concatenate([f[1] for f in found]))
    return sparse.coo_matrix((np.ones(len(pairs[0])), pairs), shape=(size, size))


def components(graph: sparse.spmatrix) -> list[np.ndarray]:
    """Connected components of an undirected graph, as arrays of indices (singletons included)."""
    count, labels = connected_components(graph, directed=False)
    order = np.argsort(labels, kind="stable")
    return np.split(order, np.cumsum(np.bincount(labels, minlength=count))[:-1])


def place_blocks(matrix: sparse.csr_matrix, keys: PlaceKeys, threshold: float) -> list[np.ndarray]:
    """Stage 1: within each local place (else organisation) named in titles, groups of requests about one
    problem."""
    blocks: dict[int, list[int]] = defaultdict(list)
    for index, (local, organisation) in enumerate(zip(keys.titled, keys.organisation, strict=True)):
        blocks[int(local if local >= 0 else organisation)].append(index)
    units = [np.array([i]) for i in blocks.pop(-1, [])]
    units += [np.array(members) for members in blocks.values() if len(members) == 1]
    for members in (np.array(m) for m in blocks.values() if len(m) > 1):
        sim = np.where(keys.conflict(members, members), -1.0, gram(matrix[members]))
        units += merge_by_centroid(split(members, sim, threshold), matrix, keys, threshold)
    return units


def group_docs(matrix: sparse.csr_matrix, docs: Sequence[Doc], config: IssueConfig) -> list[np.ndarray]:
    """Groups of doc indices (singletons included): place blocks, then units joined by similar text."""
    keys = place_keys(docs)
    units = place_blocks(matrix, keys, config.place_similarity)
    vectors, ukeys = centroids(matrix, units), unit_keys(keys, units)
    bonus = config.place_bonus
    groups = []
    for component in components(link_pairs(vectors, ukeys, threshold=config.similarity, bonus=bonus)):
        if len(component) == 1:
            groups.append(units[component[0]])
            continue
        sim = adjust(gram(vectors[component]), ukeys, component, component, bonus)
        parts = [np.concatenate([units[u] for u in part]) for part in split(component, sim, config.similarity)]
        groups += merge_by_centroid(parts, matrix, keys, config.similarity)
    return groups


def _close_pairs(groups: Sequence[np.ndarray], texts: sparse.csr_matrix, threshold: float) -> np.ndarray:
    """Pairs of members of one group whose whole texts reach the threshold (as rows i, j)."""
    found: list[np.ndarray] = []
    pairs = np.array([g for g in groups if len(g) == 2]).reshape(-1, 2)
    if len(pairs):
        dots = np.asarray(texts[pairs[:, 0]].multiply(texts[pairs[:, 1]]).sum(axis=1)).ravel()
        found.append(pairs[dots >= threshold])
    for members in (g for g in groups if len(g) > 2):
        a, b = np.nonzero(np.triu(gram(texts[members]) >= threshold, k=1))
        found.append(np.column_stack([members[a], members[b]]))
    return np.concatenate(found) if found else np.zeros((0, 2), dtype=np.int64)


def families(
    groups: Sequence[np.ndarray], texts: sparse.csr_matrix, docs: Sequence[Doc], threshold: float
) -> np.ndarray:
    """Per doc, a number its near-copies share: same title, or whole texts at cosine ≥ threshold."""
    pairs = [_close_pairs(groups, texts, threshold)]
    for members in (g for g in groups if len(g) > 1):
        by_title: dict[str, int] = {}
        same = [(i, by_title.setdefault(docs[i].title_key, i)) for i in members if docs[i].title_key]
        pairs.append(np.array(same, dtype=np.int64).reshape(-1, 2))
    edges = np.concatenate(pairs)
    graph = sparse.coo_matrix((np.ones(len(edges)), (edges[:, 0], edges[:, 1])), shape=(len(docs), len(docs)))
    return connected_components(graph, directed=False)[1]
