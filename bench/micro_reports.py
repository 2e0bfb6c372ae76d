"""Micro-benchmark: CPU per event of the reports projection on SQLite (`python -m bench.micro_reports`).

Feeds `reports.handlers.consume_event` — what the reports consumer calls for each delivery — the events one
whistled request causes in the end-to-end benchmark (request.submitted, case.routed, whistle.issued,
sla.scheduled, notification.sent), then, in a second pass, the rest of a case's life (accepted, resolved,
closed, feedback). Cases are spread over the demo district's grids. Prints µs of process CPU per event
(the SQLite thread included) and events per second, for each pass.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from contracts.envelope import Envelope

REPO = Path(__file__).resolve().parents[1]
ORG_FILE = REPO / "deploy" / "demo" / "org.yaml"
T0 = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
GRIDS = (("qc-jh", "qc-jh-jh", "qc-jh-jh-hy", "g-jh-jh-hy-1", "u-g-jh-jh-hy-1"),
         ("qc-jh", "qc-jh-jh", "qc-jh-jh-hy", "g-jh-jh-hy-2", "u-g-jh-jh-hy-2"),
         ("qc-jh", "qc-jh-jh", "qc-jh-jh-ly", "g-jh-jh-ly-1", "u-g-jh-jh-ly-1"),
         ("qc-jh", "qc-jh-xh", "qc-jh-xh-xy", "g-jh-xh-xy-1", "u-g-jh-xh-xy-1"),
         ("qc-jh", "qc-jh-xh", "qc-jh-xh-lc", "g-jh-xh-lc-1", "u-g-jh-xh-lc-1"))
CATEGORIES = (("safety", "fire"), ("safety", "elevator"), ("livelihood", "fumes"), ("safety", "wiring"))


def _env(event_id: str, type_: str, at: datetime, subject: str, data: dict[str, Any]) -> Envelope:
    return Envelope(id=event_id, source="/bench", type=type_, time=at, subject=subject, data=data)


def arrival(n: int) -> list[Envelope]:
    """The five events of one whistled request, as reports receives them in the e2e benchmark."""
    case, at = f"case-{n}", T0 + timedelta(seconds=n)
    street, community, compound, grid, unit = GRIDS[n % len(GRIDS)]
    cls, sub = CATEGORIES[n % len(CATEGORIES)]
    place = {"district_id": "qc", "street_id": street, "community_id": community, "compound_id": compound,
             "grid_id": grid, "building": str(n % 7 + 1)}
    iso = at.isoformat()
    return [
        _env(f"{case}-req", "request.submitted.v1", at, f"r-{n}",
             {"request_id": f"r-{n}", "channel": "qr_h5", "place": place, "text": "楼道里堆满纸箱，消防通道被堵死",
              "submitted_at": iso}),
        _env(f"{case}-routed", "case.routed.v1", at, case,
             {"case_id": case, "request_ids": [f"r-{n}"], "channel": "qr_h5", "place": place,
              "category": {"class_code": cls, "sub_category": sub}, "classified_by": "rule", "tier": 3,
              "units": [{"unit_id": unit, "kind": "grid_worker", "name": "网格员"}], "departments": ["xiaofang"],
              "sla_policy": "safety", "text": "楼道里堆满纸箱，消防通道被堵死", "submitted_at": iso, "routed_at": iso}),
        _env(f"{case}-whistle", "whistle.issued.v1", at, case,
             {"case_id": case, "dept_code": "xiaofang", "dept_name": "消防", "category": {"class_code": cls},
              "place": place, "summary": "消防通道被堵", "tier": 3, "issued_at": iso}),
        _env(f"{case}-sla", "sla.scheduled.v1", at, case,
             {"case_id": case, "community_id": community, "tier": 3, "sla_policy": "safety",
              "response_due": (at + timedelta(hours=12)).isoformat(),
              "resolution_due": (at + timedelta(days=2)).isoformat(), "scheduled_at": iso}),
        _env(f"{case}-sent", "notification.sent.v1", at, case,
             {"notification_id": f"n-{n}", "case_id": case, "channel": "webhook", "recipient": "xiaofang",
              "template": "whistle", "attempts": 1, "occurred_at": iso}),
    ]


def lifecycle(n: int) -> list[Envelope]:
    """The rest of the case's life: accepted, resolved, closed, rated."""
    case, at = f"case-{n}", T0 + timedelta(seconds=n)
    community = GRIDS[n % len(GRIDS)][1]
    out = []
    for i, (kind, minutes) in enumerate((("accepted", 20), ("resolved", 300), ("closed", 400))):
        when = (at + timedelta(minutes=minutes)).isoformat()
        out.append(_env(f"{case}-t{i}", f"case.{kind}.v1", at + timedelta(minutes=minutes), case,
                        {"case_id": case, "community_id": community, "from_status": "x", "status": kind, "tier": 3,
                         "actor": {"kind": "staff", "id": "s1"}, "occurred_at": when}))
    out.append(_env(f"{case}-fb", "feedback.submitted.v1", at + timedelta(hours=8), case,
                    {"case_id": case, "request_id": f"r-{n}", "satisfied": n % 5 != 0, "rating": 4,
                     "submitted_at": (at + timedelta(hours=8)).isoformat()}))
    return out


async def measure(cases: int, workdir: Path) -> list[tuple[str, int, float, float]]:
    """(pass, events, CPU seconds, wall seconds) of the two passes on a fresh SQLite store."""
    from reports.adapters.org_file import load_org
    from reports.adapters.sqlite_repository import SqliteReportsRepository
    from reports.handlers import consume_event

    repo = SqliteReportsRepository(workdir / "reports.sqlite3")
    await repo.ensure_indexes()
    org = load_org(ORG_FILE)
    results = []
    for name, make in (("arrival", arrival), ("lifecycle", lifecycle)):
        events = [e for n in range(cases) for e in make(n)]
        wall, cpu = time.perf_counter(), time.process_time()
        for envelope in events:
            await consume_event(repo, org, envelope)
        results.append((name, len(events), time.process_time() - cpu, time.perf_counter() - wall))
    await repo.close()
    return results


def main() -> None:
    """Run the passes twice (the first warms caches) and print the second."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--cases", type=int, default=1000)
    args = parser.parse_args()
    for run in range(2):
        with tempfile.TemporaryDirectory() as tmp:
            results = asyncio.run(measure(args.cases, Path(tmp)))
        if run:
            for name, n, cpu, wall in results:
                print(f"reports {name}: {n} events, {cpu / n * 1e6:.0f} µs CPU per event, {n / wall:,.0f} events/s")


if __name__ == "__main__":
    main()
