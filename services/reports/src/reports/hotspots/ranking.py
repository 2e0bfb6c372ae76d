"""Candidates from both detectors, de-duplicated and ranked into hot issues."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from reports.hotspots.model import Hotspot


@dataclass(frozen=True, slots=True)
class Candidate:
    """A hot issue before ranking: `level` orders places from coarse (1) to fine."""

    kind: str
    place: str
    level: int
    path: tuple[str, ...]
    terms: tuple[str, ...]
    term_counts: Mapping[str, int]
    members: frozenset[str]
    score: float
    observed: int
    expected: float


def overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """Overlap coefficient |a ∩ b| / min(|a|, |b|)."""
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


def _covered_by_finer(candidate: Candidate, others: list[Candidate], fraction: float) -> bool:
    return any(
        other.level > candidate.level and len(other.members & candidate.members) >= fraction * len(candidate.members)
        for other in others
        if other.kind == candidate.kind
    )


def select(candidates: list[Candidate], *, max_overlap: float, cover_fraction: float) -> list[Candidate]:
    """Prefer the finest place for the same requests, then keep the best of overlapping candidates."""
    finest = [c for c in candidates if not _covered_by_finer(c, candidates, cover_fraction)]
    finest.sort(key=lambda c: (-c.score, -c.level, -len(c.members), c.place, c.terms))
    kept: list[Candidate] = []
    for candidate in finest:
        if all(overlap(candidate.members, k.members) < max_overlap for k in kept):
            kept.append(candidate)
    return kept


def to_hotspots(
    chosen: list[Candidate], *, times: Mapping[str, datetime], window: tuple[datetime, datetime]
) -> list[Hotspot]:
    """Number the chosen candidates 1..n; member ids are listed in time order."""
    return [
        Hotspot(
            rank=rank,
            place=c.place,
            terms=list(c.terms),
            request_ids=sorted(c.members, key=lambda i: (times[i], i)),
            score=round(c.score, 2),
            window_start=window[0],
            window_end=window[1],
            kind=c.kind,
            place_path=c.path,
            term_counts=dict(c.term_counts),
            observed=c.observed,
            expected=round(c.expected, 3),
        )
        for rank, c in enumerate(chosen, start=1)
    ]
