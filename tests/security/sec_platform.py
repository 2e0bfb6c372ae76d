"""The four services in production mode (dev mode off, real secrets) served on 127.0.0.1 in threads."""

from __future__ import annotations

import asyncio
import shutil
import socket
import threading
import time
import uuid
from collections.abc import Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aio_pika
import uvicorn
from cryptography.fernet import Fernet
from fastapi import FastAPI

from contracts.topology import Topology
from servicekit.auth.apikeys import hash_api_key
from servicekit.auth.keys import new_key_setting, parse_signing_keys
from servicekit.auth.orgindex import OrgIndex
from servicekit.auth.passwords import hash_password
from servicekit.auth.principal import Principal
from servicekit.auth.roles import Role
from servicekit.auth.tokens import TokenIssuer

REPO = Path(__file__).resolve().parents[2]
ORG_FILE = REPO / "deploy" / "demo" / "org.yaml"
ORG = OrgIndex.from_file(ORG_FILE)
SERVICES = ("router", "intake", "notifier", "reports")
PEPPER = "security-test-pepper-" + uuid.uuid4().hex
OPEN311_KEY = "o311-" + uuid.uuid4().hex
SIGN_IN = ("zhou", "周-sign-in-" + uuid.uuid4().hex[:8])  # the one users-file user (Argon2 is slow)


def dept_key(code: str) -> str:
    """The test API key of a department."""
    return f"wdk_{code}_security-test"


class QuietServer(uvicorn.Server):
    """A uvicorn server that leaves signal handling to pytest."""

    def install_signal_handlers(self) -> None:
        pass


@dataclass
class Served:
    """One running app: its server, thread and event loop."""

    app: FastAPI
    server: QuietServer
    loop: asyncio.AbstractEventLoop
    thread: threading.Thread
    url: str


@dataclass
class Platform:
    """The running services, their signing key and broker prefix."""

    rabbitmq_url: str
    prefix: str
    signing: str
    served: dict[str, Served] = field(default_factory=dict)

    @property
    def topology(self) -> Topology:
        """The test platform's broker names."""
        return Topology(prefix=self.prefix)

    def url(self, service: str) -> str:
        """Base URL of a service."""
        return self.served[service].url

    def app(self, service: str) -> FastAPI:
        """The app object of a service (for its state and routes)."""
        return self.served[service].app

    def run(self, service: str, coro: Coroutine[Any, Any, Any], timeout: float = 30.0) -> Any:
        """Run a coroutine on the service's own event loop (its store connections live there)."""
        return asyncio.run_coroutine_threadsafe(coro, self.served[service].loop).result(timeout)

    def token(self, role: Role, node: str | None = None, *, dept: str | None = None, unit: str | None = None,
              ttl: timedelta = timedelta(minutes=30), now: datetime | None = None) -> str:
        """A bearer token signed by the router's key for a role at an org node."""
        principal = Principal(f"sec-{role}-{node or dept or 'all'}", role, scope=ORG.scope_for(role, node),
                              dept_code=dept, unit_id=unit)
        issuer = TokenIssuer(parse_signing_keys(self.signing)[0])
        return issuer.issue(principal, now=now or datetime.now(UTC), ttl=ttl)

    def headers(self, role: Role, node: str | None = None, **kw: Any) -> dict[str, str]:
        """Authorization header for `token`."""
        return {"Authorization": f"Bearer {self.token(role, node, **kw)}"}


def _socket() -> socket.socket:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # accepted sockets inherit it: no 40 ms stalls
    sock.bind(("127.0.0.1", 0))
    return sock


