"""After a scenario: is every accepted request a case exactly once, routed, timed, reported, shown to the resident?"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

from faultkit.audit import Audit
from faultkit.load import Accepted


@dataclass
class Verdict:
    """The outcome of one scenario's checks."""

    accepted: int = 0
    lost: set[str] = field(default_factory=set)
    duplicated: set[str] = field(default_factory=set)
    stale: set[str] = field(default_factory=set)  # handled, but the resident's view did not follow
    problems: list[str] = field(default_factory=list)

    def fail(self, key: str, what: str, bucket: set[str]) -> None:
        """Put `key` in a bucket and keep the first few explanations."""
        bucket.add(key)
        if len(self.problems) < 40:
            self.problems.append(what)


def settled(audit: Audit, accepted: list[Accepted]) -> bool:
    """Every request is in a routed case whose SLA was scheduled (as seen on the broker)."""
    cases = audit.cases_by_request()
    scheduled = audit.scheduled_cases()
    return all(a.request_id in cases and cases[a.request_id] <= scheduled.keys() for a in accepted)


async def wait_settled(audit: Audit, accepted: list[Accepted], *, within: float, stall_s: float = 30.0) -> None:
    """Wait until `settled`, for at most `within` seconds, or until no new event arrived for `stall_s`."""
    deadline = time.monotonic() + within
    seen, changed = len(audit.events), time.monotonic()
    while not settled(audit, accepted) and time.monotonic() < deadline and time.monotonic() - changed < stall_s:
        await asyncio.sleep(0.25)
        if len(audit.events) != seen:
            seen, changed = len(audit.events), time.monotonic()


def settle_moment(audit: Audit, accepted: list[Accepted]) -> float | None:
    """When the last of these requests had its SLA scheduled (None when one is still missing)."""
    cases = audit.cases_by_request()
    scheduled = audit.scheduled_cases()
    moments = []
    for a in accepted:
        for case_id in cases.get(a.request_id, set()):
            if case_id not in scheduled:
                return None
            moments.append(scheduled[case_id])
        if a.request_id not in cases:
            return None
    return max(moments, default=time.monotonic())


def out_of_order(audit: Audit, request_ids: set[str]) -> list[str]:
    """Cases whose whistle reached the broker before their `case.routed.v1` (the outbox must keep per-case order)."""
    routed = {s.data["case_id"]: s.order for s in audit.of_type("case.routed.v1")
              if set(s.data.get("request_ids", [])) & request_ids}
    return sorted({s.data["case_id"] for s in audit.of_type("whistle.issued.v1")
                   if s.data.get("case_id") in routed and s.order < routed[s.data["case_id"]]})


def audit_duplicates(audit: Audit, verdict: Verdict, request_ids: set[str]) -> None:
    """Duplicated effects visible on the broker: a request in two cases, a whistle or notification twice."""
    for request_id, case_ids in audit.cases_by_request().items():
        if request_id in request_ids and len(case_ids) > 1:
            verdict.fail(request_id, f"request {request_id} is in {len(case_ids)} cases {sorted(case_ids)}",
                         verdict.duplicated)
    submitted = Counter(s.data.get("request_id") for s in audit.of_type("request.submitted.v1"))
    for request_id in request_ids:
        if submitted[request_id] > 1:
            verdict.fail(request_id, f"intake published request {request_id} under {submitted[request_id]} ids",
                         verdict.duplicated)
    by_request = {case_id: rid for rid, cids in audit.cases_by_request().items() for case_id in cids}
    whistles = Counter((s.data.get("case_id"), s.data.get("dept_code")) for s in audit.of_type("whistle.issued.v1"))
    for (case_id, dept), n in whistles.items():
        if n > 1 and by_request.get(case_id) in request_ids:
            verdict.fail(by_request[case_id], f"case {case_id} whistled {dept} {n} times", verdict.duplicated)
    sent = Counter(s.data.get("notification_id") for s in audit.of_type("notification.sent.v1"))
    for notification_id, n in sent.items():
        if n > 1:
            verdict.fail(str(notification_id), f"notification {notification_id} sent {n} times", verdict.duplicated)


async def check_services(urls: dict[str, str], audit: Audit, accepted: list[Accepted], verdict: Verdict) -> None:
    """Ask the router, the notifier and intake about each request; record what is missing or doubled."""
    cases = audit.cases_by_request()
    gate = asyncio.Semaphore(16)
    async with httpx.AsyncClient(timeout=15.0) as client:
        async def one(a: Accepted) -> None:
            async with gate:
                await _check_one(client, urls, a, cases.get(a.request_id, set()), verdict)
        await asyncio.gather(*(one(a) for a in accepted))


async def _check_one(client: httpx.AsyncClient, urls: dict[str, str], a: Accepted, case_ids: set[str],
                     verdict: Verdict) -> None:
    rid = a.request_id
    if not case_ids:
        verdict.fail(rid, f"request {rid} ({a.tracking_code}) was never routed", verdict.lost)
        return
    for case_id in case_ids:
        case = await _get(client, f"{urls['router']}/v1/cases/{case_id}")
        if case is None or rid not in case.get("request_ids", []):
            verdict.fail(rid, f"router has no case {case_id} holding request {rid}", verdict.lost)
        elif case["request_ids"].count(rid) > 1:
            verdict.fail(rid, f"case {case_id} lists request {rid} twice", verdict.duplicated)
        timers = await _get(client, f"{urls['notifier']}/v1/timers", params={"case_id": case_id})
        if timers is None or not timers.get("known") or not timers.get("timers"):
            verdict.fail(rid, f"notifier has no SLA timer for case {case_id}", verdict.lost)
        else:
            kinds = Counter((t["deadline"], t["kind"], t["fraction"], t["tier"]) for t in timers["timers"])
            if any(n > 1 for n in kinds.values()):
                verdict.fail(rid, f"case {case_id} has duplicated timers {kinds.most_common(1)}", verdict.duplicated)
    view = await _get(client, f"{urls['intake']}/v1/requests/{rid}", headers={"X-Access-Token": a.access_token})
    if view is None or view.get("status") in (None, a.initial_status) or view.get("deadline") is None:
        status = None if view is None else (view.get("status"), view.get("deadline"))
        verdict.fail(rid, f"intake still shows request {rid} as {status}", verdict.stale)


async def _get(client: httpx.AsyncClient, url: str, **kwargs: Any) -> dict[str, Any] | None:
    for _ in range(3):
        try:
            answer = await client.get(url, **kwargs)
        except httpx.HTTPError:
            await asyncio.sleep(0.5)
            continue
        return answer.json() if answer.status_code == 200 else None
    return None


def count_reports(total: int, expected: int, verdict: Verdict) -> None:
    """Reports must count each new case once: fewer is loss, more is duplication."""
    if total < expected:
        for n in range(expected - total):
            verdict.fail(f"reports-missing-{n}", f"reports counts {total}, expected {expected}", verdict.lost)
    elif total > expected:
        for n in range(total - expected):
            verdict.fail(f"reports-extra-{n}", f"reports counts {total}, expected {expected}", verdict.duplicated)


def leftovers(queues: dict[str, tuple[int, int]], *, ignore: set[str]) -> dict[str, tuple[int, int]]:
    """Queues still holding ready or unacknowledged messages, apart from the ignored ones."""
    return {name: depth for name, depth in queues.items() if name not in ignore and any(depth)}
