"""Duplicate detection: the same problem reported again in the same compound within a window."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from router.domain.case import OPEN_STATUSES

_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)
# Candidates read per request: the newest open cases of the building (and those naming none). A building
# with more open cases than this within the window is already a matter for staff, not for text matching.
MAX_CANDIDATES = 200


@dataclass(frozen=True)
class Candidate:
    """What duplicate detection needs of an open case (the store reads only these fields)."""

    case_id: str
    compound_id: str | None
    building: str | None
    text: str
    status: str
    submitted_at: datetime

    @property
    def is_open(self) -> bool:
        """True until the case is resolved, closed or cancelled."""
        return self.status in OPEN_STATUSES


def bigrams(text: str) -> set[str]:
    """Character bigrams of the text without spaces and punctuation (Chinese has no word breaks)."""
    clean = _NOISE.sub("", text.lower())
    return {clean[i:i + 2] for i in range(len(clean) - 1)} or ({clean} if clean else set())


def jaccard(left: set[str], right: set[str]) -> float:
    """Jaccard similarity of two bigram sets, in [0, 1] (0 when either is empty)."""
    if not left or not right:
        return 0.0
    return len(left & right) / len(left | right)


def similarity(a: str, b: str) -> float:
    """Jaccard similarity of the two texts' character bigrams, in [0, 1]."""
    return jaccard(bigrams(a), bigrams(b))


def find_duplicate(text: str, place: dict[str, str | None], candidates: Sequence[Candidate], *, now: datetime,
                   window: timedelta, threshold: float) -> tuple[Candidate, float] | None:
    """The most similar open case of the same compound (and building, when both name one) within the window."""
    best: tuple[Candidate, float] | None = None
    building = place.get("building")
    own = bigrams(text)
    for case in candidates:
        if not case.is_open or case.compound_id != place.get("compound_id") or now - case.submitted_at > window:
            continue
        if building and case.building and case.building != building:
            continue
        score = jaccard(own, bigrams(case.text))
        if score >= threshold and (best is None or score > best[1]):
            best = (case, score)
    return best
