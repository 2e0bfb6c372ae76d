"""The heat index of a group of similar requests: how many people, how close together, how specific."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from datetime import datetime

# A further message from the same person (or a near-copy of a text) adds this much of a report.
REPEAT_WEIGHT = 0.25
# Weight of time concentration: reports per 30 days within the group's own span (at least 30 days,
# so that three reports in one afternoon do not outweigh six over a season).
CONCENTRATION_WEIGHT = 0.5
PERIOD_DAYS = 30.0
# A group whose members share no local place (road, community, compound, institution) is a theme
# more than a hot issue at a place.
UNPLACED_FACTOR = 0.9
LIKES_WEIGHT = 0.1


def effective_reports(reporters: Sequence[str]) -> float:
    """Reports counted by person: each person's first message 1, each further one REPEAT_WEIGHT."""
    return sum(1 + REPEAT_WEIGHT * (count - 1) for count in Counter(reporters).values())


def span_periods(times: Sequence[datetime]) -> float:
    """Periods of 30 days from the first to the last time, at least one."""
    return max(1.0, (max(times) - min(times)).total_seconds() / (PERIOD_DAYS * 86400))


def heat_index(*, reports: float, periods: float, placed: bool, likes: int = 0) -> float:
    """ln(1 + R) · (1 + 0.5 · ln(1 + R / M)) · (1, or 0.9 without a local place) + 0.1 · ln(1 + likes).

    R: reports counted by person; M: the group's span in 30-day periods (at least 1).
    """
    concentration = 1 + CONCENTRATION_WEIGHT * math.log1p(reports / periods)
    specific = 1.0 if placed else UNPLACED_FACTOR
    return math.log1p(reports) * concentration * specific + LIKES_WEIGHT * math.log1p(max(likes, 0))
