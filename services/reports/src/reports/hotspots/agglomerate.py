"""Agglomeration primitives: dot products of small blocks, average linkage, greedy centroid merging."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import sparse
from scipy.cluster.hierarchy import linkage

from reports.hotspots.placekeys import PlaceKeys, unit_keys

# Above this many units in one place, centroid merging (quadratic per merge) is skipped.
MAX_CENTROID_UNITS = 2000
# Blocks up to this many cells (rows × distinct columns) are multiplied as dense arrays.
DENSE_LIMIT = 4_000_000


def gram(block: sparse.csr_matrix) -> np.ndarray:
    """All dot products between the rows of a block (dense for small blocks: no transpose of 10⁵ columns)."""
    columns, position = np.unique(block.indices, return_inverse=True)
    if block.shape[0] * len(columns) > DENSE_LIMIT:
        return (block @ block.T).toarray()
    dense = np.zeros((block.shape[0], len(columns)))
    dense[np.repeat(np.arange(block.shape[0]), np.diff(block.indptr)), position.ravel()] = block.data
    return dense @ dense.T


def _cut(tree: np.ndarray, size: int, height: float) -> np.ndarray:
    """Flat cluster labels of a linkage tree cut at `height` (fcluster without its validation cost)."""
    parent = np.arange(2 * size - 1)

    def root(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    for step, (left, right, distance, _) in enumerate(tree):
        if distance <= height:
            parent[root(int(left))] = parent[root(int(right))] = size + step
    return np.array([root(i) for i in range(size)])


def average_link(sim: np.ndarray, threshold: float) -> np.ndarray:
    """Cluster labels of average linkage cut where the mean similarity between clusters falls below threshold.

    Unlike linking every pair above the threshold, a chain of pairwise links does not make a group.
    """
    if len(sim) <= 1:
        return np.zeros(len(sim), dtype=np.int64)
    if len(sim) == 2:
        return np.array([0, 0 if sim[0, 1] >= threshold else 1])
    distance = np.clip(1.0 - sim, 0.0, 2.0)
    condensed = distance[np.triu_indices(len(sim), k=1)]
    return _cut(linkage(condensed, method="average"), len(sim), 1.0 - threshold + 1e-12)


def split(members: np.ndarray, sim: np.ndarray, threshold: float) -> list[np.ndarray]:
    labels = average_link(sim, threshold)
    return [members[labels == label] for label in np.unique(labels)]


def merge_by_centroid(
    units: list[np.ndarray], matrix: sparse.csr_matrix, keys: PlaceKeys, threshold: float
) -> list[np.ndarray]:
    """Greedily merge the two units whose centroids are most alike while that cosine reaches threshold.

    Residents word one problem differently (油烟熏人 / 烧烤店太吵): two of their requests may share
    little, but each resembles what the group says as a whole. Units at different places never merge.
    """
    if len(units) < 2 or len(units) > MAX_CENTROID_UNITS:
        return units
    units = list(units)
    vectors = centroids(matrix, units)
    everyone = np.arange(len(units))
    conflict = unit_keys(keys, units).conflict(everyone, everyone)
    sim = np.where(conflict, -1.0, gram(vectors))
    np.fill_diagonal(sim, -1.0)
    alive = np.ones(len(units), dtype=bool)
    while True:
        a, b = np.unravel_index(np.argmax(sim), sim.shape)
        if sim[a, b] < threshold:
            break
        units[a] = np.concatenate([units[a], units[b]])
        alive[b] = False
        conflict[a] |= conflict[b]
        conflict[:, a] |= conflict[:, b]
        merged = centroids(matrix, [units[a]])
        vectors = sparse.vstack([vectors[:a], merged, vectors[a + 1:]], format="csr")
        row = (vectors @ merged.T).toarray().ravel()
        row[~alive | conflict[a]] = -1.0
        row[a] = -1.0
        sim[a, :] = sim[:, a] = row
        sim[b, :] = sim[:, b] = -1.0
    return [u for u, keep in zip(units, alive, strict=True) if keep]


def centroids(matrix: sparse.csr_matrix, units: Sequence[np.ndarray]) -> sparse.csr_matrix:
    """Unit-length mean row of every unit."""
    rows = np.concatenate(units)
    owner = np.repeat(np.arange(len(units)), [len(u) for u in units])
    assign = sparse.csr_matrix((np.ones(len(rows)), (owner, rows)), shape=(len(units), matrix.shape[0]))
    means = assign @ matrix
    norms = np.sqrt(np.asarray(means.multiply(means).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.csr_matrix(sparse.diags(1 / norms) @ means)
