"""Waiting for the platform to catch up: recovery time, the reports total, queues drained."""

from __future__ import annotations

import asyncio
import time

import httpx

from faultkit.audit import Audit
from faultkit.checks import leftovers, settle_moment
from faultkit.load import Load
from faultkit.rig import Rig, summary_total


async def measure_recovery(rig: Rig, audit: Audit, load: Load, recovered_at: float, total_before: int,
                           within: float) -> float | None:
    """Seconds from the end of the fault until every request accepted by then is routed, timed and reported."""
    before = load.result.accepted_before(recovered_at)
    deadline = recovered_at + within
    async with httpx.AsyncClient(timeout=5.0) as client:
        while time.monotonic() < deadline:
            if settle_moment(audit, before) is not None:
                by_request = audit.cases_by_request()
                cases = {c for a in before for c in by_request.get(a.request_id, set())} - rig.known_cases
                if await _reported(client, rig, total_before + len(cases)):
                    return round(time.monotonic() - recovered_at, 1)
            await asyncio.sleep(0.25)
    return None


async def _reported(client: httpx.AsyncClient, rig: Rig, at_least: int) -> bool:
    try:
        answer = await client.get(f"{rig.urls['reports']}/v1/reports/summary")
        return answer.status_code == 200 and summary_total(answer.json()) >= at_least
    except httpx.HTTPError:
        return False


async def wait_total(rig: Rig, expected: int, *, within: float, stall_s: float = 15.0) -> int:
    """Poll the reports total until it equals `expected` (or stops moving for `stall_s`); return the last value."""
    deadline = time.monotonic() + within
    total, changed = -1, time.monotonic()
    while time.monotonic() < deadline and time.monotonic() - changed < stall_s:
        try:
            now = await asyncio.to_thread(rig.reports_total)
        except httpx.HTTPError:
            now = -1
        if now != total:
            total, changed = now, time.monotonic()
        if total == expected:
            return total
        await asyncio.sleep(0.5)
    return total


async def quiesce(rig: Rig, audit: Audit, *, within: float, stall_s: float) -> None:
    """Before a scenario: wait until nothing is ready in the service queues, no event arrives and the reports
    total holds still; then count every case seen so far as known, so only this scenario's are expected."""
    deadline = time.monotonic() + within
    last, changed = -1, time.monotonic()
    while time.monotonic() < min(deadline, changed + stall_s):
        ready = sum((await rig.ready_counts(rig.service_queues())).values())
        total = await asyncio.to_thread(rig.reports_total)
        if ready == 0 and total == last:
            break
        if total != last:
            last, changed = total, time.monotonic()
        await asyncio.sleep(1.0)
    await audit.wait_quiet(quiet_s=0.5, within=10.0)
    rig.known_cases |= {s.data["case_id"] for s in audit.of_type("case.routed.v1")}


async def wait_drained(rig: Rig, *, within: float, stall_s: float = 15.0) -> dict[str, tuple[int, int]]:
    """Wait until no service queue holds a ready or unacknowledged message; return what is left.

    Ready counts come cheaply over AMQP; unacknowledged ones only from rabbitmqctl, asked once nothing is
    ready. The dead-letter, audit and department queues are not the platform's to empty.
    """
    deadline = time.monotonic() + within
    last: object = None
    changed = time.monotonic()
    while True:
        ready = await rig.ready_counts(rig.service_queues())
        seen: object = ready
        left: dict[str, tuple[int, int]] = {name: (n, 0) for name, n in ready.items() if n}
        if not left:
            depths = await asyncio.to_thread(rig.node.queues, rig.prefix)
            left = leftovers(depths, ignore=_not_the_platforms(rig, depths))
            seen = left
        if seen != last:
            last, changed = seen, time.monotonic()
        if not left or time.monotonic() > min(deadline, changed + stall_s):
            return left
        await asyncio.sleep(0.5)


def _not_the_platforms(rig: Rig, depths: dict[str, tuple[int, int]]) -> set[str]:
    return {rig.dead_letter_queue, f"{rig.prefix}.faults-audit",
            *(name for name in depths if name.startswith(f"{rig.prefix}.whistle."))}
