"""The security suite: one platform in production mode for the whole session, seeded once."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from sec_counts import COUNTS  # noqa: E402
from sec_platform import Platform, start, stop  # noqa: E402
from sec_seed import Targets, seed  # noqa: E402


@pytest.fixture(scope="session")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    """Router, intake, notifier and reports with dev mode off, on the real RabbitMQ under a unique prefix."""
    url = os.environ.get("RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")
    running = start(tmp_path_factory.mktemp("platform"), url)
    try:
        yield running
    finally:
        stop(running)


@pytest.fixture(scope="session")
def targets(platform: Platform) -> Targets:
    """Two routed cases (金湖 and 松林 streets), a photo, assets and a hot issue."""
    return seed(platform)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """One line with how many endpoint × caller checks and fuzzed requests ran."""
    if COUNTS["checks"] or COUNTS["fuzz"]:
        per = ", ".join(f"{s} {COUNTS['endpoints'].get(s, 0)}×{COUNTS['checks'].get(s, 0)}" for s in COUNTS["checks"])
        terminalreporter.write_line(
            f"whistle security: {sum(COUNTS['checks'].values())} endpoint × caller checks on "
            f"{sum(COUNTS['endpoints'].values())} endpoints ({per}); {sum(COUNTS['fuzz'].values())} fuzzed requests "
            f"({', '.join(f'{s} {n}' for s, n in COUNTS['fuzz'].items())})")
