"""Duplicate detection: the same problem reported again in the same compound within a window."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from router.domain.case import Case

_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)


def bigrams(text: str) -> set[str]:
    """Character bigrams of the text without spaces and punctuation (Chinese has no word breaks)."""
    clean = _NOISE.sub("", text.lower())
    return {clean[i:i + 2] for i in range(len(clean) - 1)} or ({clean} if clean else set())


def similarity(a: str, b: str) -> float:
    """Jaccard similarity of the two texts' character bigrams, in [0, 1]."""
    left, right = bigrams(a), bigrams(b)
    if not left or not right:
        return 0.0
    return len(left & right) / len(left | right)


def find_duplicate(text: str, place: dict[str, str | None], candidates: list[Case], *, now: datetime,
                   window: timedelta, threshold: float) -> tuple[Case, float] | None:
    """The most similar open case of the same compound (and building, when both name one) within the window."""
    best: tuple[Case, float] | None = None
    for case in candidates:
        if not case.is_open or case.compound_id != place.get("compound_id") or now - case.submitted_at > window:
            continue
        building = place.get("building")
        if building and case.place.get("building") and case.place.get("building") != building:
            continue
        score = similarity(text, case.text)
        if score >= threshold and (best is None or score > best[1]):
            best = (case, score)
    return best
