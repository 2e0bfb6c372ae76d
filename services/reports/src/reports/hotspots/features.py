"""TF-IDF vectors of analysed requests as sparse matrices: words and character bigrams, titles and texts."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
from scipy import sparse

from reports.hotspots.analyze import Doc

# Share of a cosine that comes from words; the rest from character bigrams, which survive
# segmentation differences (电梯坏了 / 电梯损坏) and catch names the dictionary does not know.
WORD_SHARE = 0.5
# Share of the grouping cosine that comes from the titles alone: a title states the problem in a few
# words, where two residents' bodies differ in their stories.
TITLE_SHARE = 0.5
# A feature in more than this many requests (and this share of them) is too common to tell issues
# apart (您好, 居民); dropping it also keeps the similarity products sparse.
COMMON_MIN = 100
COMMON_SHARE = 0.02
TITLE_GRAM_WEIGHT = 2


def tfidf(counts: sparse.csr_matrix) -> sparse.csr_matrix:
    """Rows of unit length: sublinear weight (1 + ln count) times smoothed IDF; common features dropped."""
    counts = sparse.csr_matrix(counts, dtype=np.float64)
    counts.data = np.where(counts.data >= 1, 1.0 + np.log(np.maximum(counts.data, 1.0)), counts.data)
    rows = counts.shape[0]
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    idf = np.log((rows + 1) / (df + 1)) + 1
    idf[df > max(COMMON_MIN, COMMON_SHARE * rows)] = 0.0
    weighted = counts @ sparse.diags(idf)
    norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    result = sparse.csr_matrix(sparse.diags(1 / norms) @ weighted)
    result.eliminate_zeros()
    return result


def word_counts(bags: Sequence[Mapping[str, float]]) -> sparse.csr_matrix:
    """A document-term matrix of word weights."""
    vocabulary: dict[str, int] = {}
    indices = [vocabulary.setdefault(word, len(vocabulary)) for bag in bags for word in bag]
    values = [weight for bag in bags for weight in bag.values()]
    indptr = np.cumsum([0] + [len(bag) for bag in bags])
    return sparse.csr_matrix((values, indices, indptr), shape=(len(bags), max(len(vocabulary), 1)))


def _wordlike(codes: np.ndarray) -> np.ndarray:
    """Chinese characters, ASCII letters and digits: bigrams never cross anything else."""
    return (((codes >= 0x4E00) & (codes <= 0x9FFF)) | ((codes >= 0x30) & (codes <= 0x39))
            | ((codes >= 0x41) & (codes <= 0x5A)) | ((codes >= 0x61) & (codes <= 0x7A)))


def bigram_counts(texts: Sequence[str]) -> sparse.csr_matrix:
    """A document-bigram count matrix, computed on code points at once rather than text by text."""
    codes = np.frombuffer("\0".join(texts).encode("utf-32-le"), dtype=np.uint32)
    if len(codes) < 2:
        return sparse.csr_matrix((len(texts), 1))
    keep = _wordlike(codes)
    valid = keep[:-1] & keep[1:]
    owner = np.cumsum(codes == 0)[:-1][valid]
    keys = (codes[:-1][valid].astype(np.uint64) << np.uint64(32)) | codes[1:][valid]
    _, columns = np.unique(keys, return_inverse=True)
    shape = (len(texts), int(columns.max()) + 1 if len(columns) else 1)
    matrix = sparse.csr_matrix((np.ones(len(columns)), (owner, columns.ravel())), shape=shape)
    matrix.sum_duplicates()
    return matrix


def _mix(words: sparse.csr_matrix, grams: sparse.csr_matrix) -> sparse.csr_matrix:
    return sparse.hstack([words * math.sqrt(WORD_SHARE), grams * math.sqrt(1 - WORD_SHARE)], format="csr")


def doc_matrices(docs: Sequence[Doc]) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
    """Rows for grouping, and rows of the whole texts alone (to tell near-copies).

    A dot product of grouping rows is TITLE_SHARE · cos(titles) + (1 − TITLE_SHARE) · cos(texts); each
    cos is WORD_SHARE · cos(words) + (1 − WORD_SHARE) · cos(bigrams). Titles count twice in texts.
    """
    grams = bigram_counts([d.title_text for d in docs] + [d.body_text for d in docs])
    title_grams, body_grams = grams[: len(docs)], grams[len(docs):]
    title_words = [{w: 1.0 for w, weight in d.weights.items() if weight > 1} for d in docs]
    titles = _mix(tfidf(word_counts(title_words)), tfidf(title_grams))
    texts = _mix(tfidf(word_counts([d.weights for d in docs])), tfidf(TITLE_GRAM_WEIGHT * title_grams + body_grams))
    both = sparse.hstack([titles * math.sqrt(TITLE_SHARE), texts * math.sqrt(1 - TITLE_SHARE)], format="csr")
    return both, texts
