"""Faults between the services and the broker, through a TCP proxy per service: cut connections, latency."""

from __future__ import annotations

import pytest
from faultkit.config import Sizes
from faultkit.faults import network_cut, network_latency
from faultkit.rig import Rig
from faultkit.scenario import run_scenario

pytestmark = [pytest.mark.faults, pytest.mark.rabbitmq, pytest.mark.timeout(1800)]


async def test_connections_cut_and_refused_for_a_while_lose_nothing(rig: Rig, fault_sizes: Sizes):
    outcome = await run_scenario(rig, "network_cut", network_cut, fault_sizes)
    assert outcome.extra["connections_cut"] >= 4, "the proxies had no broker connection to cut"
    outcome.assert_clean()


async def test_added_latency_slows_but_loses_nothing(rig: Rig, fault_sizes: Sizes):
    outcome = await run_scenario(rig, "network_latency", network_latency, fault_sizes)
    outcome.assert_clean()
