"""The fault kit's own pure parts: topic matching, which queues a poison reaches, the results table."""

from __future__ import annotations

import json

from faultkit.checks import Verdict, count_reports
from faultkit.messages import bound_queues, poison_set, topic_match
from faultkit.results import record, table
from faultkit.rig import summary_total

from contracts.topology import Topology


def test_topic_patterns_match_like_rabbitmq():
    assert topic_match("case.*.v1", "case.routed.v1")
    assert not topic_match("case.*.v1", "case.routed.extra.v1")
    assert topic_match("#", "whistle.xiaofang.v1")
    assert topic_match("dept.case.*.v1", "dept.case.accepted.v1")
    assert not topic_match("request.submitted.v1", "request.cancelled.v1")


def test_a_submitted_request_reaches_the_router_and_reports_only():
    queues = bound_queues(Topology(prefix="p"), "request.submitted.v1")
    assert queues == {"p.router.requests", "p.reports.events"}


def test_the_poison_set_has_malformed_messages_and_one_that_crashes_the_notifier():
    poisons = poison_set("p")
    crash = [p for p in poisons if p.crashes]
    assert len(crash) == 1 and crash[0].required == {"p.notifier.cases"}
    assert all(p.required for p in poisons)
    assert json.loads(crash[0].body)["data"]["routed_at"].startswith("9999-12-31")


def test_reports_counting_too_few_is_loss_and_too_many_is_duplication():
    fewer, more = Verdict(), Verdict()
    count_reports(8, 10, fewer)
    count_reports(11, 10, more)
    assert (len(fewer.lost), len(fewer.duplicated)) == (2, 0)
    assert (len(more.lost), len(more.duplicated)) == (0, 1)


def test_the_summary_total_is_read_from_either_shape():
    assert summary_total({"total": 3}) == 3
    assert summary_total({"totals": {"cases": 5}}) == 5


def test_results_are_written_as_a_list_and_printed_as_a_table(tmp_path):
    path, session = tmp_path / "latest.json", []
    record({"scenario": "kill_router", "store": "sqlite", "accepted": 10, "lost": 0, "recovery_s": 1.25}, path, session)
    record({"scenario": "kill_router", "store": "sqlite", "accepted": 12, "lost": 0, "recovery_s": 2.0}, path, session)
    rows = json.loads(path.read_text(encoding="utf-8"))
    assert [r["accepted"] for r in rows] == [12]
    assert "kill_router" in table(rows) and "2.0" in table(rows)
