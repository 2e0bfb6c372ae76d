"""The composition root: settings → store → repository → organisation and rules → handlers → broker runtime."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from router.adapters.org_file import load_org
from router.adapters.repository import CaseRepository
from router.adapters.rules_file import load_rules
from router.adapters.sealing import ContactOpener
from router.config import RouterSettings
from router.handlers.context import Context, Directory, TextModel
from router.metrics import RouterMetrics
from servicekit.runtime import BrokerRuntime
from servicekit.storage.mongo import connect_mongo
from servicekit.storage.sqlite import SqliteDatabase


@dataclass
class Router:
    """Everything a running router holds."""

    settings: RouterSettings
    ctx: Context
    runtime: BrokerRuntime
    metrics: RouterMetrics


async def open_repository(settings: RouterSettings) -> CaseRepository:
    """MongoDB when MONGODB_URL is set, else the SQLite file; indexes created."""
    repo: CaseRepository
    if settings.mongodb_url:
        from router.adapters.mongo_repository import MongoCaseRepository

        client, db = connect_mongo(settings.mongodb_url, settings.mongodb_db or "whistle_router")
        repo = MongoCaseRepository(db, client)
    else:
        from router.adapters.sqlite_repository import SqliteCaseRepository

        sqlite = SqliteDatabase(settings.sqlite_path())
        await sqlite.open()
        repo = SqliteCaseRepository(sqlite)
    await repo.ensure_indexes()
    return repo


def load_directory(settings: RouterSettings) -> Directory:
    """Organisation and rules from their files (raises FileInvalid naming file, line and field)."""
    org = load_org(settings.resolved_org_file())
    return Directory(org, load_rules(settings.rules_file, dept_codes=set(org.departments)))


def load_models(settings: RouterSettings, log: logging.Logger) -> tuple[TextModel | None, TextModel | None]:
    """The category model and the optional domain model; None means keyword rules and triage decide alone.

    Both are numpy exports (router.classifier.runtime): the running service never imports scikit-learn.
    """
    if not settings.classifier_enabled:
        return None, None
    try:
        from router.classifier import runtime
    except ImportError:
        log.warning("text classifier package not installed; keyword rules and manual triage decide alone")
        return None, None
    try:
        category = (runtime.load_model(settings.classifier_model, log) if settings.classifier_model
                    else runtime.shipped_community_model())
        domain = runtime.load_model(settings.domain_model, log) if settings.domain_model else None
        for model in (category, domain):
            if model is not None:
                model.predict(["小区电梯坏了"])  # the segmenter's dictionary loads here, not on the first request
    except Exception as exc:
        log.error("text classifier could not be loaded; keyword rules and manual triage decide alone",
                  extra={"error": str(exc)[:300]})
        return None, None
    return category, domain


async def build(settings: RouterSettings, log: logging.Logger, metrics: RouterMetrics | None = None, *,
                directory: Directory | None = None) -> Router:
    """Open the store, load the directory and model, wire handlers and the broker runtime (not started)."""
    from router.entrypoints.consumer import subscribe_all

    repo = await open_repository(settings)
    directory = directory or load_directory(settings)
    model, domain_model = await asyncio.to_thread(load_models, settings, log)
    ctx = Context(repo=repo, directory=directory, opener=ContactOpener(settings.resolved_contact_key()), log=log,
                  model=model, domain_model=domain_model, triage_threshold=settings.triage_threshold,
                  duplicate_window_hours=settings.duplicate_window_hours,
                  duplicate_similarity=settings.duplicate_similarity)
    runtime = BrokerRuntime(settings.rabbitmq_url, settings.topology, log=log,
                            dept_codes=tuple(directory.org.departments))
    relay = runtime.attach_outbox(repo.outbox, poll_s=settings.outbox_poll_s)
    ctx.on_write = relay.wake
    metrics = metrics or RouterMetrics()
    ctx.metrics = metrics
    subscribe_all(runtime, ctx, metrics, settings, log)
    return Router(settings, ctx, runtime, metrics)
