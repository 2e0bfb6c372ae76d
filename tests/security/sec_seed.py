"""Data the security tests act on: two cases in different streets, a photo, assets and a hot issue."""

from __future__ import annotations

import struct
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sec_platform import ORG, Platform

from servicekit.auth.roles import Role

FIRE = {"compound_id": "qc-jh-jh-hy", "text": "2号楼楼道堆满杂物，消防通道被堵死了，很危险",
        "location": {"building": "2"}, "contact": {"name": "周先生", "phone": "13700000000"}}
UNCLEAR = {"compound_id": "qc-jh-jh-hy", "text": "我们这栋楼的情况大家都知道，希望社区领导来看看",
           "location": {"building": "1"}}
NOISE = {"compound_id": "qc-sl-sl-ms", "text": "楼上邻居每天深夜装修，噪音很大，孩子没法睡觉",
         "location": {"building": "5"}, "contact": {"name": "林女士", "phone": "13800000000"}}
# Where the fire case lies: 青川区 / 金湖街道 / 金湖社区 / 金湖花园 / 第一网格 (buildings 1-4).
INSIDE = {Role.GRID_WORKER: "g-jh-jh-hy-1", Role.COMMUNITY_STAFF: "qc-jh-jh", Role.COMMUNITY_SECRETARY: "qc-jh-jh",
          Role.STREET_STAFF: "qc-jh", Role.DISTRICT_OPERATOR: "qc", Role.PLATFORM_ADMIN: None}
OUTSIDE = {Role.GRID_WORKER: "g-jh-jh-hy-2", Role.COMMUNITY_STAFF: "qc-jh-xh", Role.COMMUNITY_SECRETARY: "qc-sl-sl",
           Role.STREET_STAFF: "qc-sl"}


def png() -> bytes:
    """A valid 1×1 PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + \
        chunk(b"IEND", b"")


@dataclass
class Targets:
    """Ids the tests use; `dept_in` was whistled on the fire case, `dept_out` was not."""

    case_id: str
    request_id: str
    access_token: str
    tracking_code: str
    photo_id: str
    other_case_id: str
    other_request_id: str
    dept_in: str
    dept_out: str
    triage_case_id: str
    compound_token: str
    asset_id: str = "SEC-EL-1"
    other_asset_id: str = "SEC-EL-2"


def eventually(check: Callable[[], Any], what: str, timeout: float = 60.0) -> Any:
    """Poll until `check` returns something truthy."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"never happened: {what}")


def seed(p: Platform) -> Targets:
    """Submit two requests as residents, let them flow through the platform, add assets and a hot issue."""
    admin = p.headers(Role.PLATFORM_ADMIN)
    with httpx.Client(timeout=30) as c:
        photo = c.post(f"{p.url('intake')}/v1/photos", files={"file": ("p.png", png(), "image/png")}).json()["id"]
        first = c.post(f"{p.url('intake')}/v1/requests", json={**FIRE, "photos": [photo]}).json()
        second = c.post(f"{p.url('intake')}/v1/requests", json=NOISE).json()
        unclear = c.post(f"{p.url('intake')}/v1/requests", json=UNCLEAR).json()
        form = c.get(f"{p.url('intake')}/v1/compounds/qc-jh-jh-hy").json()["form_url"]

        def case_of(request_id: str, community: str) -> Callable[[], Any]:
            def find() -> Any:
                cases = c.get(f"{p.url('router')}/v1/cases", params={"community_id": community}, headers=admin)
                return next((x for x in cases.json() if request_id in x["request_ids"]), None)
            return find

        fire = eventually(case_of(first["id"], "qc-jh-jh"), "the fire case routed")
        noise = eventually(case_of(second["id"], "qc-sl-sl"), "the noise case routed")
        triage = eventually(case_of(unclear["id"], "qc-jh-jh"), "the unclear case in triage")
        assert triage["needs_triage"], triage
        for case in (fire, noise):
            eventually(lambda case=case: c.get(f"{p.url('notifier')}/v1/timers", params={"case_id": case["case_id"]},
                                               headers=admin).status_code == 200, "the notifier saw the case")
        eventually(lambda: c.get(f"{p.url('reports')}/v1/reports/summary", headers=admin).json()["totals"]["cases"]
                   >= 2, "reports counted both cases")
        register = ("asset_id,kind,title,community_id,last_done,unit_ids\n"
                    "SEC-EL-1,elevator_inspection,2号楼电梯年检,qc-jh-jh,2026-01-15,u-g-jh-jh-hy-1\n"
                    "SEC-EL-2,elevator_inspection,5号楼电梯年检,qc-sl-sl,2026-01-15,u-g-sl-sl-ms-2\n")
        assert c.post(f"{p.url('notifier')}/v1/assets/import", content=register.encode(),
                      headers={**admin, "Content-Type": "text/csv"}).status_code == 200
    p.run("reports", _hot_issue(p))
    dept_in = fire["departments"][0]
    dept_out = next(d for d in ORG.departments if d not in fire["departments"])
    return Targets(case_id=fire["case_id"], request_id=first["id"], access_token=first["access_token"],
                   tracking_code=first["tracking_code"], photo_id=photo, other_case_id=noise["case_id"],
                   other_request_id=second["id"], dept_in=dept_in, dept_out=dept_out,
                   triage_case_id=triage["case_id"], compound_token=form.rsplit("/", 1)[1])


async def _hot_issue(p: Platform) -> None:
    from reports.hotspot_job import to_envelope

    now = datetime.now(UTC)
    spot = {"hotspot_id": "sec-hs-1", "community_id": "qc-jh-jh", "community": "金湖社区", "place_id": "qc-jh-jh-hy",
            "place": "金湖花园", "kind": "term", "terms": ["消防通道"], "request_ids": ["r1", "r2", "r3"],
            "score": 7.5, "detected_at": now.isoformat(), "window_start": (now - timedelta(days=7)).isoformat(),
            "window_end": now.isoformat()}
    await p.app("reports").state.container.repo.save_hotspots([spot], [to_envelope(spot, now)])
