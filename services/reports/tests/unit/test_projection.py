"""The case-fact projection: duplicates and any delivery order give the same fact and rollups."""

from __future__ import annotations

import random
from collections import Counter

from reports.domain.facts import apply_event, from_doc, to_doc
from reports.domain.org import OrgIndex
from reports.domain.rollups import measures, rollup_delta
from reports.handlers import to_event


def lifecycle(story):
    s = story("c1")
    return [
        s.routed(0), s.scheduled(1, response_in=30, resolution_in=24 * 60),
        s.merged(5, "r-extra"), s.transition("accepted", 20), s.transition("progress", 60),
        s.transition("resolved", 120, resolution="换了水管"), s.feedback(130, satisfied=False, rating=2),
        s.transition("reopened", 131), s.transition("resolved", 300), s.feedback(310, satisfied=True, rating=5),
        s.transition("closed", 311, satisfied=True),
    ]


def project(envelopes):
    fact, total = None, Counter()
    for env in envelopes:
        new = apply_event(fact, to_event(env))
        if new is not None:
            for key, inc in rollup_delta(fact, new, OrgIndex()).items():
                if key.level == "community" and key.grain == "day":
                    total.update(inc)
            fact = new
    return fact, total


def test_a_full_lifecycle_gives_the_expected_fact(story):
    fact, _ = project(lifecycle(story))
    assert fact.status == "closed"
    assert fact.request_ids == ("r-c1", "r-extra")
    assert fact.first_response_at.isoformat() == "2026-11-02T01:20:00+00:00"
    assert fact.resolved_at.isoformat() == "2026-11-02T06:00:00+00:00"
    assert fact.reopen_count == 1 and fact.satisfied is True and fact.rating == 5
    assert fact.community_id == "qc-jh-jh" and fact.sub_category == "leak"
    m = measures(fact)
    assert m["closed"] == 1 and m["responded_in_sla"] == 1 and m["reopened"] == 1 and m["repeats"] == 1
    assert m["open"] == 0 and m["rt_sum"] == 20 * 60


def test_duplicates_and_any_order_give_the_same_fact_and_rollup_totals(story):
    expected, _ = project(lifecycle(story))
    for seed in range(60):
        rng = random.Random(seed)
        events = lifecycle(story)
        events += rng.sample(events, 4)  # redeliveries
        rng.shuffle(events)
        fact, totals = project(events)
        assert fact == expected, f"seed {seed}"
        assert +totals == measures(expected), f"seed {seed}: rollups drifted from the fact"


def test_a_redelivered_event_changes_nothing(story):
    s = story("c2")
    routed = s.routed(0)
    fact = apply_event(None, to_event(routed))
    assert apply_event(fact, to_event(routed)) is None


def test_events_about_no_case_are_ignored(story):
    s = story("c3")
    env = s.routed(0).model_copy(update={"type": "request.submitted.v1", "data": {"request_id": "r1"}})
    assert apply_event(None, to_event(env)) is None


def test_status_follows_the_latest_transition_not_the_last_delivered(story):
    s = story("c4")
    resolved, accepted = s.transition("resolved", 90), s.transition("accepted", 10)
    fact, _ = project([s.routed(0), resolved, accepted])
    assert fact.status == "resolved"
    assert fact.first_response_at.isoformat().startswith("2026-11-02T01:10")


def test_a_fact_survives_the_storage_round_trip(story):
    fact, _ = project(lifecycle(story))
    again = from_doc(to_doc(fact))
    assert again == fact and again.applied_events == fact.applied_events and again.version == fact.version


def test_events_before_routing_count_once_routing_arrives(story):
    s = story("c5")
    accepted = s.transition("accepted", 10)
    fact, totals = project([accepted])
    assert not +totals
    fact, totals = project([accepted, s.routed(0)])
    assert totals["cases"] == 1 and totals["responded"] == 1
