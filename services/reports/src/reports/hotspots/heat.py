"""The heat index of a group of similar requests: how many people, how close together, how specific."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime

import numpy as np

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
# Stretches of a group compared at once (rows of the start × end table), to bound memory.
STRETCH_ROWS = 512


def report_weights(reporters: Sequence[str]) -> list[float]:
    """Per request in order: 1 for a person's first request, REPEAT_WEIGHT for each further one."""
    seen: set[str] = set()
    weights = []
    for reporter in reporters:
        weights.append(REPEAT_WEIGHT if reporter in seen else 1.0)
        seen.add(reporter)
    return weights


def effective_reports(reporters: Sequence[str]) -> float:
    """Reports counted by person: each person's first message 1, each further one REPEAT_WEIGHT."""
    return sum(report_weights(reporters))


def span_periods(times: Sequence[datetime]) -> float:
    """Periods of 30 days from the first to the last time, at least one."""
    return max(1.0, (max(times) - min(times)).total_seconds() / (PERIOD_DAYS * 86400))


def heat_index(*, reports: float, periods: float, placed: bool, likes: int = 0) -> float:
    """ln(1 + R) · (1 + 0.5 · ln(1 + R / M)) · (1, or 0.9 without a local place) + 0.1 · ln(1 + likes).

    R: reports counted by person; M: the span in 30-day periods (at least 1).
    """
    concentration = 1 + CONCENTRATION_WEIGHT * math.log1p(reports / periods)
    specific = 1.0 if placed else UNPLACED_FACTOR
    return math.log1p(reports) * concentration * specific + LIKES_WEIGHT * math.log1p(max(likes, 0))


def peak(times: Sequence[datetime], weights: Sequence[float], *, least: int = 2) -> tuple[float, float]:
    """(R, M) of the group's hottest stretch: the run of consecutive requests (at least `least`, or all)
    whose ln(1 + R) · (1 + 0.5 · ln(1 + R / M)) is largest.

    An issue that flares up now after a few reports years ago is as hot as the flare-up; a problem
    reported evenly over its whole span keeps its whole span.
    """
    days = np.array([(t - times[0]).total_seconds() / 86400 for t in times])
    total = np.concatenate([[0.0], np.cumsum(weights)])
    least = min(max(least, 1), len(times))
    best = (-1.0, float(total[-1]), span_periods(times))
    ends = np.arange(len(times))
    for start in range(0, len(times), STRETCH_ROWS):
        first = np.arange(start, min(start + STRETCH_ROWS, len(times)))[:, None]
        valid = ends[None, :] - first + 1 >= least
        reports = np.where(valid, total[ends + 1][None, :] - total[first], 0.0)
        periods = np.maximum(1.0, (days[ends][None, :] - days[first]) / PERIOD_DAYS)
        value = np.where(valid, np.log1p(reports) * (1 + CONCENTRATION_WEIGHT * np.log1p(reports / periods)), -1.0)
        row, col = np.unravel_index(np.argmax(value), value.shape)
        if value[row, col] > best[0]:
            best = (float(value[row, col]), float(reports[row, col]), float(periods[row, col]))
    return best[1], best[2]
