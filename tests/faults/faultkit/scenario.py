"""Run one scenario: load, fault in the middle, recovery, then the checks; returns the figures and the verdict."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from faultkit.audit import Audit
from faultkit.checks import Verdict, audit_duplicates, check_services, count_reports, out_of_order, wait_settled
from faultkit.config import Sizes
from faultkit.load import Load, LoadResult
from faultkit.messages import Poison, read_dead_letters
from faultkit.recovery import measure_recovery, quiesce, wait_drained, wait_total
from faultkit.results import record
from faultkit.rig import Rig

Fault = Callable[[Rig, Load, Sizes], Awaitable[dict[str, Any]]]
AfterLoad = Callable[[Rig, Audit, LoadResult], Awaitable[dict[str, Any]]]
DeadLetter = tuple[str, str, str]  # (message id, source queue, reason)


@dataclass
class Outcome:
    """Figures, verdict, what was left in the queues and what was dead-lettered."""

    row: dict[str, Any]
    verdict: Verdict
    left: dict[str, tuple[int, int]]
    load: LoadResult
    dead_letters: list[DeadLetter]
    log_tail: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def assert_clean(self, *, dead_letters: int = 0) -> None:
        """Nothing lost, doubled or stale; queues empty; exactly the expected dead letters; nobody gave up."""
        v = self.verdict
        problems = "\n  ".join(v.problems[:15])
        summary = (f"{self.row['scenario']}: accepted={v.accepted} lost={len(v.lost)} duplicated={len(v.duplicated)} "
                   f"stale={len(v.stale)} gave_up={self.load.gave_up} left={self.left} "
                   f"dead letters {self.row['dead_letter_sources']} (expected {dead_letters})\n  {problems}")
        assert v.accepted > 0, summary
        assert not v.lost and not v.duplicated and not v.stale, f"{summary}\n{self.log_tail}"
        assert self.load.gave_up == 0, summary
        assert not self.left, summary
        assert self.row["out_of_order"] == 0, summary
        assert len(self.dead_letters) == dead_letters, summary


async def run_scenario(rig: Rig, name: str, fault: Fault, sizes: Sizes, *, requests: int | None = None,
                       duration_s: float | None = None, fault_at: float = 0.5, after_load: AfterLoad | None = None,
                       poisons: list[Poison] | None = None) -> Outcome:
    """Drive the load, call `fault` once `fault_at` of it was sent, wait for recovery, then check every request."""
    await asyncio.to_thread(rig.ensure_running, restart=rig.dirty)
    audit = Audit(rig.node.url, rig.prefix)
    await audit.start()
    rig.dirty = True  # until this scenario ends clean
    try:
        await read_dead_letters(rig.node.url, rig.dead_letter_queue)  # a failed scenario before may have left some
        await quiesce(rig, audit, within=sizes.settle_s, stall_s=sizes.stall_s)
        total_before = await asyncio.to_thread(rig.reports_total)
        count = requests or sizes.requests
        load = Load(rig.urls["intake"], count, duration_s or sizes.duration_s)
        driving = asyncio.create_task(load.drive())
        while load.sent < count * fault_at and not driving.done():  # noqa: ASYNC110 (the load has no event to offer)
            await asyncio.sleep(0.05)
        started = time.monotonic()
        extra = await fault(rig, load, sizes)
        recovered_at = time.monotonic()
        probe = asyncio.create_task(measure_recovery(rig, audit, load, recovered_at, total_before, sizes.settle_s))
        result = await driving
        if after_load is not None:
            extra.update(await after_load(rig, audit, result))
        outcome = await _settle_and_check(rig, audit, result, total_before, sizes, poisons or [])
        outcome.row.update(scenario=name, recovery_s=await probe, requests=count,
                           fault_s=round(recovered_at - started, 1), **extra)
        outcome.extra = extra
        rig.dirty = bool(outcome.verdict.lost or outcome.verdict.duplicated or outcome.verdict.stale or outcome.left
                         or (outcome.dead_letters and not poisons))
        record(outcome.row)
        return outcome
    finally:
        await audit.stop()
        rig.known_cases |= {s.data["case_id"] for s in audit.of_type("case.routed.v1")}


async def _settle_and_check(rig: Rig, audit: Audit, result: LoadResult, total_before: int, sizes: Sizes,
                            poisons: list[Poison]) -> Outcome:
    accepted = list(result.accepted.values())
    await wait_settled(audit, accepted, within=sizes.settle_s, stall_s=sizes.stall_s)
    left = await wait_drained(rig, within=sizes.settle_s, stall_s=sizes.stall_s)
    dead = await read_dead_letters(rig.node.url, rig.dead_letter_queue)
    new_cases = {s.data["case_id"] for s in audit.of_type("case.routed.v1")} - rig.known_cases
    expected = total_before + len(new_cases) + _poison_cases_reported(rig, poisons, dead)
    total = await wait_total(rig, expected, within=sizes.settle_s, stall_s=sizes.stall_s)
    await audit.wait_quiet(quiet_s=0.5, within=20.0)
    verdict = Verdict(accepted=len(accepted))
    for _ in range(8):  # the resident's view may trail the broker by a moment
        verdict = Verdict(accepted=len(accepted))
        await check_services(rig.urls, audit, accepted, verdict)
        if not (verdict.lost or verdict.stale):
            break
        await asyncio.sleep(2.0)
    audit_duplicates(audit, verdict, set(result.accepted))
    count_reports(total, expected, verdict)
    disorder = out_of_order(audit, set(result.accepted))
    verdict.problems += [f"case {case_id} whistled before it was routed" for case_id in disorder[:5]]
    rig.known_cases |= new_cases
    sources = Counter(f"{queue.removeprefix(rig.prefix + '.')}: {reason[:80]}" for _, queue, reason in dead)
    row = {"scenario": "", "store": rig.store, "mode": sizes.mode, "accepted": len(accepted),
           "lost": len(verdict.lost), "duplicated": len(verdict.duplicated), "dead_lettered": len(dead),
           "recovery_s": None, "stale": len(verdict.stale), "gave_up": result.gave_up,
           "http": dict(sorted(result.statuses.items())), "client_errors": dict(result.errors),
           "retry_after": sorted(set(result.retry_after))[:5], "events": len(audit.events),
           "out_of_order": len(disorder), "dead_letter_sources": dict(sources), "problems": verdict.problems[:5]}
    return Outcome(row, verdict, left, result, dead, log_tail=rig.platform.log_tail())


def _poison_cases_reported(rig: Rig, poisons: list[Poison], dead: list[DeadLetter]) -> int:
    """Crashing poison cases that reports applied instead of dead-lettering (it then counts them, once)."""
    reports = f"{rig.prefix}.reports.events"
    refused = {message_id for message_id, queue, _ in dead if queue == reports}
    return sum(1 for p in poisons if p.crashes and reports in p.optional and p.message_id not in refused)
