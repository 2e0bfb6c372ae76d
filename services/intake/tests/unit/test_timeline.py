"""The timeline domain: plain-Chinese labels, idempotence, out-of-order events, actions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from intake.domain import actions
from intake.domain.model import IntakeRequest, TimelineEntry, mask_name, mask_phone, tracking_code
from intake.domain.timeline import apply_case_event

T0 = datetime(2026, 11, 21, 1, 0, tzinfo=UTC)


def fresh() -> IntakeRequest:
    return IntakeRequest(id="r1", tracking_code="WS", token_hash="h", channel="api", compound_id="c",
                         community_id="m", street_id=None, district_id=None, grid_id=None, text="t",
                         submitted_at=T0, status_at=T0, timeline=[TimelineEntry(T0, "submitted", "已受理")])


def apply(req, eid, etype, minutes, **data):
    return apply_case_event(req, event_id=eid, event_type=etype, data={"case_id": "k", **data},
                            occurred_at=T0 + timedelta(minutes=minutes))


def test_events_arriving_out_of_order_leave_the_latest_status_and_a_sorted_timeline():
    req = fresh()
    assert apply(req, "e2", "case.accepted.v1", 2)
    assert apply(req, "e1", "case.routed.v1", 1, units=[{"name": "东桥物业管理站"}])
    assert req.status == "in_progress"
    assert [t.label for t in req.timeline] == ["已受理", "已分派", "处理中"]
    assert req.unit_name == "东桥物业管理站"


def test_the_same_event_twice_changes_nothing_the_second_time():
    req = fresh()
    assert apply(req, "e1", "case.resolved.v1", 5, resolution="已修复")
    assert not apply(req, "e1", "case.resolved.v1", 5, resolution="已修复")
    assert [t.label for t in req.timeline] == ["已受理", "已办结"]
    assert req.timeline[-1].note == "已修复"


def test_closed_is_terminal_and_sets_closed_at():
    req = fresh()
    assert apply(req, "e1", "case.closed.v1", 9)
    assert req.closed_at == T0 + timedelta(minutes=9)
    assert not apply(req, "e2", "case.progress.v1", 10, reason="x")


def test_rating_needs_resolution_and_happens_once():
    req = fresh()
    with pytest.raises(actions.ActionRefused):
        actions.rate(req, satisfied=True, rating=5, comment=None, now=T0)
    apply(req, "e1", "case.resolved.v1", 3)
    actions.rate(req, satisfied=False, rating=2, comment="没修好", now=T0 + timedelta(minutes=4))
    with pytest.raises(actions.ActionRefused):
        actions.rate(req, satisfied=True, rating=5, comment=None, now=T0)
    apply(req, "e2", "case.reopened.v1", 6)
    assert req.feedback is None and req.status == "in_progress"


def test_cancel_only_while_open():
    req = fresh()
    actions.cancel(req, reason=None, now=T0 + timedelta(minutes=1))
    assert (req.status, req.closed_at) == ("cancelled", T0 + timedelta(minutes=1))
    with pytest.raises(actions.ActionRefused):
        actions.cancel(req, reason=None, now=T0)


def test_masks_and_tracking_code():
    assert mask_phone("13812341234") == "138****1234"
    assert mask_name("王芳") == "王*"
    assert tracking_code(datetime(2026, 11, 21, 17, 0, tzinfo=UTC), 123) == "WS-20261122-000123"
