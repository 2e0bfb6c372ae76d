"""Subscriber of `intake.case-updates`: translate each case event into a handler call."""

from __future__ import annotations

import logging

from contracts.envelope import Envelope
from intake.bootstrap import Container
from intake.metrics import IntakeMetrics
from servicekit.auth.setup import source_policy
from servicekit.consumer import subscribe_envelopes


def subscribe(container: Container, metrics: IntakeMetrics, log: logging.Logger) -> None:
    """Keep residents' timelines current from case.*.v1 and sla.scheduled.v1 (ack after the write)."""

    async def on_case_event(envelope: Envelope) -> None:
        applied = await container.intake.apply_case_event(envelope)
        if applied:
            metrics.case_events.labels(envelope.type).inc()

    subscribe_envelopes(container.runtime.broker, container.runtime.topology, "intake.case-updates",
                        on_case_event, prefetch=container.settings.prefetch, log=log,
                        sources=source_policy(container.settings))
