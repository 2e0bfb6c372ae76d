"""Hot-issue detection on the project fixture: planted burst, quiet background, spread issue."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from reports.hotspots import HotspotConfig, Message, detect_hotspots
from reports.hotspots.clusters import cluster_candidates
from reports.hotspots.detect import analyze_messages
from reports.hotspots.scan import scan_hotspots
from reports.hotspots.window import build_window

FIXTURE = Path(__file__).parent.parent / "fixtures" / "hotspots_city.jsonl"
SHANGHAI = ZoneInfo("Asia/Shanghai")
CONFIG = HotspotConfig()


def _load() -> list[Message]:
    rows = [json.loads(line) for line in FIXTURE.read_text(encoding="utf-8").splitlines()]
    return [
        Message(r["id"], r["title"], r["body"], datetime.fromisoformat(r["time"]).replace(tzinfo=SHANGHAI))
        for r in rows
    ]


@pytest.fixture(scope="module")
def messages() -> list[Message]:
    return _load()


def _ids(messages: list[Message], prefix: str) -> set[str]:
    return {m.id for m in messages if m.id.startswith(prefix)}


def test_the_planted_burst_comes_out_first_with_exactly_its_requests(messages: list[Message]) -> None:
    hotspots = detect_hotspots(messages, now=None, config=CONFIG)

    top = hotspots[0]
    assert top.rank == 1
    assert set(top.request_ids) == _ids(messages, "burst-")
    assert top.place == "魏家坡小区"
    assert top.place_path == ("A市", "A3区", "魏家坡小区")
    assert "电梯" in top.terms and "故障" in top.terms
    assert top.score >= CONFIG.min_score
    assert top.window_end == max(m.time for m in messages)
    assert top.window_end - top.window_start == timedelta(days=CONFIG.window_days)


def test_background_noise_alone_yields_no_hot_issue(messages: list[Message]) -> None:
    background = [m for m in messages if m.id.startswith("bg-")]

    assert detect_hotspots(background, now=None, config=CONFIG) == []
    assert scan_hotspots(background, config=CONFIG) == []


def test_similar_requests_across_places_are_grouped_under_their_common_place(messages: list[Message]) -> None:
    now = datetime(2019, 4, 15, tzinfo=SHANGHAI)

    hotspots = detect_hotspots(messages, now=now, config=CONFIG)

    assert len(hotspots) == 1
    assert set(hotspots[0].request_ids) == _ids(messages, "spread-")
    assert hotspots[0].place == "A市"
    assert "共享单车" in hotspots[0].terms


def test_the_cluster_detector_alone_finds_the_spread_issue(messages: list[Message]) -> None:
    docs = analyze_messages(messages, config=CONFIG)
    end = datetime(2019, 4, 15, tzinfo=SHANGHAI)
    window = build_window(docs, end=end, window_days=7, baseline_days=90, history_start=docs[0].time)

    found = cluster_candidates(window, CONFIG)

    assert [c.members for c in found] == [frozenset(_ids(messages, "spread-"))]
    assert found[0].kind == "cluster" and found[0].place == "A市"
    assert found[0].terms[0] == "共享单车"


def test_a_window_in_the_past_ignores_later_requests(messages: list[Message]) -> None:
    before_burst = datetime(2019, 4, 27, tzinfo=SHANGHAI)

    hotspots = detect_hotspots(messages, now=before_burst, config=CONFIG)

    assert not any(set(h.request_ids) & _ids(messages, "burst-") for h in hotspots)


def test_one_message_posted_many_times_is_not_a_hot_issue() -> None:
    start = datetime(2019, 5, 1, 9, tzinfo=SHANGHAI)
    repeats = [
        Message(f"r{i}", "魏家坡小区电梯故障困人", "魏家坡小区5栋电梯故障，困了一家三口。", start + timedelta(hours=i))
        for i in range(8)
    ]

    assert detect_hotspots(repeats, now=None, config=CONFIG) == []


def test_a_burst_below_the_minimum_count_is_not_a_hot_issue(messages: list[Message]) -> None:
    two_of_the_burst = [m for m in messages if not m.id.startswith("burst-") or m.id in {"burst-01", "burst-02"}]

    hotspots = detect_hotspots(two_of_the_burst, now=None, config=CONFIG)

    assert not any({"burst-01", "burst-02"} & set(h.request_ids) for h in hotspots)


def test_a_given_place_path_is_used_instead_of_the_text(messages: list[Message]) -> None:
    background = [m for m in messages if m.id.startswith("bg-")]
    start = max(m.time for m in background) + timedelta(hours=1)
    texts = ["楼道电梯又坏了，按钮没反应", "电梯卡在三楼，老人被困", "电梯故障一周了没人修", "电梯门关不上，停运两天",
             "电梯异响还在运行，担心出事", "电梯维保公司不来人", "物业说电梯配件要等一个月", "孕妇每天爬楼，电梯坏了"]
    burst = [
        Message(f"e{i}", f"反映电梯问题{i}", text, start + timedelta(hours=i), place="朝阳区/望京街道/花家地社区")
        for i, text in enumerate(texts)
    ]

    hotspots = detect_hotspots(background + burst, now=None, config=CONFIG)

    assert hotspots[0].place == "花家地社区"
    assert hotspots[0].place_path == ("朝阳区", "望京街道", "花家地社区")
    assert set(hotspots[0].request_ids) == {m.id for m in burst}


def test_without_any_history_nothing_is_surprising() -> None:
    start = datetime(2019, 5, 1, 9, tzinfo=UTC)
    texts = ["电梯停运了，老人下不了楼", "电梯按钮失灵", "电梯门夹人", "电梯异响严重", "电梯困人半小时"]
    first_week = [
        Message(f"n{i}", f"魏家坡小区电梯故障{i}", text, start + timedelta(hours=i)) for i, text in enumerate(texts)
    ]

    assert detect_hotspots(first_week, now=None, config=CONFIG) == []


def test_a_record_that_starts_late_shortens_the_baseline_and_raises_the_expectation(messages: list[Message]) -> None:
    end = max(m.time for m in messages)
    full = detect_hotspots(messages, now=None, config=CONFIG)[0]

    late = detect_hotspots(messages, now=None, config=CONFIG, history_start=end - timedelta(days=8))[0]

    assert set(late.request_ids) == set(full.request_ids)
    assert late.expected > full.expected and late.score < full.score


def test_naive_times_are_read_as_shanghai_civil_time(messages: list[Message]) -> None:
    naive = [dataclasses.replace(m, time=m.time.replace(tzinfo=None)) for m in messages]

    hotspots = detect_hotspots(naive, now=None, config=CONFIG)

    assert hotspots[0].window_end == max(m.time for m in messages)


def test_no_messages_no_hot_issues() -> None:
    assert detect_hotspots([], now=None, config=CONFIG) == []


def test_a_config_that_would_let_one_message_be_a_hot_issue_is_refused() -> None:
    with pytest.raises(ValueError, match="min_count"):
        HotspotConfig(min_count=1)
