"""The composition root: settings → store → rules and clock → handlers → broker runtime and scheduler."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import httpx

from notifier.adapters.calendar_files import SHIPPED_DIR, build_calendar
from notifier.adapters.channels.registry import build_channels
from notifier.adapters.clock import Clock
from notifier.adapters.directory_files import load_directory
from notifier.adapters.policy_files import DEFAULT_POLICIES, load_policy_book, load_roster
from notifier.adapters.store import Store, open_store
from notifier.config import NotifierSettings
from notifier.domain.case_clock import SlaRules
from notifier.domain.notifications import QuietHours
from notifier.entrypoints.consumer import register_consumers
from notifier.entrypoints.dispatcher import NotificationDispatcher
from notifier.entrypoints.scheduler import TimerScheduler
from notifier.handlers import Deps
from notifier.metrics import NotifierMetrics
from notifier.notify import Delivery
from servicekit.runtime import BrokerRuntime


@dataclass
class Notifier:
    """The running service's parts, started and stopped together."""

    settings: NotifierSettings
    store: Store
    deps: Deps
    runtime: BrokerRuntime
    scheduler: TimerScheduler | None
    dispatcher: NotificationDispatcher | None = None
    http: httpx.AsyncClient | None = None

    async def start(self) -> None:
        """Connect the broker (consumers and outbox relay), then start the scheduler."""
        await self.runtime.start()
        for loop in (self.scheduler, self.dispatcher):
            if loop is not None:
                loop.start()

    async def stop(self) -> None:
        """Stop the scheduler, then the broker (flushing the outbox), then close the store."""
        for loop in (self.scheduler, self.dispatcher):
            if loop is not None:
                await loop.stop()
        await self.runtime.stop()
        if self.http is not None:
            await self.http.aclose()
        await self.store.close()

    async def refresh_gauges(self) -> None:
        """Bring the gauges up to date (called before /metrics is rendered)."""
        self.deps.metrics.timers_scheduled.set(await self.store.timers.count_timers("scheduled"))
        self.deps.metrics.outbox_pending.set(await self.store.outbox.pending_count())
        self.deps.metrics.notifications_dead.set(await self.store.notifications.count("dead"))


def load_rules(settings: NotifierSettings) -> SlaRules:
    """The policy book and the working calendar this deployment uses."""
    book = load_policy_book(settings.policies_file or DEFAULT_POLICIES)
    return SlaRules(book=book, calendar=build_calendar(dirs=(SHIPPED_DIR, *settings.calendar_dirs)))


def build_delivery(settings: NotifierSettings, store: Store, http: httpx.AsyncClient, rules: SlaRules) -> Delivery:
    """Channels, directory, duty roster, quiet hours and retry policy for notifications."""
    roster = load_roster(settings.roster_file, calendar=rules.calendar) if settings.roster_file else None
    return Delivery(roster=roster,
        notifications=store.notifications, channels=build_channels(settings, http),
        directory=load_directory(org_file=settings.org_file, contacts_file=settings.contacts_file),
        quiet=QuietHours(settings.quiet_start, settings.quiet_end), max_attempts=settings.max_attempts,
        retry_base_s=settings.retry_base_s, retry_cap_s=settings.retry_cap_s)


async def build(settings: NotifierSettings, log: logging.Logger, *, clock: Clock | None = None,
                metrics: NotifierMetrics | None = None) -> Notifier:
    """Open the store and wire every part; nothing is connected to the broker yet."""
    store = await open_store(mongodb_url=settings.mongodb_url, mongodb_db=settings.database_name,
                             sqlite_path=settings.sqlite_path)
    runtime = BrokerRuntime(settings.rabbitmq_url, settings.topology, log=log)
    relay = runtime.attach_outbox(store.outbox, poll_s=settings.outbox_poll_s)
    http = httpx.AsyncClient(timeout=settings.http_timeout_s)
    rules = load_rules(settings)
    delivery = build_delivery(settings, store, http, rules)
    deps = Deps(timers=store.timers, rules=rules,
                clock=clock or Clock(settings.clock_speed, settings.clock_epoch), metrics=metrics or NotifierMetrics(),
                wake_outbox=relay.wake, delivery=delivery)
    dispatcher = NotificationDispatcher(delivery, clock=deps.clock, metrics=deps.metrics, owner=settings.instance_id,
                                        poll_s=settings.scheduler_poll_s, log=log)
    deps.wake_delivery = dispatcher.wake
    scheduler = None
    if settings.scheduler_enabled:
        scheduler = TimerScheduler(deps, owner=settings.instance_id, lease_s=settings.lease_s,
                                   batch=settings.claim_batch, poll_s=settings.scheduler_poll_s, log=log)
        deps.wake_timers = scheduler.wake_for
    register_consumers(runtime, settings, deps, log=log)
    return Notifier(settings, store, deps, runtime, scheduler, dispatcher if settings.scheduler_enabled else None,
                    http)
