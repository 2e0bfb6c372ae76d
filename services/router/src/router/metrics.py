"""The router's Prometheus metrics (one registry per app, so tests can build several apps)."""

from __future__ import annotations

from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Gauge


@dataclass
class RouterMetrics:
    """Counters for routed cases, handled events and transitions; the outbox backlog."""

    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        self.cases_routed = Counter("router_cases_routed_total", "Cases routed, by class, tier and decider",
                                    ["class_code", "tier", "classified_by"], registry=self.registry)
        self.events_handled = Counter("router_events_handled_total", "Events consumed, by type and outcome",
                                      ["type", "outcome"], registry=self.registry)
        self.transitions = Counter("router_case_transitions_total", "Case transitions, by action",
                                   ["action"], registry=self.registry)
        self.outbox_pending = Gauge("router_outbox_pending", "Events waiting in the outbox", registry=self.registry)
