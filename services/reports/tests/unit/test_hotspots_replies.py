"""Hot issues on the shared real messages (replies.csv), when they are present; skipped otherwise."""

from __future__ import annotations

import csv
from datetime import timedelta
from pathlib import Path

import pytest

from reports.hotspots import Hotspot, HotspotConfig, IssueConfig, Message, detect_hotspots, find_issues
from reports.hotspots.cli import parse_time

REPLIES = Path(__file__).resolve().parents[4].parent / "shared" / "data" / "govmsg" / "replies.csv"
BURST = [
    "魏家坡小区电梯又停运了，老人下不了楼", "魏家坡小区电梯困人四十分钟", "魏家坡小区电梯频繁故障没人修",
    "魏家坡小区电梯异响抖动", "魏家坡小区电梯停运三天，物业说等配件", "魏家坡小区电梯门关不上",
    "魏家坡小区电梯维保不到位", "魏家坡小区电梯故障把孩子困在里面", "魏家坡小区电梯急需大修",
    "魏家坡小区电梯按钮失灵",
]

pytestmark = pytest.mark.skipif(not REPLIES.exists(), reason="shared data not present")


@pytest.fixture(scope="module")
def real() -> list[Message]:
    with REPLIES.open(encoding="utf-8", newline="") as stream:
        return [Message(r["id"], r["title"], r["body"], parse_time(r["time"])) for r in csv.DictReader(stream)]


def test_the_latest_window_of_the_real_messages_holds_no_clear_hot_issue(real: list[Message]) -> None:
    assert detect_hotspots(real, now=None, config=HotspotConfig()) == []


def test_a_burst_planted_in_the_real_messages_is_found_first(real: list[Message]) -> None:
    last = max(m.time for m in real)
    burst = [Message(f"p{i}", f"A3区{text[:9]}", text, last + timedelta(hours=5 * i)) for i, text in enumerate(BURST)]

    hotspots = detect_hotspots(real + burst, now=None, config=HotspotConfig())

    assert hotspots[0].place == "魏家坡小区"
    assert set(hotspots[0].request_ids) == {m.id for m in burst}


@pytest.fixture(scope="module")
def grouped(real: list[Message]) -> list[Hotspot]:
    return find_issues(real, config=IssueConfig())


def test_the_clustering_mode_always_answers_on_the_real_messages(grouped: list[Hotspot]) -> None:
    assert len(grouped) >= 50
    assert all(h.count >= 2 and h.score > 0 for h in grouped)
    assert [h.score for h in grouped] == sorted((h.score for h in grouped), reverse=True)


@pytest.mark.parametrize("members", [
    {"19134", "18914", "18646"},  # 泉星社区 KTV noise, three complaints over seven months
    {"12724", "11996", "17053"},  # 板桥小区 night-snack street, 2013, 2014 and 2017
    {"58252", "58237", "58213"},  # 东方水岸明珠 6期 fees
])
def test_recurring_real_problems_at_one_place_come_out_as_one_group(grouped: list[Hotspot], members: set[str]) -> None:
    assert any(set(h.request_ids) == members for h in grouped)
