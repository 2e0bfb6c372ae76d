"""Subscribers: the `notifier.cases` queue feeds every case event to its handler."""

from __future__ import annotations

import logging

from contracts.envelope import Envelope
from notifier.config import NotifierSettings
from notifier.handlers import Deps, handle_case_event
from servicekit.auth.setup import source_policy
from servicekit.consumer import subscribe_envelopes
from servicekit.runtime import BrokerRuntime


def register_consumers(runtime: BrokerRuntime, settings: NotifierSettings, deps: Deps, *,
                       log: logging.Logger) -> None:
    """Ack after the write; a handler error (e.g. a concurrent update) requeues, the delivery limit dead-letters."""

    async def on_case_event(envelope: Envelope) -> None:
        result = await handle_case_event(deps, envelope)
        log.debug("case event handled", extra={"event_id": envelope.id, "type": envelope.type,
                                               "case_id": envelope.subject, "result": result})

    subscribe_envelopes(runtime.broker, runtime.topology, "notifier.cases", on_case_event,
                        prefetch=settings.prefetch, log=log, sources=source_policy(settings))
