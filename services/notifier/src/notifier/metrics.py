"""Every Prometheus metric of the notifier, in its own registry (one per app)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class NotifierMetrics:
    """Counters and gauges prefixed `notifier_`."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.events = Counter("notifier_events_total", "Case events handled, by type and outcome",
                              ["type", "outcome"], registry=self.registry)
        self.timers_fired = Counter("notifier_timers_fired_total", "Timers fired, by kind and deadline",
                                    ["kind", "deadline"], registry=self.registry)
        self.timers_lost = Counter("notifier_timer_lease_lost_total",
                                   "Claimed timers another replica completed or that were cancelled first",
                                   registry=self.registry)
        self.timers_scheduled = Gauge("notifier_timers_scheduled", "Timers waiting to fire",
                                      registry=self.registry)
        self.outbox_pending = Gauge("notifier_outbox_pending", "Outbox documents/rows not yet published",
                                    registry=self.registry)
        self.fire_latency = Histogram("notifier_timer_fire_delay_seconds",
                                      "Virtual seconds between a timer's due time and its firing",
                                      buckets=(0.5, 1, 2, 5, 15, 60, 300, 1800, 7200), registry=self.registry)
        self.notifications = Counter("notifier_notifications_total", "Notifications, by channel and outcome",
                                     ["channel", "outcome"], registry=self.registry)
        self.notifications_dead = Gauge("notifier_notifications_dead", "Dead-letter records of notifications",
                                        registry=self.registry)
        self.dead_letters = Counter("notifier_notifications_dead_lettered_total",
                                    "Notifications given up after their retries", ["channel"],
                                    registry=self.registry)
