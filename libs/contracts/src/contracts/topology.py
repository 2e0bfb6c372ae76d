"""RabbitMQ topology names and arguments: one events exchange, quorum queues, dead-lettering."""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_DELIVERY_LIMIT = 5

# Each consuming service's queues and the routing-key patterns bound to them.
SERVICE_QUEUES: dict[str, tuple[str, ...]] = {
    "router.requests": ("request.submitted.v1", "request.cancelled.v1", "feedback.submitted.v1"),
    "router.departments": ("dept.case.*.v1",),
    "router.sla": ("sla.breached.v1",),
    "notifier.cases": ("case.*.v1", "whistle.*.v1", "hotspot.detected.v1"),
    "intake.case-updates": ("case.*.v1", "sla.scheduled.v1"),
    "reports.events": ("#",),
}


@dataclass(frozen=True)
class Topology:
    """Names under one prefix, so tests can run beside a live platform on the same broker."""

    prefix: str = "whistle"
    delivery_limit: int = DEFAULT_DELIVERY_LIMIT
    queues: dict[str, tuple[str, ...]] = field(default_factory=lambda: dict(SERVICE_QUEUES))

    @property
    def events_exchange(self) -> str:
        """Durable topic exchange carrying every platform event."""
        return f"{self.prefix}.events"

    @property
    def dead_letter_exchange(self) -> str:
        """Exchange that receives messages rejected past the delivery limit."""
        return f"{self.prefix}.dlx"

    @property
    def dead_letter_queue(self) -> str:
        """Quorum queue holding every dead-lettered message for inspection."""
        return f"{self.prefix}.dead-letter"

    def queue_name(self, purpose: str) -> str:
        """Full name of a service queue, e.g. whistle.router.requests."""
        return f"{self.prefix}.{purpose}"

    def department_queue(self, dept_code: str) -> str:
        """Full name of a department system's own queue."""
        return f"{self.prefix}.whistle.{dept_code}"

    def queue_arguments(self, purpose: str) -> dict[str, object]:
        """Arguments of a consuming queue: quorum, delivery limit, dead-letter with its own key."""
        return {
            "x-queue-type": "quorum",
            "x-delivery-limit": self.delivery_limit,
            "x-dead-letter-exchange": self.dead_letter_exchange,
            "x-dead-letter-routing-key": self.queue_name(purpose),
        }
