"""Fault-injection runs: a dedicated RabbitMQ node per session, a platform per module, a table at the end."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from faultkit.config import Sizes, sizes  # noqa: E402
from faultkit.node import RabbitNode, rabbitmq_installed  # noqa: E402
from faultkit.platform import free_port  # noqa: E402
from faultkit.results import RESULTS, ROWS, table  # noqa: E402
from faultkit.rig import Rig, running_rig  # noqa: E402
from processes import SERVICES  # noqa: E402


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker (the root configuration is not ours to edit)."""
    config.addinivalue_line("markers", "faults: fault injection against real processes and a real RabbitMQ")


@pytest.fixture(scope="session")
def fault_sizes() -> Sizes:
    """Short inside `make test`, full with FAULTS_FULL=1."""
    return sizes()


@pytest.fixture(scope="session")
def rabbit_node() -> Iterator[RabbitNode]:
    """A RabbitMQ node these tests may stop and kill.

    By default a dedicated node on free ports (same installation, own data directory), so stopping
    or killing it never disturbs other tests using the machine's broker. FAULTS_BROKER=shared uses the
    machine's own node (rabbit@localhost, RABBITMQ_URL) instead; it is always restored afterwards.
    """
    if not rabbitmq_installed():
        pytest.skip("fault runs need a local RabbitMQ installation (rabbitmq-server, rabbitmqctl); run `make broker`")
    if os.environ.get("FAULTS_BROKER") == "shared":
        node = RabbitNode(name=os.environ.get("FAULTS_NODE", "rabbit@localhost"),
                          port=int(os.environ.get("FAULTS_PORT", "5672")))
        try:
            yield node
        finally:
            node.ensure_running()
        return
    node = RabbitNode.dedicated(port=free_port(), dist_port=free_port())
    try:
        node.start()
        yield node
    finally:
        node.shutdown()


def stores() -> list[str]:
    """SQLite always; MongoDB as well when MONGODB_URL names a reachable server."""
    return ["sqlite", "mongodb"] if os.environ.get("MONGODB_URL") else ["sqlite"]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the figures of the scenarios that ran."""
    if ROWS:
        terminalreporter.write_sep("=", f"fault injection ({RESULTS.relative_to(HERE.parents[1])})")
        terminalreporter.write_line(table(ROWS))


@pytest.fixture(scope="session")
def router_model(tmp_path_factory: pytest.TempPathFactory) -> Path | None:
    """The router's default model trained once and saved, so a restarted router is ready in seconds."""
    try:
        from router.classifier.community import default_model
    except ImportError:
        return None
    path = tmp_path_factory.mktemp("model") / "community.model"
    default_model().save(path)
    return path


@pytest.fixture(scope="session", params=stores())
def rig(request: pytest.FixtureRequest, rabbit_node: RabbitNode, router_model: Path | None,
        tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rig]:
    """The four services on one store, each reaching the broker through its own TCP proxy (idle unless a
    scenario cuts or slows it); shared by every scenario of the session to keep the short run short."""
    env = {"ROUTER_CLASSIFIER_MODEL": str(router_model)} if router_model else {}
    with running_rig(rabbit_node, tmp_path_factory.mktemp("data"), store=request.param, proxied=SERVICES,
                     extra_env=env) as started:
        yield started
