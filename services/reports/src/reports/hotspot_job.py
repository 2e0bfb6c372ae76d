"""Hot issues (未诉先办): detect per community from routed request texts, store and publish via the outbox."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import sys
from collections import defaultdict
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from contracts.envelope import Envelope, new_event
from contracts.events.reports import HotspotDetected
from reports.adapters.repository import FactQuery, ReportsRepository
from reports.domain.facts import CaseFact
from reports.domain.org import OrgIndex
from reports.domain.rollups import civil_day
from reports.hotspots.model import Hotspot, HotspotConfig, Message
from reports.hotspots.worker import decode_result, encode_request

SOURCE = "/whistle/reports"
MAX_MESSAGES = 100_000
WORKER_ERROR_CHARS = 2000

# (messages per community, now, config) -> hot issues per community
Detector = Callable[[dict[str, list[Message]], datetime, HotspotConfig], Awaitable[dict[str, list[Hotspot]]]]


async def detect_in_thread(communities: dict[str, list[Message]], now: datetime,
                           config: HotspotConfig) -> dict[str, list[Hotspot]]:
    """Detect in this process (numpy, scipy and jieba stay loaded afterwards): tests and tools."""
    from reports.hotspots.detect import detect_hotspots

    def run() -> dict[str, list[Hotspot]]:
        return {c: detect_hotspots(messages, now=now, config=config) for c, messages in communities.items()}

    return await asyncio.to_thread(run)


async def detect_in_subprocess(communities: dict[str, list[Message]], now: datetime,
                               config: HotspotConfig) -> dict[str, list[Hotspot]]:
    """Detect in a child `python -m reports.hotspots.worker`, so the service never holds the detector's memory."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "reports.hotspots.worker", stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        out, err = await proc.communicate(encode_request(communities, now=now, config=config))
    except BaseException:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        raise
    if proc.returncode != 0:
        tail = err.decode(errors="replace")[-WORKER_ERROR_CHARS:]
        raise RuntimeError(f"hot-issue worker exited with {proc.returncode}: {tail}")
    return decode_result(out)


def to_message(fact: CaseFact) -> Message:
    """A routed case's text as the detector's message, placed at community/compound."""
    assert fact.created_at is not None
    place = "/".join(p for p in (fact.community_id, fact.compound_id) if p)
    request_id = fact.request_ids[0] if fact.request_ids else fact.case_id
    return Message(id=request_id, title="", body=fact.text or "", time=fact.created_at, place=place)


def hotspot_id(community_id: str, spot: Hotspot) -> str:
    """Stable per place, terms and civil day, so a persisting issue is published at most once a day."""
    key = "|".join((community_id, spot.place, ",".join(sorted(spot.terms)), civil_day(spot.window_end)))
    return "hs-" + hashlib.sha1(key.encode()).hexdigest()[:16]


def to_record(community_id: str, spot: Hotspot, org: OrgIndex, now: datetime) -> dict[str, Any]:
    """The stored form (also what the API lists)."""
    return {
        "hotspot_id": hotspot_id(community_id, spot), "community_id": community_id,
        "community": org.name(community_id), "place_id": spot.place, "place": org.name(spot.place),
        "kind": spot.kind, "terms": list(spot.terms), "request_ids": list(spot.request_ids),
        "score": round(float(spot.score), 2), "observed": spot.observed, "expected": round(spot.expected, 2),
        "window_start": spot.window_start.isoformat(), "window_end": spot.window_end.isoformat(),
        "detected_at": now.isoformat(),
    }


def to_envelope(record: dict[str, Any], now: datetime) -> Envelope:
    """hotspot.detected.v1 for a stored hot issue."""
    data = HotspotDetected(
        hotspot_id=record["hotspot_id"], place=record["place"], community_id=record["community_id"],
        terms=record["terms"], request_ids=record["request_ids"], score=record["score"],
        window_start=record["window_start"], window_end=record["window_end"], detected_at=now)
    return new_event(data, source=SOURCE, subject=record["hotspot_id"], now=now)


async def detect_once(repo: ReportsRepository, org: OrgIndex, config: HotspotConfig, now: datetime, *,
                      detector: Detector = detect_in_thread) -> int:
    """One pass over every community with recent texts; returns how many new hot issues were stored."""
    since = now - timedelta(days=config.window_days + config.baseline_days)
    facts = await repo.facts(FactQuery(text_only=True, created_from=since.isoformat(timespec="microseconds"),
                                       limit=MAX_MESSAGES))
    by_community: dict[str, list[Message]] = defaultdict(list)
    for fact in facts:
        if fact.community_id and fact.created_at and fact.created_at <= now:
            by_community[fact.community_id].append(to_message(fact))
    if not by_community:
        return 0
    found = await detector(dict(by_community), now, config)
    new = 0
    for community_id in sorted(found):
        records = [to_record(community_id, s, org, now) for s in found[community_id]]
        if records:
            new += await repo.save_hotspots(records, [to_envelope(r, now) for r in records])
    return new


async def run_periodically(detect: Any, *, interval_s: float, log: logging.Logger,
                           stop: asyncio.Event) -> None:
    """Call `detect()` every interval until `stop` is set; a failing pass is logged and retried next time."""
    while not stop.is_set():
        try:
            await detect()
        except Exception as exc:
            log.exception("hot-issue detection failed", extra={"error": str(exc)[:300]})
        try:
            await asyncio.wait_for(stop.wait(), timeout=interval_s)
        except TimeoutError:
            pass
