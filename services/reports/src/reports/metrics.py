"""The reports service's Prometheus metrics, in a registry of its own per app."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram


class ReportsMetrics:
    """Events projected, duplicates skipped, version conflicts, hot issues and query latency."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.events = Counter("reports_events_total", "Events consumed, by type and outcome",
                              ["type", "outcome"], registry=self.registry)
        self.conflicts = Counter("reports_fact_conflicts_total", "Fact writes retried after a concurrent change",
                                 registry=self.registry)
        self.hotspots = Counter("reports_hotspots_detected_total", "New hot issues stored and published",
                                registry=self.registry)
        self.query_seconds = Histogram("reports_query_seconds", "Time to answer a report endpoint",
                                       ["endpoint"], registry=self.registry)
