"""Run one scenario: load, fault in the middle, recovery, then the checks; returns the figures and the verdict."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from faultkit.audit import Audit
from faultkit.checks import (
    Verdict,
    audit_duplicates,
    check_services,
    count_reports,
    leftovers,
    settle_moment,
    wait_settled,
)
from faultkit.config import Sizes
from faultkit.load import Accepted, Load, LoadResult
from faultkit.results import record
from faultkit.rig import Rig, summary_total

Fault = Callable[[Rig, Load, Sizes], Awaitable[dict[str, Any]]]


@dataclass
class Outcome:
    """Figures, verdict and what was left in the queues."""

    row: dict[str, Any]
    verdict: Verdict
    left: dict[str, tuple[int, int]]
    load: LoadResult
    audit: Audit
    log_tail: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def assert_clean(self, *, dead_letters: int = 0) -> None:
        """Nothing lost, doubled or stale; queues empty; exactly the expected dead letters; nobody gave up."""
        v = self.verdict
        problems = "\n  ".join(v.problems[:15])
        summary = (f"{self.row['scenario']}: accepted={v.accepted} lost={len(v.lost)} duplicated={len(v.duplicated)} "
                   f"stale={len(v.stale)} gave_up={self.load.gave_up} left={self.left} "
                   f"dead_lettered={self.row['dead_lettered']} (expected {dead_letters})\n  {problems}")
        assert v.accepted > 0, summary
        assert not v.lost and not v.duplicated and not v.stale, f"{summary}\n{self.log_tail}"
        assert self.load.gave_up == 0, summary
        assert not self.left, summary
        assert self.row["dead_lettered"] == dead_letters, summary


async def run_scenario(rig: Rig, name: str, fault: Fault, sizes: Sizes, *, requests: int | None = None,
                       after_load: Callable[[Rig, Audit, LoadResult], Awaitable[None]] | None = None) -> Outcome:
    """Drive the load, call `fault` at half way, then wait for recovery and check every accepted request."""
    await asyncio.to_thread(rig.ensure_running)
    audit = Audit(rig.node.url, rig.prefix)
    await audit.start()
    try:
        dlq_before = await _dlq_depth(rig)
        total_before = await asyncio.to_thread(rig.reports_total)
        count = requests or sizes.requests
        load = Load(rig.urls["intake"], count, sizes.duration_s)
        driving = asyncio.create_task(load.drive())
        while load.sent < count // 2 and not driving.done():  # noqa: ASYNC110 (the load has no event to offer)
            await asyncio.sleep(0.05)
        t0 = time.monotonic()
        extra = await fault(rig, load, sizes)
        recovered_at = time.monotonic()
        print(f"faults: fault took {recovered_at - t0:.1f}s")
        probe = asyncio.create_task(_recovery(rig, audit, load, recovered_at, total_before, sizes.settle_s))
        result = await driving
        print(f"faults: load done {time.monotonic() - recovered_at:.1f}s after recovery")
        if after_load is not None:
            await after_load(rig, audit, result)
        outcome = await _settle_and_check(rig, audit, result, total_before, sizes)
        recovery_s = await probe
        outcome.row.update(scenario=name, recovery_s=recovery_s, requests=count,
                           dead_lettered=await _dlq_depth(rig) - dlq_before, **extra)
        outcome.extra = extra
        record(outcome.row)
        return outcome
    finally:
        await audit.stop()


async def _settle_and_check(rig: Rig, audit: Audit, result: LoadResult, total_before: int, sizes: Sizes) -> Outcome:
    accepted = list(result.accepted.values())
    marks = [time.monotonic()]
    await wait_settled(audit, accepted, within=sizes.settle_s)
    marks.append(time.monotonic())
    new_cases = {s.data["case_id"] for s in audit.of_type("case.routed.v1")} - rig.known_cases
    expected = total_before + len(new_cases)
    total = await _wait_total(rig, expected, within=60.0)
    marks.append(time.monotonic())
    left = await _wait_drained(rig, within=60.0)
    marks.append(time.monotonic())
    await audit.wait_quiet(quiet_s=1.0, within=20.0)
    marks.append(time.monotonic())
    verdict = Verdict(accepted=len(accepted))
    for _ in range(8):
        verdict = Verdict(accepted=len(accepted))
        await check_services(rig.urls, audit, accepted, verdict)
        if not (verdict.lost or verdict.stale):
            break
        await asyncio.sleep(2.0)
    marks.append(time.monotonic())
    print("faults: phases", [round(b - a, 1) for a, b in itertools.pairwise(marks)])
    audit_duplicates(audit, verdict, set(result.accepted))
    count_reports(total, expected, verdict)
    rig.known_cases |= new_cases
    row = {"scenario": "", "store": rig.store, "mode": "full" if sizes.full else "short", "accepted": len(accepted),
           "lost": len(verdict.lost), "duplicated": len(verdict.duplicated), "stale": len(verdict.stale),
           "gave_up": result.gave_up, "http": dict(sorted(result.statuses.items())),
           "client_errors": dict(result.errors), "retry_after": sorted(set(result.retry_after))[:5],
           "events": len(audit.events), "problems": verdict.problems[:5]}
    return Outcome(row, verdict, left, result, audit, log_tail=rig.platform.log_tail())


async def _recovery(rig: Rig, audit: Audit, load: Load, recovered_at: float, total_before: int,
                    within: float) -> float | None:
    """Seconds from the end of the fault until everything accepted by then is routed, timed and reported."""
    before: list[Accepted] = load.result.accepted_before(recovered_at)
    deadline = recovered_at + within
    async with httpx.AsyncClient(timeout=5.0) as client:
        while time.monotonic() < deadline:
            done = settle_moment(audit, before)
            if done is not None:
                cases = {c for a in before for c in audit.cases_by_request().get(a.request_id, set())}
                if await _reported(client, rig, total_before + len(cases - rig.known_cases)):
                    return round(max(time.monotonic() - recovered_at, 0.0), 1)
            await asyncio.sleep(0.25)
    return None


async def _reported(client: httpx.AsyncClient, rig: Rig, at_least: int) -> bool:
    try:
        answer = await client.get(f"{rig.urls['reports']}/v1/reports/summary")
        return answer.status_code == 200 and summary_total(answer.json()) >= at_least
    except httpx.HTTPError:
        return False


async def _wait_total(rig: Rig, expected: int, *, within: float) -> int:
    deadline = time.monotonic() + within
    total = -1
    while time.monotonic() < deadline:
        try:
            total = await asyncio.to_thread(rig.reports_total)
        except httpx.HTTPError:
            total = -1
        if total == expected:
            return total
        await asyncio.sleep(0.5)
    return total


async def _wait_drained(rig: Rig, *, within: float) -> dict[str, tuple[int, int]]:
    """Wait until no service queue holds a ready or unacknowledged message (DLQ and department queues aside)."""
    deadline = time.monotonic() + within
    while True:
        ready = await rig.ready_counts(rig.service_queues())
        if not any(ready.values()) or time.monotonic() > deadline:
            depths = await asyncio.to_thread(rig.node.queues, rig.prefix)
            ignore = {rig.dead_letter_queue, f"{rig.prefix}.faults-audit"}
            left = leftovers(depths, ignore=ignore | {n for n in depths if n.startswith(f"{rig.prefix}.whistle.")})
            if not left or time.monotonic() > deadline:
                return left
        await asyncio.sleep(0.5)


async def _dlq_depth(rig: Rig) -> int:
    return (await rig.ready_counts([rig.dead_letter_queue]))[rig.dead_letter_queue]
