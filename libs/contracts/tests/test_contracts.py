"""Contract tests: committed schemas are current, envelopes round-trip, routing keys are versioned."""

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from contracts import schema
from contracts.envelope import Envelope, new_event
from contracts.events.cases import WhistleIssued
from contracts.events.common import CategoryRef, Place
from contracts.events.intake import RequestSubmitted
from contracts.registry import EVENT_MODELS, UnknownEventType, model_for, routing_key
from contracts.topology import Topology

NOW = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)


def submitted() -> RequestSubmitted:
    return RequestSubmitted(
        request_id="r1", tracking_code="WS-20261121-000001", channel="api",
        place=Place(community_id="c1"), text="楼上漏水", submitted_at=NOW,
    )


def test_committed_json_schemas_match_the_models():
    assert schema.main(["--check"]) == 0, "a contract changed without `make schemas`"


def test_every_event_type_is_versioned_and_unique():
    types = [m.event_type for m in EVENT_MODELS]
    assert len(types) == len(set(types))
    assert all(t.endswith(".v1") for t in types)


def test_envelope_round_trips_through_json_and_validates_its_payload():
    env = new_event(submitted(), source="/whistle/intake", subject="r1", now=NOW)
    again = Envelope.model_validate_json(env.model_dump_json())
    assert again == env
    assert again.payload() == submitted()
    assert again.correlationid == env.id and again.causationid is None


def test_caused_event_carries_correlation_and_causation():
    first = new_event(submitted(), source="/whistle/intake", subject="r1", now=NOW)
    second = new_event(submitted(), source="/whistle/router", subject="c1", now=NOW, cause=first)
    assert second.correlationid == first.id
    assert second.causationid == first.id


def test_unknown_type_and_bad_payload_are_rejected():
    with pytest.raises(UnknownEventType):
        model_for("request.exploded.v1")
    env = Envelope(id="x", source="s", type="request.submitted.v1", time=NOW, data={"request_id": 3})
    with pytest.raises(ValidationError):
        env.payload()


def test_naive_time_is_rejected():
    with pytest.raises(ValidationError):
        Envelope(id="x", source="s", type="t.v1", time=datetime(2026, 1, 1), data={})


def test_whistles_route_per_department():
    data = WhistleIssued(
        case_id="c", dept_code="chengguan", dept_name="城管", category=CategoryRef(class_code="safety"),
        place=Place(community_id="c1"), summary="占道", tier=3, issued_at=NOW,
    )
    env = new_event(data, source="/whistle/router", subject="c", now=NOW)
    assert routing_key(env) == "whistle.chengguan.v1"
    assert routing_key(new_event(submitted(), source="s", subject=None, now=NOW)) == "request.submitted.v1"


def test_topology_queues_are_quorum_with_delivery_limit_and_dead_letter():
    topo = Topology(prefix="t1", delivery_limit=3)
    args = topo.queue_arguments("router.requests")
    assert args["x-queue-type"] == "quorum"
    assert args["x-delivery-limit"] == 3
    assert args["x-dead-letter-exchange"] == "t1.dlx"
    assert topo.queue_name("router.requests") == "t1.router.requests"
