"""The platform under test: the local runner's `Platform`, per-service broker URLs, and clean-up of a prefix."""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field

import aio_pika
from processes import SERVICES, Platform

from contracts.topology import Topology


def free_port() -> int:
    """A port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class FaultPlatform(Platform):
    """`Platform` plus environment for one service only (e.g. its RABBITMQ_URL pointing at a proxy)."""

    service_env: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def start_one(self, name: str) -> None:
        """(Re)start one service with the shared environment and its own additions."""
        shared = self.env
        self.env = {**shared, **self.service_env.get(name, {})}
        try:
            super().start_one(name)
        finally:
            self.env = shared

    def log_tail(self, lines: int = 20) -> str:
        """The last log lines of every service, for a failure message."""
        return "\n".join(f"[{n}] {line}" for n in self.log_lines for line in self.log_lines[n][-lines:])


def service_env(prefix: str, amqp_url: str, contact_key: str, *, store: str) -> dict[str, str]:
    """The environment every service of a fault run shares."""
    env = {"WHISTLE_AMQP_PREFIX": prefix, "WHISTLE_DEV_MODE": "true", "RABBITMQ_URL": amqp_url,
           "WHISTLE_CONTACT_KEY": contact_key, "INTAKE_RATE_LIMIT_PER_IP": "1000000",
           "INTAKE_RATE_LIMIT_PER_PHONE": "1000000", "ROUTER_DUPLICATE_SIMILARITY": "1.0",
           "REPORTS_HOTSPOTS_ENABLED": "false"}
    if store == "mongodb":
        env["MONGODB_URL"] = os.environ["MONGODB_URL"]
        env.update({f"{s.upper()}_MONGODB_DB": mongo_db(prefix, s) for s in SERVICES})
    else:
        env["MONGODB_URL"] = ""
    return env


def mongo_db(prefix: str, service: str) -> str:
    """The MongoDB database of one service in one fault run."""
    return f"{prefix.replace('-', '_')}_{service}"


def drop_mongo_dbs(url: str, prefix: str) -> None:
    """Drop the databases a fault run created on MongoDB."""
    from pymongo import MongoClient

    client: MongoClient = MongoClient(url, serverSelectionTimeoutMS=5000)
    try:
        for service in SERVICES:
            client.drop_database(mongo_db(prefix, service))
    finally:
        client.close()


def new_platform(data_dir: object, env: dict[str, str], urls: Mapping[str, str] | None = None) -> FaultPlatform:
    """A platform on free ports; `urls` gives a service its own RABBITMQ_URL."""
    per_service = {name: {"RABBITMQ_URL": url} for name, url in (urls or {}).items()}
    return FaultPlatform(data_dir=data_dir, env=env, echo=bool(os.environ.get("FAULTS_ECHO")),  # type: ignore[arg-type]
                         ports={name: free_port() for name in SERVICES}, service_env=per_service)


async def delete_prefix(url: str, prefix: str, queues: list[str]) -> None:
    """Remove the queues and the two exchanges a fault run declared under its prefix."""
    topology = Topology(prefix=prefix)
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        for name in queues:
            await channel.queue_delete(name)
        await channel.exchange_delete(topology.events_exchange)
        await channel.exchange_delete(topology.dead_letter_exchange)
