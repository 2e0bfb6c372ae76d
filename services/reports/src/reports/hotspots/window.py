"""The slice of history one detection looks at: the current window and the baseline before it."""

from __future__ import annotations

import bisect
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from reports.hotspots.analyze import Doc
from reports.hotspots.similarity import Vector, components, idf_weights, similarities, vectorize

# Messages this similar (or with the same title) are one report repeated, e.g. one resident posting twice.
DUPLICATE_SIMILARITY = 0.9


@dataclass(frozen=True, slots=True)
class Window:
    """Docs of the window (start, end] and of the baseline before it, with shared statistics.

    `doc_freq` counts, per term, the docs of window and baseline together that contain it, and
    `baseline_freq` the baseline docs only;
    `rate_factor` turns a baseline count into the count expected over one window; `report` maps
    each window doc id to the id of its group of near-duplicates, so that counts count reports.
    """

    start: datetime
    end: datetime
    current: list[Doc]
    baseline: list[Doc]
    doc_freq: Counter[str]
    baseline_freq: Counter[str]
    rate_factor: float
    idf: dict[str, float]
    vectors: list[Vector]
    pair_similarity: dict[tuple[int, int], float]
    report: dict[str, str]

    @property
    def total(self) -> int:
        """Number of docs in window and baseline together."""
        return len(self.current) + len(self.baseline)

    def reports(self, ids: frozenset[str] | set[str]) -> int:
        """How many distinct reports (near-duplicate groups) the ids make."""
        return len({self.report[i] for i in ids})


def _report_keys(docs: list[Doc], titles: dict[str, str], pairs: dict[tuple[int, int], float]) -> dict[str, str]:
    by_title: dict[str, int] = {}
    same = [(i, by_title.setdefault(titles[d.id], i)) for i, d in enumerate(docs) if titles.get(d.id)]
    close = [pair for pair, dot in pairs.items() if dot >= DUPLICATE_SIMILARITY]
    keys: dict[str, str] = {}
    for group in components(len(docs), same + close):
        first = min(docs[i].id for i in group)
        keys.update((docs[i].id, first) for i in group)
    return keys


def build_window(
    docs: list[Doc], *, end: datetime, window_days: float, baseline_days: float, history_start: datetime,
    similarity_floor: float = 0.5,
) -> Window:
    """Split docs (sorted by time) into window and baseline; pairs of window docs at `similarity_floor` or
    more similar are kept for grouping. The baseline is cut where history starts."""
    start = end - timedelta(days=window_days)
    baseline_start = start - timedelta(days=baseline_days)
    def at(moment: datetime) -> int:
        return bisect.bisect_right(docs, moment, key=lambda d: d.time)

    current, baseline = docs[at(start):at(end)], docs[at(baseline_start):at(start)]
    baseline_freq: Counter[str] = Counter()
    for doc in baseline:
        baseline_freq.update(doc.terms)
    doc_freq = baseline_freq.copy()
    for doc in current:
        doc_freq.update(doc.terms)
    # Without history before the window, count the baseline as one window long: conservative.
    covered = max(start - max(baseline_start, history_start), timedelta(days=window_days))
    idf = idf_weights(doc_freq, len(current) + len(baseline))
    vectors = [vectorize(d, idf) for d in current]
    pairs = similarities(vectors, floor=min(similarity_floor, DUPLICATE_SIMILARITY))
    titles = {d.id: d.title_key for d in current}
    return Window(start, end, current, baseline, doc_freq, baseline_freq, timedelta(days=window_days) / covered,
                  idf, vectors, pairs, _report_keys(current, titles, pairs))
