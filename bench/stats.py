"""Percentiles and latency summaries (nearest-rank, so p99 of 100 values is the 99th smallest)."""

from __future__ import annotations

import math
from collections.abc import Sequence


def percentile(values: Sequence[float], q: float) -> float | None:
    """The nearest-rank q-th percentile (0 < q <= 100) of the values; None when there are none."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def summary_ms(seconds: Sequence[float]) -> dict[str, float | None]:
    """p50, p90, p99 and max of durations given in seconds, in milliseconds rounded to 0.1."""
    def ms(value: float | None) -> float | None:
        return None if value is None else round(value * 1000, 1)

    return {"p50_ms": ms(percentile(seconds, 50)), "p90_ms": ms(percentile(seconds, 90)),
            "p99_ms": ms(percentile(seconds, 99)), "max_ms": ms(max(seconds) if seconds else None)}
