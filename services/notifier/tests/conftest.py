"""Fixtures of the notifier's tests: the store over each adapter, the SLA rules, event builders."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

import pytest

from contracts.envelope import Envelope, EventData, new_event
from contracts.events.cases import CaseRouted
from contracts.events.common import Actor, CategoryRef, Place, UnitRef
from notifier.adapters.store import Store, open_mongo_db, open_sqlite
from notifier.bootstrap import load_rules
from notifier.config import NotifierSettings
from notifier.domain.case_clock import SlaRules

STORES = ["sqlite", "mongomock", "mongodb"]


async def open_test_store(kind: str, tmp_path, record_store: Callable[[str], None], *,
                          shared: dict | None = None) -> tuple[Store, Callable[[], object]]:
    """A store of the given kind and a cleanup; `shared` makes two stores over the same data."""
    shared = {} if shared is None else shared
    if kind == "sqlite":
        store = await open_sqlite(tmp_path / "notifier.sqlite3")
    elif kind == "mongomock":
        from pymongo_async_mock import AsyncMongoMockClient

        client = shared.get("client") or shared.setdefault("client", AsyncMongoMockClient(tz_aware=True))
        store = await open_mongo_db(client["whistle_notifier_test"])
    else:
        url = os.environ.get("MONGODB_URL")
        if not url:
            pytest.skip("no real MongoDB: set MONGODB_URL")
        from servicekit.storage.mongo import connect_mongo

        name = shared.setdefault("db", f"t_notifier_{uuid.uuid4().hex[:8]}")
        client, db = connect_mongo(url, name)
        store = await open_mongo_db(db, client=client, location=name)

        async def drop() -> None:
            await client.drop_database(name)
        record_store(kind)
        return store, drop
    record_store(kind)

    async def nothing() -> None:
        return None
    return store, nothing


@pytest.fixture(params=STORES)
async def store(request, tmp_path, record_store) -> AsyncIterator[Store]:
    """The notifier's store on SQLite, on the MongoDB adapter over mongomock, and on a real MongoDB if set."""
    opened, cleanup = await open_test_store(request.param, tmp_path, record_store)
    try:
        yield opened
    finally:
        await cleanup()  # type: ignore[misc]
        await opened.close()


@pytest.fixture(scope="session")
def rules() -> SlaRules:
    """The shipped policies on the real calendar."""
    return load_rules(NotifierSettings())


def routed(case_id: str = "c1", *, sub: str = "leak", cls: str = "dispute", tier: int = 1,
           at: datetime | None = None, community: str = "qc-jh-jh") -> Envelope:
    """A case.routed.v1 envelope."""
    at = at or datetime(2025, 3, 3, 2, 0, tzinfo=UTC)  # Monday 10:00 in Shanghai
    data = CaseRouted(case_id=case_id, request_ids=["r1"], place=Place(community_id=community, street_id="qc-jh",
                      district_id="qc"), category=CategoryRef(class_code=cls, sub_category=sub),
                      classified_by="rule", tier=tier, units=[UnitRef(unit_id="u1", kind="grid_worker", name="陈刚")],
                      sla_policy="standard", submitted_at=at, routed_at=at)
    return new_event(data, source="/whistle/router", subject=case_id, now=at)


def transition(model: type[EventData], case_id: str, *, at: datetime, tier: int = 1, status: str = "x",
               **extra: object) -> Envelope:
    """A case transition envelope (accepted, escalated, resolved …)."""
    data = model(case_id=case_id, community_id="qc-jh-jh", from_status="routed", status=status, tier=tier,
                 actor=Actor(kind="system", id="test"), occurred_at=at, **extra)  # type: ignore[call-arg]
    return new_event(data, source="/whistle/router", subject=case_id, now=at)


class EventFactory:
    """Builds the envelopes the router would publish."""

    routed = staticmethod(routed)
    transition = staticmethod(transition)


@pytest.fixture
def events() -> EventFactory:
    """Event builders for tests."""
    return EventFactory()


@pytest.fixture
def store_opener(tmp_path, record_store):
    """Opens stores of a kind; pass the same `shared` dict to get two stores over the same data."""

    async def opener(kind: str, shared: dict | None = None) -> tuple[Store, Callable[[], object]]:
        return await open_test_store(kind, tmp_path, record_store, shared=shared)

    return opener


class Receiver:
    """A local HTTP receiver on 127.0.0.1: records requests, answers from a script of (status, body)."""

    def __init__(self) -> None:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.requests: list[dict] = []
        self.script: list[tuple[int, str]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                receiver.requests.append({"method": self.command, "path": self.path, "headers": dict(self.headers),
                                          "body": self.rfile.read(length)})
                status, body = receiver.script.pop(0) if receiver.script else (200, '{"errcode": 0}')
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body.encode())

            do_POST = do_GET = do_PUT = _handle

            def log_message(self, *args: object) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def close(self) -> None:
        """Stop serving."""
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    """A local HTTP receiver for channel tests."""
    r = Receiver()
    try:
        yield r
    finally:
        r.close()
