"""Root pytest configuration: shared fixtures and the closing line naming the stores and broker used."""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest

USED_STORES: set[str] = set()
USED_BROKERS: set[str] = set()


def _redact(url: str) -> str:
    if "@" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


@pytest.fixture
def rabbitmq_url() -> str:
    """The broker the tests use (RABBITMQ_URL or the local default)."""
    url = os.environ.get("RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")
    USED_BROKERS.add(_redact(url))
    return url


@pytest.fixture
def record_store() -> Callable[[str], None]:
    """Call with 'sqlite', 'mongomock' or 'mongodb' from a repository fixture to list it in the summary."""
    return USED_STORES.add


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say which stores and which RabbitMQ this run really exercised."""
    stores = ", ".join(sorted(USED_STORES)) or "none"
    broker_tests = [r for r in terminalreporter.stats.get("passed", []) if "rabbitmq" in getattr(r, "keywords", {})]
    if broker_tests:
        USED_BROKERS.add(_redact(os.environ.get("RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")))
    brokers = ", ".join(sorted(USED_BROKERS)) or "none"
    real_mongo = ("real MongoDB at MONGODB_URL" if os.environ.get("MONGODB_URL")
                  else "no real MongoDB reachable (MONGODB_URL unset, no Docker engine)")
    terminalreporter.write_line(f"whistle: stores exercised: {stores}; {real_mongo}")
    terminalreporter.write_line(f"whistle: RabbitMQ used: {brokers} ({len(broker_tests)} passing tests talked to it)")
