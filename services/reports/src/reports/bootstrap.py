"""The composition root: settings → store → repository → runtime and subscribers."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from contracts.envelope import Envelope
from reports.adapters.mongo_repository import MongoReportsRepository
from reports.adapters.org_file import load_org
from reports.adapters.repository import ReportsRepository
from reports.adapters.sqlite_repository import SqliteReportsRepository
from reports.config import ReportsSettings
from reports.domain.org import OrgIndex
from reports.handlers import consume_event
from reports.metrics import ReportsMetrics
from servicekit.auth.setup import source_policy
from servicekit.consumer import subscribe_envelopes
from servicekit.runtime import BrokerRuntime
from servicekit.storage.mongo import connect_mongo

PURPOSE = "reports.events"


@dataclass
class Container:
    """Everything a running reports process holds."""

    settings: ReportsSettings
    repo: ReportsRepository
    org: OrgIndex
    runtime: BrokerRuntime
    metrics: ReportsMetrics
    log: logging.Logger


def build_repository(settings: ReportsSettings) -> ReportsRepository:
    """MongoDB when MONGODB_URL is set, otherwise the SQLite file under the data directory."""
    if settings.mongodb_url:
        client, db = connect_mongo(settings.mongodb_url, settings.mongodb_db or "whistle_reports")
        return MongoReportsRepository(db, client)
    return SqliteReportsRepository(settings.sqlite_path)


def build(settings: ReportsSettings, log: logging.Logger) -> Container:
    """Wire the repository, the broker runtime (with the outbox relay) and the event subscriber."""
    repo = build_repository(settings)
    org = load_org(settings.org_file)
    metrics = ReportsMetrics()
    runtime = BrokerRuntime(settings.rabbitmq_url, settings.topology, log=log)
    runtime.attach_outbox(repo.outbox, poll_s=settings.outbox_poll_s)  # type: ignore[attr-defined]

    async def handle(envelope: Envelope) -> None:
        outcome = await consume_event(repo, org, envelope)
        metrics.events.labels(envelope.type, outcome).inc()

    subscribe_envelopes(runtime.broker, settings.topology, PURPOSE, handle, prefetch=settings.prefetch, log=log,
                        sources=source_policy(settings))
    return Container(settings, repo, org, runtime, metrics, log)
