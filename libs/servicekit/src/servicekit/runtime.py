"""What a service process runs besides its HTTP routes: broker, topology, publisher and outbox relay."""

from __future__ import annotations

import asyncio
import logging

from faststream.rabbit import RabbitBroker

from contracts.topology import Topology
from servicekit.broker import EventPublisher, create_broker, declare_topology
from servicekit.outbox import OutboxRelay, OutboxStore


class BrokerRuntime:
    """Owns the broker connection and, when the service has an outbox, its relay task."""

    def __init__(self, url: str, topology: Topology, *, log: logging.Logger,
                 dept_codes: tuple[str, ...] = ()) -> None:
        self._url = url
        self.broker: RabbitBroker = create_broker(url, logger=log)
        self.topology = topology
        self.publisher = EventPublisher(self.broker, topology)
        self.relay: OutboxRelay | None = None
        self._log = log
        self._dept_codes = dept_codes
        self._relay_task: asyncio.Task[None] | None = None

    def attach_outbox(self, store: OutboxStore, poll_s: float = 0.5) -> OutboxRelay:
        """Create the relay for this service's outbox (started with the broker)."""
        self.relay = OutboxRelay(store, self.publisher, log=self._log, poll_s=poll_s)
        return self.relay

    async def start(self) -> None:
        """Connect (retrying while the broker comes up), declare topology, start consumers and relay."""
        for attempt in range(60):
            try:
                await self.broker.connect()
                break
            except Exception as exc:
                self._log.warning("broker not reachable yet", extra={"attempt": attempt, "error": str(exc)[:200]})
                await asyncio.sleep(min(0.5 * (attempt + 1), 3.0))
        else:
            raise RuntimeError("RabbitMQ did not answer within the start-up window")
        await declare_topology(self._url, self.topology, self._dept_codes)
        await self.broker.start()
        if self.relay is not None:
            self._relay_task = asyncio.create_task(self.relay.run(), name="outbox-relay")

    async def stop(self) -> None:
        """Flush the outbox once, then stop consumers (graceful timeout) and close the connection.

        Events a consumer stores after the flush stay in the outbox and go out at the next start.
        """
        if self.relay is not None and self._relay_task is not None:
            await self.relay.stop()
            self._relay_task.cancel()
            await asyncio.gather(self._relay_task, return_exceptions=True)
        await self.broker.stop()

    async def ping(self) -> bool:
        """True when the broker connection is open."""
        try:
            return bool(await self.broker.ping(timeout=2.0))
        except Exception:
            return False
