"""The policy book: shipped defaults, most-specific-wins lookup, and file validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from notifier.adapters.policy_files import PolicyFileError, load_policy_book, parse_policy_book
from notifier.domain.calendar import Mode
from notifier.domain.sla import Duration, PolicyBook, PolicyRule, Scope, SlaPolicy

OVERRIDES = """\
policies:
  standard: {response: 24 hours, resolution: 5 working days}
  leak: {response: 30 minutes, resolution: 3 working days}
  leak-d1: {response: 20 minutes, resolution: 2 working days}
  leak-c7: {response: 15 minutes, resolution: 1 working day, reminders_at: [0.9]}
  d1: {response: 12 hours, resolution: 4 working days}
  t3: {response: 24 hours, resolution: 5 working days}
rules:
  - {match: {}, policy: standard}
  - {match: {sub_category: leak}, policy: leak}
  - {match: {district_id: d1, sub_category: leak}, policy: leak-d1}
  - {match: {community_id: c7, sub_category: leak}, policy: leak-c7}
  - {match: {district_id: d1}, policy: d1}
  - {match: {tier: 3}, policy: t3}
"""


def lookup(book: PolicyBook, **case: object) -> str:
    query = {"category_class": None, "sub_category": None, "tier": 1, "district_id": None, "community_id": None}
    return book.policy_for(**{**query, **case}).name  # type: ignore[arg-type]


@pytest.fixture
def book(tmp_path: Path) -> PolicyBook:
    path = tmp_path / "policies.yaml"
    path.write_text(OVERRIDES, encoding="utf-8")
    return load_policy_book(path)


def test_the_shipped_defaults_follow_the_field() -> None:
    book = load_policy_book()
    leak = book.policy_for(category_class="dispute", sub_category="leak", tier=1, district_id="d", community_id="c")
    assert (str(leak.response), leak.response.mode) == ("30 minutes", Mode.CALENDAR)
    assert lookup(book, category_class="livelihood", sub_category="sanitation") == "sanitation-urgent"
    assert lookup(book, category_class="safety", sub_category="fire") == "safety-hazard"
    assert lookup(book, category_class="livelihood", sub_category="policy") == "policy-question"
    assert lookup(book, category_class="dispute", sub_category="noise") == "standard"
    assert lookup(book, category_class="dispute", sub_category="leak", tier=3) == "tier3-secretary"
    assert lookup(book, category_class="dispute", sub_category="noise", tier=4) == "tier4-street"
    assert lookup(book, category_class="safety", sub_category="fire", tier=4) == "safety-escalated"
    assert str(book.policy_named("tier4-street").response) == "2 working days"
    assert book.policy_named("tier4-street").reminders_at == (0.5, 0.8)


def test_community_beats_district_beats_default_for_the_same_category(book: PolicyBook) -> None:
    assert lookup(book, sub_category="leak") == "leak"
    assert lookup(book, sub_category="leak", district_id="d1") == "leak-d1"
    assert lookup(book, sub_category="leak", district_id="d1", community_id="c7") == "leak-c7"
    assert lookup(book, sub_category="leak", district_id="d2", community_id="c8") == "leak"
    assert book.policy_named("leak-c7").reminders_at == (0.9,)


def test_a_place_override_does_not_loosen_a_more_specific_category_rule(book: PolicyBook) -> None:
    assert lookup(book, sub_category="noise", district_id="d1") == "d1"
    assert lookup(book, sub_category="leak", district_id="d1") == "leak-d1"
    assert lookup(book, sub_category="leak", district_id="d9") == "leak"


def test_tier_is_more_specific_than_category(book: PolicyBook) -> None:
    assert lookup(book, sub_category="leak", district_id="d1", tier=3) == "t3"


def test_a_book_needs_a_default_rule_and_unique_scopes() -> None:
    policy = SlaPolicy("p", Duration.parse("1 hour"), Duration.parse("1 day"))
    with pytest.raises(ValueError, match="no default rule"):
        PolicyBook([PolicyRule(Scope(tier=3), policy)])
    with pytest.raises(ValueError, match="same scope"):
        PolicyBook([PolicyRule(Scope(), policy), PolicyRule(Scope(tier=3), policy), PolicyRule(Scope(tier=3), policy)])


BAD = [
    ("rules: []\npolicies: {}\n", "rules"),
    ("polices: {}\n", "polices"),
    ("policies:\n  a: {response: soon, resolution: 1 day}\nrules: [{policy: a}]\n", "policies.a.response"),
    ("policies:\n  a: {response: 1 hour}\nrules: [{policy: a}]\n", "policies.a.resolution"),
    ("policies:\n  a: {response: 1 hour, resolution: 1 day, remind: [0.5]}\nrules: [{policy: a}]\n",
     "policies.a.remind"),
    ("policies:\n  a: {response: 1 hour, resolution: 1 day, reminders_at: [0.8, 0.5]}\nrules: [{policy: a}]\n",
     "policies.a.reminders_at"),
    ("policies:\n  a: {response: 1 hour, resolution: 1 day}\nrules: [{policy: b}]\n", "rules[0].policy"),
    ("policies:\n  a: {response: 1 hour, resolution: 1 day}\nrules: [{policy: a}, {match: {tier: 5}, policy: a}]\n",
     "rules[1].match.tier"),
    ("policies:\n  a: {response: 1 hour, resolution: 1 day}\n"
     "rules: [{policy: a}, {match: {sub_category: 漏水}, policy: a}]\n", "rules[1].match.sub_category"),
    ("policies:\n  a: {response: 1 hour, resolution: 1 day}\n"
     "rules: [{policy: a}, {match: {category_class: safety, sub_category: leak}, policy: a}]\n",
     "rules[1].match.sub_category"),
    ("policies:\n  a: {response: 1 hour, resolution: 1 day}\n"
     "rules: [{policy: a}, {match: {district: d1}, policy: a}]\n", "rules[1].match.district"),
    ("policies:\n  a: {response: 1 hour, resolution: 1 day}\nrules: [{match: {tier: 3}, policy: a}]\n", "rules"),
    ("policies:\n  a: {response: 1 hour, resolution: 1 day}\nrules: [{policy: a}, {policy: a}]\n", "rules"),
]


@pytest.mark.parametrize(("text", "field"), BAD)
def test_a_bad_policy_file_is_rejected_naming_the_file_and_field(tmp_path: Path, text: str, field: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PolicyFileError) as error:
        load_policy_book(path)
    assert str(error.value).startswith(f"{path}: {field}:")


def test_parse_policy_book_accepts_inline_data() -> None:
    data = {"policies": {"a": {"response": "1 hour", "resolution": "1 day"}}, "rules": [{"policy": "a"}]}
    assert parse_policy_book(data, source="inline").policy_named("a").resolution.mode is Mode.CALENDAR
