"""RabbitMQ stopped and restarted, or killed outright, in the middle of the load: intake keeps accepting, nothing lost.

These stop the node the platform uses. By default that is a dedicated node (see conftest), so no other
test on the machine is disturbed; with FAULTS_BROKER=shared it is the machine's broker, restored in `finally`.
"""

from __future__ import annotations

import asyncio
import random

import httpx
import pytest
from faultkit.config import Sizes
from faultkit.faults import broker_kill, broker_restart
from faultkit.requests import request_body
from faultkit.rig import Rig
from faultkit.scenario import run_scenario

pytestmark = [pytest.mark.faults, pytest.mark.rabbitmq, pytest.mark.timeout(1800)]

OUTBOX_LIMIT = 20


def _longer(sizes: Sizes) -> dict[str, float]:
    """Stopping a node takes seconds (rabbitmqctl): start the fault early and, in the short run, stretch the
    load so that requests keep arriving while the broker is away."""
    if sizes.full:
        return {"fault_at": 0.3}
    return {"requests": sizes.requests * 4, "duration_s": sizes.duration_s * 8, "fault_at": 0.1}


async def test_the_broker_stopped_and_started_mid_stream_loses_nothing(rig: Rig, fault_sizes: Sizes):
    outcome = await run_scenario(rig, "broker_restart", broker_restart, fault_sizes, **_longer(fault_sizes))
    assert outcome.extra["accepted_while_down"] > 0, "intake must keep accepting while the broker is away"
    outcome.assert_clean()


async def test_the_broker_killed_and_started_again_mid_stream_loses_nothing(rig: Rig, fault_sizes: Sizes):
    outcome = await run_scenario(rig, "broker_kill", broker_kill, fault_sizes, **_longer(fault_sizes))
    assert outcome.extra["accepted_while_down"] > 0, "intake must keep accepting while the broker is away"
    outcome.assert_clean()


async def test_intake_answers_503_with_retry_after_once_its_outbox_backlog_passes_the_limit(rig: Rig):
    statuses: list[httpx.Response] = []
    rig.platform.service_env = {**rig.platform.service_env,
                                "intake": {**rig.platform.service_env.get("intake", {}),
                                           "INTAKE_OUTBOX_LIMIT": str(OUTBOX_LIMIT)}}
    try:
        await asyncio.to_thread(_restart_intake, rig)
        await asyncio.to_thread(rig.node.stop_app)
        async with httpx.AsyncClient(base_url=rig.urls["intake"], timeout=15.0) as client:
            for serial in range(OUTBOX_LIMIT * 3):
                answer = await client.post("/v1/requests", json=request_body(serial, run="limit", rng=random.Random(serial)))
                statuses.append(answer)
                if answer.status_code == 503:
                    break
    finally:
        rig.dirty = True  # the other services lost their broker too: the next scenario starts them afresh
        await asyncio.to_thread(rig.node.ensure_running)
        rig.platform.service_env = {**rig.platform.service_env, "intake": {
            k: v for k, v in rig.platform.service_env["intake"].items() if k != "INTAKE_OUTBOX_LIMIT"}}
        await asyncio.to_thread(_restart_intake, rig)
    accepted = sum(1 for a in statuses if a.status_code == 201)
    assert statuses[-1].status_code == 503, f"no 503 after {accepted} requests with the broker down"
    assert float(statuses[-1].headers["retry-after"]) > 0
    assert accepted <= OUTBOX_LIMIT


def _restart_intake(rig: Rig) -> None:
    rig.platform.stop_one("intake")
    rig.platform.start_one("intake")
    rig.wait_ready(("intake",))

