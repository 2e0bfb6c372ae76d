"""Micro-benchmark: the notifier's CPU per case event and per fired timer on SQLite (`python -m bench.micro_notifier`).

events  `handle_case_event` — what the notifier's consumer calls — for the events of one whistled request in
        the end-to-end benchmark (case.routed, whistle.issued), then the rest of a case's life (accepted,
        resolved); the service's scheduler runs alongside and is woken the way the consumer wakes it, so
        the claims those wake-ups cause are counted too. Delivery is wired as in the benchmark's platform
        (the demo organisation, no contacts file).
timers  N routed cases seeded, the clock moved past every deadline, then `TimerScheduler.tick()` until
        nothing is due: timers fired per second and CPU per fired timer.
Prints µs of process CPU (the SQLite thread included).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from contracts.envelope import Envelope, new_event
from contracts.events.cases import CaseAccepted, CaseResolved, CaseRouted, WhistleIssued
from contracts.events.common import Actor, CategoryRef, Place, UnitRef

REPO = Path(__file__).resolve().parents[1]
ORG_FILE = REPO / "deploy" / "demo" / "org.yaml"
START = datetime(2025, 3, 3, 2, 0, tzinfo=UTC)  # a Monday, 10:00 in Shanghai
LOG = logging.getLogger("bench.micro_notifier")
SUBS = (("safety", "fire"), ("safety", "elevator"), ("livelihood", "fumes"), ("dispute", "leak"))


def arrival(n: int, at: datetime) -> list[Envelope]:
    """case.routed and whistle.issued of one whistled request."""
    cls, sub = SUBS[n % len(SUBS)]
    place = Place(community_id="qc-jh-jh", street_id="qc-jh", district_id="qc", compound_id="qc-jh-jh-hy")
    category = CategoryRef(class_code=cls, sub_category=sub)
    routed = CaseRouted(case_id=f"c{n}", request_ids=[f"r{n}"], place=place, category=category,
                        classified_by="rule", tier=3, departments=["xiaofang"], sla_policy="safety",
                        units=[UnitRef(unit_id="u-g-jh-jh-hy-1", kind="grid_worker", name="网格员")],
                        text="楼道里堆满纸箱，消防通道被堵死", submitted_at=at, routed_at=at)
    whistle = WhistleIssued(case_id=f"c{n}", dept_code="xiaofang", dept_name="消防救援", category=category,
                            place=place, summary="消防通道被堵死", tier=3, issued_at=at)
    return [new_event(d, source="/whistle/router", subject=f"c{n}", now=at) for d in (routed, whistle)]


def lifecycle(n: int, at: datetime) -> list[Envelope]:
    """accepted, then resolved."""
    out = []
    for model, status, minutes in ((CaseAccepted, "accepted", 10), (CaseResolved, "resolved", 60)):
        when = at + timedelta(minutes=minutes)
        data = model(case_id=f"c{n}", community_id="qc-jh-jh", from_status="routed", status=status, tier=3,
                     actor=Actor(kind="staff", id="s1"), occurred_at=when)
        out.append(new_event(data, source="/whistle/router", subject=f"c{n}", now=when))
    return out


async def _deps(path: Path, clock):  # type: ignore[no-untyped-def]
    from notifier.adapters.store import open_sqlite
    from notifier.bootstrap import build_delivery, load_rules
    from notifier.config import NotifierSettings
    from notifier.handlers import Deps
    from notifier.metrics import NotifierMetrics

    settings = NotifierSettings(org_file=ORG_FILE)
    store = await open_sqlite(path)
    http = httpx.AsyncClient()
    rules = load_rules(settings)
    deps = Deps(timers=store.timers, rules=rules, clock=clock, metrics=NotifierMetrics(),
                delivery=build_delivery(settings, store, http, rules))
    return store, http, deps


async def events(cases: int, workdir: Path) -> list[tuple[str, int, float, float]]:
    """(pass, events, CPU s, wall s) with the scheduler running and woken as the consumer wakes it."""
    from notifier.adapters.clock import Clock
    from notifier.entrypoints.scheduler import TimerScheduler
    from notifier.handlers import handle_case_event

    store, http, deps = await _deps(workdir / "notifier.sqlite3", Clock())
    scheduler = TimerScheduler(deps, owner="bench", log=LOG)
    # As bootstrap wires it; before `wake_timers` existed the consumer woke the scheduler after every applied event.
    wakes_itself = hasattr(deps, "wake_timers")
    if wakes_itself:
        deps.wake_timers = scheduler.wake_for
    scheduler.start()
    now = datetime.now(UTC)
    results = []
    for name, make in (("arrival", arrival), ("lifecycle", lifecycle)):
        batch = [e for n in range(cases) for e in make(n, now)]
        wall, cpu = time.perf_counter(), time.process_time()
        for envelope in batch:
            if await handle_case_event(deps, envelope) == "applied" and not wakes_itself:
                scheduler.wake()
        results.append((name, len(batch), time.process_time() - cpu, time.perf_counter() - wall))
    await scheduler.stop()
    await http.aclose()
    await store.close()
    return results


async def timers(cases: int, workdir: Path) -> tuple[int, float, float]:
    """(timers fired, CPU s, wall s) draining every due timer with one scheduler."""
    from notifier.adapters.clock import ManualClock
    from notifier.entrypoints.scheduler import TimerScheduler
    from notifier.handlers import handle_case_event

    clock = ManualClock(START)
    store, http, deps = await _deps(workdir / "timers.sqlite3", clock)
    for n in range(cases):
        await handle_case_event(deps, arrival(n, START + timedelta(seconds=n))[0])
    clock.set(START + timedelta(days=60))
    scheduler = TimerScheduler(deps, owner="bench", log=LOG)
    wall, cpu = time.perf_counter(), time.process_time()
    while (await scheduler.tick())[0]:
        pass
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    await http.aclose()
    await store.close()
    return scheduler.fired, cpu, wall


def main() -> None:
    """Run each part twice (the first warms caches) and print the second."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("what", nargs="?", choices=("events", "timers", "both"), default="both")
    parser.add_argument("--cases", type=int, default=1000)
    args = parser.parse_args()
    for run in range(2):
        with tempfile.TemporaryDirectory() as tmp:
            if args.what in ("events", "both"):
                for name, n, cpu, wall in asyncio.run(events(args.cases, Path(tmp))):
                    if run:
                        print(f"notifier {name}: {n} events, {cpu / n * 1e6:.0f} µs CPU per event, "
                              f"{n / wall:,.0f} events/s")
            if args.what in ("timers", "both"):
                fired, cpu, wall = asyncio.run(timers(args.cases, Path(tmp)))
                if run:
                    print(f"notifier timers: {fired} fired, {fired / wall:,.0f} timers/s, "
                          f"{cpu / fired * 1e6:.0f} µs CPU per timer")


if __name__ == "__main__":
    main()
