"""Subscribers: each envelope type is translated into one handler call."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from contracts.envelope import Envelope
from router.config import RouterSettings
from router.handlers.context import Context
from router.metrics import RouterMetrics
from servicekit.auth.setup import source_policy
from servicekit.consumer import subscribe_envelopes
from servicekit.runtime import BrokerRuntime

Handler = Callable[[Context, Envelope], Awaitable[object]]


def handlers_by_type() -> dict[str, Handler]:
    """Event type → handler, for every type bound to the router's queues."""
    from router.handlers import intake, lifecycle

    return {"request.submitted.v1": intake.route_request, **lifecycle.HANDLERS}


def dispatcher(ctx: Context, metrics: RouterMetrics, log: logging.Logger) -> Callable[[Envelope], Awaitable[None]]:
    """One coroutine per queue that routes an envelope to its handler; unknown types fail (dead-letter)."""
    table = handlers_by_type()

    async def handle(envelope: Envelope) -> None:
        handler = table.get(envelope.type)
        if handler is None:
            metrics.events_handled.labels(envelope.type, "unhandled").inc()
            raise LookupError(f"the router has no handler for {envelope.type}")
        try:
            await handler(ctx, envelope)
        except Exception:
            metrics.events_handled.labels(envelope.type, "error").inc()
            log.exception("handler failed", extra={"event_id": envelope.id, "type": envelope.type})
            raise
        metrics.events_handled.labels(envelope.type, "ok").inc()

    return handle


def subscribe_all(runtime: BrokerRuntime, ctx: Context, metrics: RouterMetrics, settings: RouterSettings,
                  log: logging.Logger) -> None:
    """Consume the router's three queues: requests, department replies and SLA breaches."""
    handle = dispatcher(ctx, metrics, log)
    sources = source_policy(settings)
    for purpose in ("router.requests", "router.departments", "router.sla"):
        subscribe_envelopes(runtime.broker, settings.topology, purpose, handle, prefetch=settings.prefetch, log=log,
                            sources=sources)
