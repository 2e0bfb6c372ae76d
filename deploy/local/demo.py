"""The demo: show the district, submit the demo requests over HTTP, watch the event stream, print a summary."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aio_pika
import httpx
import yaml

DEMO_DIR = Path(__file__).resolve().parents[1] / "demo"
WATCHED_KEYS = ("case.routed.v1", "case.merged.v1", "whistle.*.v1", "sla.scheduled.v1", "sla.warning.v1",
                "sla.breached.v1", "case.escalated.v1")
PUBLIC_CHANNELS = {"qr_h5", "api", "open311"}
# The documented development staff token (intake's dev mode); staff channels need a staff credential.
DEV_STAFF_TOKEN = "dev-staff-token"


@dataclass
class Tally:
    """What the demo saw on the event stream."""

    routed: dict[str, dict[str, Any]] = field(default_factory=dict)
    merged: set[str] = field(default_factory=set)
    whistles: Counter[str] = field(default_factory=Counter)
    timers: set[str] = field(default_factory=set)
    sla: Counter[str] = field(default_factory=Counter)

    def requests_handled(self) -> set[str]:
        """Request ids that became (or joined) a case."""
        ids = {rid for case in self.routed.values() for rid in case.get("request_ids", [])}
        return ids | self.merged


def load_org() -> dict[str, Any]:
    """The demo organisation file."""
    return yaml.safe_load((DEMO_DIR / "org.yaml").read_text(encoding="utf-8"))


def describe_org(org: dict[str, Any]) -> str:
    """One paragraph naming what the demo district contains."""
    district = org["district"]
    streets = district["streets"]
    communities = [c for s in streets for c in s["communities"]]
    compounds = [p for c in communities for p in c["compounds"]]
    grids = [g for p in compounds for g in p.get("grids", [])]
    return (f"{district['name']}：{len(streets)} 个街道（{'、'.join(s['name'] for s in streets)}），"
            f"{len(communities)} 个社区，{len(compounds)} 个小区，{len(grids)} 个网格，"
            f"{len(org['departments'])} 个职能部门")


def to_payload(item: dict[str, Any]) -> dict[str, Any]:
    """A demo YAML entry as the body of POST /v1/requests."""
    body: dict[str, Any] = {"compound_id": item["compound"], "text": item["text"],
                            "channel": item.get("channel", "api"),
                            "location": {"building": item.get("building"), "room": item.get("room")}}
    if item.get("contact"):
        body["contact"] = item["contact"]
    else:
        body["anonymous"] = True
    return body


async def watch(url: str, exchange: str, tally: Tally, ready: asyncio.Event) -> None:
    """Bind a temporary queue to the events exchange and tally what the platform publishes."""
    connection = await aio_pika.connect_robust(url)
    async with connection:
        channel = await connection.channel()
        queue = await channel.declare_queue(f"demo-watch-{uuid.uuid4().hex[:8]}", exclusive=True, auto_delete=True)
        for key in WATCHED_KEYS:
            await queue.bind(exchange, routing_key=key)
        ready.set()
        async with queue.iterator() as messages:
            async for message in messages:
                async with message.process():
                    event = json.loads(message.body)
                    record(tally, event["type"], event["data"])


def record(tally: Tally, event_type: str, data: dict[str, Any]) -> None:
    """Add one event to the tally."""
    if event_type == "case.routed.v1":
        tally.routed[data["case_id"]] = data
    elif event_type == "case.merged.v1":
        tally.merged.add(data["request_id"])
    elif event_type == "whistle.issued.v1":
        tally.whistles[data.get("dept_name") or data["dept_code"]] += 1
    elif event_type == "sla.scheduled.v1":
        tally.timers.add(data["case_id"])
    elif event_type in ("sla.warning.v1", "sla.breached.v1"):
        tally.sla[f"{event_type.split('.')[1]} ({data['deadline']})"] += 1
    elif event_type == "case.escalated.v1":
        tally.sla[f"escalated to T{data['tier']}"] += 1


_last_progress: dict[str, int] = {}


def progress(label: str, done: int, total: int) -> None:
    """A progress line at every tenth of the way (service logs interleave, so no carriage returns)."""
    step = max(total // 10, 1)
    previous = _last_progress.get(label, -1)
    if done == previous or (done < total and done // step == max(previous, 0) // step and previous >= 0):
        return
    _last_progress[label] = done
    width = 30
    filled = int(width * done / max(total, 1))
    print(f"  >> {label:<22} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}", flush=True)


async def submit_all(client: httpx.AsyncClient, intake_url: str, items: list[dict[str, Any]]) -> dict[str, str]:
    """POST every demo request; return request id → tracking code of those accepted."""
    accepted: dict[str, str] = {}
    for n, item in enumerate(items, 1):
        staff = item.get("channel", "api") not in PUBLIC_CHANNELS
        headers = {"Authorization": f"Bearer {DEV_STAFF_TOKEN}"} if staff else {}
        response = await client.post(f"{intake_url}/v1/requests", json=to_payload(item), headers=headers)
        if response.status_code == 201:
            body = response.json()
            accepted[body["id"]] = body.get("tracking_code", "")
        else:
            print(f"\n  ! request {n} refused: {response.status_code} {response.text[:200]}")
        progress("提交诉求 submitting", n, len(items))
    return accepted


async def wait_until(label: str, count: Any, total: int, timeout: float) -> bool:
    """Poll `count()` with a progress line until it reaches `total` or the time runs out."""
    deadline = time.monotonic() + timeout
    while True:
        done = await count() if asyncio.iscoroutinefunction(count) else count()
        progress(label, min(done, total), total)
        if done >= total:
            return True
        if time.monotonic() > deadline:
            print(f"\n  ! {label}: only {done}/{total} after {timeout:.0f}s")
            return False
        await asyncio.sleep(0.3)


async def watch_deadlines(tally: Tally, seconds: float) -> None:
    """Let the notifier's fast clock run and show warnings, breaches and escalations as they happen."""
    print(f"\n快进时钟 fast clock: watching {seconds:.0f} s of deadlines (NOTIFIER_CLOCK_SPEED)")
    deadline = time.monotonic() + seconds
    shown: dict[str, int] = {}
    while time.monotonic() < deadline:
        await asyncio.sleep(5)
        if dict(tally.sla) != shown:
            shown = dict(tally.sla)
            print("  >> " + ", ".join(f"{k} {v}" for k, v in sorted(shown.items())), flush=True)


