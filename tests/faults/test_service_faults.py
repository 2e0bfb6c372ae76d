"""Each service killed with SIGKILL mid-stream, and stopped with SIGTERM, then started again: nothing lost."""

from __future__ import annotations

import pytest
from faultkit.config import Sizes
from faultkit.faults import kill_service, sigterm_service
from faultkit.rig import Rig
from faultkit.scenario import run_scenario

pytestmark = [pytest.mark.faults, pytest.mark.rabbitmq, pytest.mark.timeout(1800)]

SERVICES = ("intake", "router", "notifier", "reports")


@pytest.mark.parametrize("service", SERVICES)
async def test_a_service_killed_mid_stream_loses_and_doubles_nothing(rig: Rig, fault_sizes: Sizes, service: str):
    outcome = await run_scenario(rig, f"kill_{service}", kill_service(service), fault_sizes)
    assert outcome.extra["exit_code"] == -9
    outcome.assert_clean()


@pytest.mark.parametrize("service", SERVICES)
async def test_a_service_stopped_with_sigterm_drains_and_exits_cleanly(rig: Rig, fault_sizes: Sizes, service: str):
    outcome = await run_scenario(rig, f"sigterm_{service}", sigterm_service(service), fault_sizes)
    assert outcome.extra["graceful"], f"{service} did not shut down cleanly on SIGTERM: {outcome.extra}"
    outcome.assert_clean()
