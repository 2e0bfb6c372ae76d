"""The figures (三率, SLA compliance, times …) computed from summed rollup measures; see docs/metrics.md."""

from __future__ import annotations

from collections.abc import Mapping

from reports.domain.rollups import BINS, MEASURES, NBINS


def ratio(numerator: int, denominator: int) -> float | None:
    """numerator / denominator rounded to 4 places; None when there is nothing to judge."""
    return round(numerator / denominator, 4) if denominator else None


def percentile_from_bins(counts: list[int], q: float) -> float | None:
    """The q-quantile (seconds) of a binned distribution, interpolated linearly inside its bin."""
    total = sum(counts)
    if total == 0:
        return None
    target = q * total
    seen = 0
    for i, n in enumerate(counts):
        if n and seen + n >= target:
            low = BINS[i - 1] if i > 0 else 0
            high = BINS[i] if i < len(BINS) else BINS[-1] * 2
            return round(low + (high - low) * (target - seen) / n, 1)
        seen += n
    return float(BINS[-1] * 2)


def figures(m: Mapping[str, int]) -> dict[str, float | int | None]:
    """Every figure of one group of cases, with the denominators of docs/metrics.md."""
    m = {k: int(m.get(k, 0)) for k in MEASURES}
    active = m["cases"] - m["cancelled"]
    response_judged = m["responded"] + m["response_overdue"]
    resolution_judged = m["done"] + m["resolution_overdue"]
    rt = [m[f"rt_b{i}"] for i in range(NBINS)]
    rs = [m[f"rs_b{i}"] for i in range(NBINS)]
    return {
        "cases": m["cases"], "active": active, "open": m["open"], "backlog": m["open"],
        "resolved": m["done"], "closed": m["closed"], "cancelled": m["cancelled"], "overdue": m["overdue"],
        "response_overdue": m["response_overdue"], "resolution_overdue": m["resolution_overdue"],
        "response_rate": ratio(m["responded_in_sla"], response_judged),
        "resolution_rate": ratio(m["done"], resolution_judged),
        "satisfaction_rate": ratio(m["satisfied"], m["rated"]),
        "completion_rate": ratio(m["closed"], active),
        "sla_compliance": ratio(m["resolved_in_sla"], resolution_judged),
        "reopen_rate": ratio(m["reopened"], m["ever_resolved"]),
        "requests": m["requests"], "repeat_requests": m["repeats"],
        "repeat_rate": ratio(m["repeats"], m["requests"]),
        "rated": m["rated"], "satisfied": m["satisfied"],
        "mean_response_s": round(m["rt_sum"] / m["rt_n"], 1) if m["rt_n"] else None,
        "median_response_s": percentile_from_bins(rt, 0.5),
        "p90_response_s": percentile_from_bins(rt, 0.9),
        "mean_resolution_s": round(m["rs_sum"] / m["rs_n"], 1) if m["rs_n"] else None,
        "median_resolution_s": percentile_from_bins(rs, 0.5),
        "p90_resolution_s": percentile_from_bins(rs, 0.9),
    }


def status_counts(m: Mapping[str, int]) -> dict[str, int]:
    """Cases per current status (only statuses that occur)."""
    return {k.removeprefix("status_"): int(v) for k, v in m.items() if k.startswith("status_") and v}
