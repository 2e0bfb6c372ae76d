"""Intake's Prometheus metrics, in an own registry per app."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter


@dataclass
class IntakeMetrics:
    """Counters exported at /metrics."""

    registry: CollectorRegistry
    submitted: Counter
    rejected: Counter
    rate_limited: Counter
    case_events: Counter


def create_metrics() -> IntakeMetrics:
    """A fresh registry with intake's metrics."""
    registry = CollectorRegistry()
    return IntakeMetrics(
        registry=registry,
        submitted=Counter("intake_requests_submitted_total", "Requests stored", ["channel"], registry=registry),
        rejected=Counter("intake_requests_rejected_total", "Requests refused for bad input", registry=registry),
        rate_limited=Counter("intake_rate_limited_total", "Requests refused by a rate limit", ["key"],
                             registry=registry),
        case_events=Counter("intake_case_events_total", "Case events applied", ["type"], registry=registry),
    )
