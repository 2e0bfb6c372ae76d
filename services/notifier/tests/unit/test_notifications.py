"""Notification helpers: retry backoff, masked addresses, endpoint validation, message texts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from notifier.domain import messages
from notifier.domain.directory import Community, Directory
from notifier.domain.notifications import Endpoint, backoff, mask


def test_retries_back_off_exponentially_up_to_the_cap():
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert backoff(20) == timedelta(hours=1)


def test_addresses_are_masked_in_records():
    assert mask("13812345678") == "138****5678"
    assert mask("wang@example.org") == "w***@example.org"
    assert mask("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=secret") == "qyapi.weixin.qq.com"


def test_an_unknown_channel_is_refused():
    with pytest.raises(ValueError, match="unknown channel"):
        Endpoint("fax", "123")


def test_breaches_go_to_the_secretary_up_to_tier_two_and_to_the_street_centre_above():
    directory = Directory(communities={"c": Community("c", secretary="sec", staff=("g1", "sec"), street_centre="sc")})
    assert directory.supervisor_of("c", 2) == "sec" and directory.supervisor_of("c", 3) == "sc"
    assert directory.staff_of("c") == ("sec", "g1")
    assert directory.supervisor_of("unknown", 1) is None


def test_texts_show_shanghai_time_and_the_return_visit_question():
    warning = messages.sla_warning(case_id="c1", deadline="response", due_at=datetime(2025, 3, 3, 2, 30, tzinfo=UTC),
                                   fraction=0.8)
    assert "03月03日 10:30" in warning.text and "80%" in warning.text and "响应" in warning.title
    visit = messages.resident_update("case.resolved.v1", ref="WS-123")
    assert visit is not None and visit.template == "case.return_visit" and "满意" in visit.text
    assert messages.resident_update("case.progress.v1", ref="x") is None