async def run_demo(urls: dict[str, str], rabbitmq_url: str, exchange: str, timeout: float = 90.0,
                   fast_clock_s: float = 0.0) -> dict[str, Any]:
    """Run the whole demo against running services and return the summary figures."""
    org = load_org()
    items = yaml.safe_load((DEMO_DIR / "requests.yaml").read_text(encoding="utf-8"))
    print(f"\n演示辖区 demo district — {describe_org(org)}")
    tally, ready = Tally(), asyncio.Event()
    watcher = asyncio.create_task(watch(rabbitmq_url, exchange, tally, ready))
    await asyncio.wait_for(ready.wait(), 15)
    async with httpx.AsyncClient(timeout=10.0) as client:
        print(f"\n提交 {len(items)} 条演示诉求 (POST {urls['intake']}/v1/requests)")
        accepted = await submit_all(client, urls["intake"], items)
        await wait_until("分派 routed", lambda: len(tally.requests_handled() & accepted.keys()), len(accepted), timeout)
        await wait_until("计时 SLA timers", lambda: len(tally.timers), len(tally.routed), timeout)

        async def reported() -> int:
            response = await client.get(f"{urls['reports']}/v1/reports/summary")
            return int(response.json()["totals"]["cases"]) if response.status_code == 200 else 0

        await wait_until("统计 reports", reported, len(tally.routed), timeout)
        if fast_clock_s:
            await watch_deadlines(tally, fast_clock_s)
        summary = (await client.get(f"{urls['reports']}/v1/reports/summary")).json()
    watcher.cancel()
    await asyncio.gather(watcher, return_exceptions=True)
    return {"submitted": len(items), "accepted": len(accepted), "cases": len(tally.routed),
            "merged": len(tally.merged), "tiers": Counter(f"T{c['tier']}" for c in tally.routed.values()),
            "whistles": tally.whistles, "timers": len(tally.timers), "reports": summary, "sla": tally.sla,
            "first_compound": org["district"]["streets"][0]["communities"][0]["compounds"][0]}
