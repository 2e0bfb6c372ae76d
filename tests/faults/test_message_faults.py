"""Duplicates and poison: events delivered twice change nothing; unreadable or crashing ones are dead-lettered."""

from __future__ import annotations

from collections import Counter

import pytest
from faultkit.config import Sizes
from faultkit.faults import crash_consumers_before_ack, publish_poison, replay_everything
from faultkit.messages import Poison
from faultkit.rig import Rig
from faultkit.scenario import run_scenario

pytestmark = [pytest.mark.faults, pytest.mark.rabbitmq, pytest.mark.timeout(1800)]


async def test_events_redelivered_after_a_crash_and_published_twice_have_their_effect_once(
        rig: Rig, fault_sizes: Sizes):
    outcome = await run_scenario(rig, "duplicate_delivery", crash_consumers_before_ack, fault_sizes,
                                 after_load=replay_everything)
    assert outcome.extra["unacked_at_kill"], "the consumers held no unacknowledged delivery when killed"
    assert outcome.extra["replayed"] >= outcome.verdict.accepted * 3, "too few events were published twice"
    outcome.assert_clean()


async def test_poison_messages_are_dead_lettered_and_everything_else_flows(rig: Rig, fault_sizes: Sizes):
    sent: list[Poison] = []
    outcome = await run_scenario(rig, "poison_message", publish_poison(sent), fault_sizes, poisons=sent)
    dead = outcome.dead_letters
    got = Counter((message_id, queue) for message_id, queue, _ in dead)
    required = {(p.message_id, q) for p in sent for q in p.required}
    allowed = required | {(p.message_id, q) for p in sent for q in p.optional}
    assert required <= set(got), f"not dead-lettered: {required - set(got)}"
    assert set(got) <= allowed, f"dead-lettered though not poison: {set(got) - allowed}"
    assert max(got.values()) == 1, "a message was dead-lettered twice from the same queue"
    crash = next(p for p in sent if p.crashes)
    reasons = [reason for message_id, queue, reason in dead if message_id == crash.message_id and queue in crash.required]
    assert not reasons[0].startswith("unreadable"), f"the crashing event was refused as unreadable: {reasons}"
    outcome.assert_clean(dead_letters=len(dead))