def settings_for(tmp: Path, platform: Platform, jwks_url: str) -> dict[str, Any]:
    """Production settings of every service: dev mode off, every secret set, unique broker prefix."""
    from intake.config import IntakeSettings
    from notifier.config import NotifierSettings
    from reports.config import ReportsSettings
    from router.config import RouterSettings

    contact = Fernet.generate_key().decode()
    org_copy = tmp / "org.yaml"  # PUT /v1/admin/organisation writes the router's file
    shutil.copy(ORG_FILE, org_copy)
    users = tmp / "users.yaml"
    users.write_text(f'users:\n  - {{username: {SIGN_IN[0]}, role: community_secretary, scope: qc-jh-jh, '
                     f'password_hash: "{hash_password(SIGN_IN[1])}"}}\n', encoding="utf-8")
    common = {"rabbitmq_url": platform.rabbitmq_url, "amqp_prefix": platform.prefix, "mongodb_url": None,
              "dev_mode": False, "outbox_poll_s": 0.1, "delivery_limit": 2}
    return {
        "router": RouterSettings(**common, data_dir=tmp / "router", org_file=org_copy, contact_key=contact,
                                 jwt_signing_keys=platform.signing, api_key_pepper=PEPPER, users_file=users,
                                 department_keys={c: hash_api_key(dept_key(c), PEPPER) for c in ORG.departments},
                                 classifier_enabled=False),
        "intake": IntakeSettings(**common, data_dir=tmp / "intake", org_file=ORG_FILE, contact_key=contact,
                                 storage_key=Fernet.generate_key().decode(), qr_keys=f"k1:{uuid.uuid4().hex}",
                                 open311_api_keys=OPEN311_KEY, jwks_url=jwks_url, rate_limit_per_ip=10**6,
                                 rate_limit_per_phone=10**6, retention_interval_s=3600),
        "notifier": NotifierSettings(**common, data_dir=tmp / "notifier", org_file=ORG_FILE, jwks_url=jwks_url,
                                     webhook_secret=uuid.uuid4().hex),
        "reports": ReportsSettings(**common, data_dir=tmp / "reports", org_file=ORG_FILE, jwks_url=jwks_url,
                                   hotspots_enabled=False),
    }


def create(service: str, settings: Any) -> FastAPI:
    """The service's app."""
    module = __import__(f"{service}.entrypoints.api", fromlist=["create_app"])
    return module.create_app(settings)  # type: ignore[no-any-return]


def serve(app: FastAPI, sock: socket.socket) -> Served:
    """Run the app (with its lifespan) on an already bound socket in its own thread and loop."""
    server = QuietServer(uvicorn.Config(app, log_config=None, access_log=False, lifespan="on"))
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=lambda: loop.run_until_complete(server.serve(sockets=[sock])), daemon=True)
    thread.start()
    deadline = time.monotonic() + 90
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"{app.title} did not start")
        time.sleep(0.05)
    host, port = sock.getsockname()[:2]
    return Served(app, server, loop, thread, f"http://{host}:{port}")


def start(tmp: Path, rabbitmq_url: str) -> Platform:
    """Start the router first (it publishes the JWKS), then the others verifying against its URL."""
    platform = Platform(rabbitmq_url=rabbitmq_url, prefix=f"sec-{uuid.uuid4().hex[:8]}",
                        signing=new_key_setting("sec-1"))
    sockets = {name: _socket() for name in SERVICES}
    router_url = "http://{}:{}".format(*sockets["router"].getsockname()[:2])
    settings = settings_for(tmp, platform, f"{router_url}/.well-known/jwks.json")
    platform.settings = settings  # type: ignore[attr-defined]
    for name in SERVICES:
        platform.served[name] = serve(create(name, settings[name]), sockets[name])
    return platform


def stop(platform: Platform) -> None:
    """Stop every server and delete the broker objects under the test prefix."""
    for served in reversed(list(platform.served.values())):
        served.server.should_exit = True
        served.thread.join(timeout=30)
    asyncio.run(delete_topology(platform))


async def delete_topology(platform: Platform) -> None:
    """Every queue and exchange the platform declared."""
    topo = platform.topology
    connection = await aio_pika.connect(platform.rabbitmq_url)
    async with connection:
        channel = await connection.channel()
        names = [topo.queue_name(p) for p in topo.queues] + [topo.dead_letter_queue]
        names += [topo.department_queue(code) for code in ORG.departments]
        for name in names:
            await channel.queue_delete(name)
        await channel.exchange_delete(topo.events_exchange)
        await channel.exchange_delete(topo.dead_letter_exchange)
