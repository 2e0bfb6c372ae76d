"""Grouped hot issues (the clustering-first mode) on the project fixture with six planted issues."""

from __future__ import annotations

import dataclasses
import itertools
import math
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from reports.hotspots import Hotspot, IssueConfig, Message, find_issues
from reports.hotspots.agglomerate import average_link
from reports.hotspots.heat import effective_reports, heat_index, peak, report_weights, span_periods
from reports.hotspots.requests_io import parse_line

FIXTURE = Path(__file__).parent.parent / "fixtures" / "hotspots_issues.jsonl"
SHANGHAI = ZoneInfo("Asia/Shanghai")
# Hottest first by construction: more residents, closer together.
PLANTED = ["meili", "lifa", "jingji", "chedai", "banqiao", "jingrong", "xiaochu"]
T0 = datetime(2019, 6, 3, 9, 0, tzinfo=SHANGHAI)


def _load() -> list[Message]:
    return [parse_line(line) for line in FIXTURE.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def messages() -> list[Message]:
    return _load()


@pytest.fixture(scope="module")
def issues(messages: list[Message]) -> list[Hotspot]:
    return find_issues(messages, config=IssueConfig())


def _members(messages: list[Message], key: str) -> set[str]:
    return {m.id for m in messages if m.id.startswith(f"{key}-")}


def test_the_planted_issues_are_the_seven_hottest_groups_in_heat_order(messages: list[Message], issues: list[Hotspot]) -> None:
    top = issues[: len(PLANTED)]

    assert [h.request_ids[0].split("-")[0] for h in top] == PLANTED
    assert [h.rank for h in top] == [1, 2, 3, 4, 5, 6, 7]
    assert all(a.score > b.score for a, b in itertools.pairwise(top))


def test_each_planted_issue_holds_only_its_own_requests_and_all_or_nearly_all_of_them(messages: list[Message], issues: list[Hotspot]) -> None:
    for key, hot in zip(PLANTED, issues, strict=False):
        planted = _members(messages, key)
        assert set(hot.request_ids) <= planted, key  # no decoy, no background request
        assert len(set(hot.request_ids)) >= 0.75 * len(planted), key
    assert {tuple(sorted(h.request_ids)) for h in issues[:6]} == {
        tuple(sorted(_members(messages, key))) for key in PLANTED[:6]
    }


def test_a_hot_issue_names_its_place_its_terms_and_its_span(messages: list[Message], issues: list[Hotspot]) -> None:
    top, times = issues[0], {m.id: m.time for m in messages}

    assert top.kind == "issue"
    assert top.place == "A市A5区魅力之城小区" and top.place_path == ("A市", "A5区", "魅力之城小区")
    assert {"油烟", "噪音"} <= set(top.terms) and 3 <= len(top.terms) <= 8
    assert top.title.startswith("A5区魅力之城小区 ") and top.title.split()[1:] == top.terms[:3]
    assert top.request_ids == sorted(top.request_ids, key=lambda i: times[i])
    assert (top.window_start, top.window_end) == (times[top.request_ids[0]], times[top.request_ids[-1]])
    assert top.count == 16
    assert issues[2].place == "A市经济学院"


def test_a_resident_repeating_a_request_counts_less_than_another_resident(issues: list[Hotspot]) -> None:
    jingrong = next(h for h in issues if h.request_ids[0].startswith("jingrong-"))

    assert jingrong.count == 5 and jingrong.writers == 4
    assert jingrong.reports == 4.25


def test_without_user_ids_near_copies_still_count_once_and_the_ranking_holds(messages: list[Message]) -> None:
    anonymous = [dataclasses.replace(m, user=None) for m in messages]

    issues = find_issues(anonymous, config=IssueConfig())

    assert [h.request_ids[0].split("-")[0] for h in issues[: len(PLANTED)]] == PLANTED
    assert issues[5].writers == 4  # the repeated text of r01 is recognised as one person's


def _message(number: int, title: str, body: str, days: float = 0.0) -> Message:
    return Message(f"m{number}", title, body, T0 + timedelta(days=days))


def test_the_same_problem_at_two_named_places_is_two_issues_not_one() -> None:
    messages = [
        _message(1, "A3区桂花园小区楼下餐馆油烟扰民", "桂花园小区楼下餐馆油烟直排，家里全是油烟味。"),
        _message(2, "A5区金色家园楼下餐馆油烟扰民", "金色家园楼下餐馆油烟直排，家里全是油烟味。", 2),
    ]

    assert find_issues(messages) == []


def test_requests_without_a_place_group_only_when_their_texts_are_very_similar() -> None:
    messages = [
        _message(1, "投诉快递柜超时收费", "快递柜超过十二小时就收费，快递员也不打电话通知。"),
        _message(2, "快递柜超时收费不合理", "快递柜超过十二小时就开始收费，快递员从不打电话通知。", 3),
        _message(3, "咨询医保报销比例", "想咨询在社区医院看病的医保报销比例是多少。", 4),
    ]

    issues = find_issues(messages)

    assert [sorted(h.request_ids) for h in issues] == [["m1", "m2"]]
    assert issues[0].place == "地点不详"


def test_min_size_one_puts_every_request_in_exactly_one_group(messages: list[Message]) -> None:
    issues = find_issues(messages, config=IssueConfig(min_size=1))

    ids = [i for h in issues for i in h.request_ids]
    assert sorted(ids) == sorted(m.id for m in messages)


def test_average_linkage_does_not_chain_a_to_c_through_b() -> None:
    sim = np.array([[1.0, 0.5, 0.0], [0.5, 1.0, 0.5], [0.0, 0.5, 1.0]])

    labels = average_link(sim, 0.4)

    assert len(set(labels)) == 2
    assert len(set(average_link(sim, 0.2))) == 1  # the mean of 0.5 and 0.0 reaches 0.2


def test_the_heat_index_matches_hand_computed_values() -> None:
    times = [T0, T0 + timedelta(days=60)]

    assert effective_reports(["a", "b", "a", "a"]) == 2.5
    assert span_periods(times) == 2.0 and span_periods([T0, T0]) == 1.0
    assert math.isclose(heat_index(reports=4, periods=2, placed=True), math.log(5) * (1 + 0.5 * math.log(3)))
    assert math.isclose(heat_index(reports=4, periods=2, placed=False), 0.9 * math.log(5) * (1 + 0.5 * math.log(3)))
    assert math.isclose(heat_index(reports=1, periods=1, placed=True, likes=9), math.log(2) * (1 + 0.5 * math.log(2))
                        + 0.1 * math.log(10))
    assert heat_index(reports=6, periods=1, placed=True) > heat_index(reports=6, periods=3, placed=True)


def test_the_heat_of_a_group_is_that_of_its_hottest_stretch_of_time() -> None:
    old = [T0 + timedelta(days=400 * i) for i in range(3)]  # three reports years apart
    flare = [T0 + timedelta(days=1200 + 8 * i) for i in range(7)]  # then seven in under two months
    weights = report_weights([f"p{i}" for i in range(10)])

    reports, periods = peak(old + flare, weights)

    assert (reports, periods) == (7.0, 1.6)
    assert peak(old, weights[:3]) == (3.0, 800 / 30)  # spread evenly: the whole span
    assert report_weights(["a", "b", "a"]) == [1.0, 1.0, 0.25]


def test_an_empty_input_gives_no_issue() -> None:
    assert find_issues([]) == []
