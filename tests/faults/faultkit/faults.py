"""The faults themselves: broker stop/kill, a service killed or stopped, connections cut or slowed."""

from __future__ import annotations

import asyncio
import signal
import time
from typing import Any

from faultkit.audit import Audit
from faultkit.checks import wait_settled
from faultkit.config import Sizes
from faultkit.load import Load, LoadResult
from faultkit.messages import Poison, poison_set, publish, replay
from faultkit.rig import Rig
from faultkit.scenario import Fault

SHUTDOWN_DONE = "Application shutdown complete"


async def _accepted_during(load: Load, seconds: float) -> int:
    before = len(load.result.accepted)
    await asyncio.sleep(seconds)
    return len(load.result.accepted) - before


async def broker_restart(rig: Rig, load: Load, sizes: Sizes) -> dict[str, Any]:
    """`rabbitmqctl stop_app`, an outage while the load goes on, `start_app`; services must reconnect alone."""
    try:
        await asyncio.to_thread(rig.node.stop_app)
        while_down = await _accepted_during(load, sizes.outage_s)
        await asyncio.to_thread(rig.node.start_app)
    finally:
        await asyncio.to_thread(rig.node.ensure_running)
    await asyncio.to_thread(rig.wait_ready)
    return {"accepted_while_down": while_down}


async def broker_kill(rig: Rig, load: Load, sizes: Sizes) -> dict[str, Any]:
    """SIGKILL the broker's beam process, then `rabbitmq-server -detached` and `await_startup`."""
    try:
        await asyncio.to_thread(rig.node.kill)
        while_down = await _accepted_during(load, sizes.outage_s)
        await asyncio.to_thread(rig.node.start)
    finally:
        await asyncio.to_thread(rig.node.ensure_running)
    await asyncio.to_thread(rig.wait_ready)
    return {"accepted_while_down": while_down}


def kill_service(name: str) -> Fault:
    """SIGKILL one service mid-stream and start it again after a short pause."""

    async def fault(rig: Rig, load: Load, sizes: Sizes) -> dict[str, Any]:
        proc = rig.platform.procs[name]
        proc.send_signal(signal.SIGKILL)
        await asyncio.to_thread(proc.wait, 30)
        await asyncio.sleep(min(sizes.outage_s, 2.0))
        rig.platform.start_one(name)
        await asyncio.to_thread(rig.wait_ready, (name,))
        return {"exit_code": proc.returncode}

    return fault


def sigterm_service(name: str) -> Fault:
    """SIGTERM one service mid-stream: it must finish in-flight work and exit cleanly; then start it again."""

    async def fault(rig: Rig, load: Load, sizes: Sizes) -> dict[str, Any]:
        started = time.monotonic()
        seen = len(rig.platform.log_lines[name])
        code = await asyncio.to_thread(rig.platform.stop_one, name, signal.SIGTERM, 30.0)
        stop_s = round(time.monotonic() - started, 1)
        await asyncio.sleep(0.2)  # let the log pump read the last lines
        shutdown_logged = any(SHUTDOWN_DONE in line for line in rig.platform.log_lines[name][seen:])
        rig.platform.start_one(name)
        await asyncio.to_thread(rig.wait_ready, (name,))
        # uvicorn re-raises the captured SIGTERM after a clean shutdown, so -15 is a graceful exit;
        # -9 would mean stop_one had to kill it after its timeout.
        graceful = code in (0, -signal.SIGTERM) and shutdown_logged
        return {"exit_code": code, "stop_s": stop_s, "graceful": graceful}

    return fault


async def network_cut(rig: Rig, load: Load, sizes: Sizes) -> dict[str, Any]:
    """Cut every service's broker connections and refuse new ones for a while (a partition), twice."""
    cut = 0
    for _ in range(2):
        for proxy in rig.proxies.values():
            proxy.refuse(True)
            cut += proxy.cut()
        try:
            await asyncio.sleep(sizes.outage_s / 2)
        finally:
            for proxy in rig.proxies.values():
                proxy.refuse(False)
        await asyncio.to_thread(rig.wait_ready)
    return {"connections_cut": cut}


async def network_latency(rig: Rig, load: Load, sizes: Sizes) -> dict[str, Any]:
    """Add latency between every service and the broker for a while, then take it away."""
    latency = 0.05 if not sizes.full else 0.1
    for proxy in rig.proxies.values():
        proxy.set_latency(latency)
    try:
        await asyncio.sleep(sizes.outage_s)
    finally:
        for proxy in rig.proxies.values():
            proxy.set_latency(0.0)
    return {"latency_ms": int(latency * 1000)}


CONSUMERS = ("router", "notifier", "reports")


HOLD_ATTEMPTS = 20


async def crash_consumers_before_ack(rig: Rig, load: Load, sizes: Sizes) -> dict[str, Any]:
    """Freeze the consumers (SIGSTOP) while they hold deliveries, then SIGKILL them: nothing they held was acked,
    so the broker redelivers it to the restarted processes."""
    procs = {name: rig.platform.procs[name] for name in CONSUMERS}
    try:
        # Freeze until the broker shows deliveries held unacknowledged; a freeze that caught the consumers
        # between deliveries is thawed and tried again while the load is still arriving.
        for _ in range(HOLD_ATTEMPTS):
            for proc in procs.values():
                proc.send_signal(signal.SIGSTOP)
            await asyncio.sleep(sizes.outage_s)
            depths = await asyncio.to_thread(rig.node.queues, rig.prefix)
            if any(d[1] for q, d in depths.items() if not q.endswith(".faults-audit")):
                break
            for proc in procs.values():
                proc.send_signal(signal.SIGCONT)
            await asyncio.sleep(0.05)
    finally:
        for proc in procs.values():
            proc.send_signal(signal.SIGKILL)
    for name, proc in procs.items():
        await asyncio.to_thread(proc.wait, 30)
        rig.platform.start_one(name)
    await asyncio.to_thread(rig.wait_ready)
    unacked = {queue.removeprefix(f"{rig.prefix}."): depth[1] for queue, depth in depths.items()
               if depth[1] and not queue.endswith(".faults-audit")}
    return {"unacked_at_kill": unacked}


async def replay_everything(rig: Rig, audit: Audit, result: LoadResult) -> dict[str, Any]:
    """Once the load has settled, publish every event seen so far a second time (same ids, same bytes)."""
    await wait_settled(audit, list(result.accepted.values()), within=600.0, stall_s=60.0)
    await audit.wait_quiet(quiet_s=1.0, within=60.0)
    return {"replayed": await replay(rig.node.url, rig.prefix, list(audit.events.values()))}


def publish_poison(sent: list[Poison]) -> Fault:
    """Publish the poison set mid-stream (kept in `sent` for the test to check the dead-letter queue)."""

    async def fault(rig: Rig, load: Load, sizes: Sizes) -> dict[str, Any]:
        sent.extend(poison_set(rig.prefix))
        await publish(rig.node.url, rig.prefix, [(p.routing_key, p.body, p.message_id) for p in sent])
        return {"poison_sent": len(sent)}

    return fault
