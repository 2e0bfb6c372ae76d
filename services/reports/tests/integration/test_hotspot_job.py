"""The periodic hot-issue pass: a planted burst in one compound is stored once and queued for publishing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from contracts.envelope import Envelope
from reports.adapters.sqlite_repository import SqliteReportsRepository
from reports.domain.org import OrgIndex
from reports.handlers import project_event
from reports.hotspot_job import detect_in_subprocess, detect_in_thread, detect_once
from reports.hotspots.model import HotspotConfig

NOW = datetime(2026, 11, 20, 4, 0, tzinfo=UTC)
BACKGROUND = ["小区垃圾清运不及时，垃圾桶满了", "楼下有人装修噪音很大", "想咨询一下医保报销流程",
              "路灯坏了晚上很黑", "物业费收费标准不清楚", "邻居家狗半夜一直叫"]
BURST = ["3号楼电梯又坏了，老人被困在电梯里", "电梯困人，3号楼电梯停在半层不动",
         "3号楼电梯故障好几天了没人修", "电梯坏了，老人上下楼很困难，请尽快维修电梯",
         "今天电梯又困人了，物业不管"]


def routed(case_id: str, text: str, when: datetime, compound: str = "qc-jh-jh-hy") -> Envelope:
    return Envelope(id=f"e-{case_id}", source="/test", type="case.routed.v1", time=when, subject=case_id, data={
        "case_id": case_id, "request_ids": [f"r-{case_id}"], "place": {"community_id": "qc-jh-jh",
                                                                        "compound_id": compound},
        "category": {"class_code": "safety", "sub_category": "elevator"}, "classified_by": "rule", "tier": 1,
        "units": [], "sla_policy": "p", "text": text, "routed_at": when.isoformat()})


@pytest.mark.parametrize("detector", [detect_in_thread, detect_in_subprocess], ids=["thread", "subprocess"])
async def test_a_planted_burst_becomes_one_hot_issue_with_its_event(tmp_path, record_store, detector):
    record_store("sqlite")
    repo = SqliteReportsRepository(tmp_path / "r.sqlite3")
    await repo.ensure_indexes()
    org = OrgIndex(names={"qc-jh-jh": "金湖社区", "qc-jh-jh-hy": "金湖花园"})
    for day in range(60):
        text = BACKGROUND[day % len(BACKGROUND)]
        await project_event(repo, org, routed(f"bg{day}", text, NOW - timedelta(days=day + 8),
                                              compound=("qc-jh-jh-hy", "qc-jh-jh-ly")[day % 2]))
    for i, text in enumerate(BURST):
        await project_event(repo, org, routed(f"b{i}", text, NOW - timedelta(hours=6 * i + 1)))
    config = HotspotConfig()
    assert await detect_once(repo, org, config, NOW, detector=detector) >= 1
    assert await detect_once(repo, org, config, NOW, detector=detector) == 0  # not published twice
    spots = await repo.hotspots(community_id="qc-jh-jh", limit=10)
    top = spots[0]
    assert "电梯" in "".join(top["terms"])
    assert set(top["request_ids"]) <= {f"r-b{i}" for i in range(len(BURST))} and len(top["request_ids"]) >= 3
    assert top["community"] == "金湖社区"
    pending = await repo.outbox.fetch_pending(10)
    assert {p.routing_key for p in pending} == {"hotspot.detected.v1"} and len(pending) == len(spots)
    await repo.close()
