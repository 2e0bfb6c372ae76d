"""Keyword rules, the rule set with overrides and emergency path, and unit selection — table-driven."""

from __future__ import annotations

import pytest

from router.domain.classification import by_hint_and_rules, from_model_label
from router.domain.routing import UnknownPlace, decide_route

CLASSIFY = [
    ("楼上卫生间漏水，我家天花板一直往下滴水", None, None, ("dispute", "leak", "rule")),
    ("晚上十一点还有人跳广场舞，音响声音特别大，严重扰民", None, None, ("dispute", "noise", "rule")),
    ("楼下烧烤店油烟直冲我家窗户，呛得没法开窗", None, None, ("dispute", "fumes", "rule")),
    ("3号楼楼道里有人给电动车飞线充电，很危险", None, None, ("safety", "fire", "rule")),
    ("电梯又坏了，早上有老人被困在里面半小时", None, None, ("safety", "elevator", "rule")),
    ("接到自称公安的电话让我转账到安全账户，怀疑是诈骗", None, None, ("safety", "fraud", "rule")),
    ("垃圾桶三天没人清运，臭气熏天还有老鼠", None, None, ("livelihood", "sanitation", "rule")),
    ("小区门口长期有僵尸车占道，进出很不方便", None, None, ("livelihood", "parking", "rule")),
    ("想咨询一下退休后医保报销比例是多少", None, None, ("livelihood", "social_security", "rule")),
    ("办理食品经营许可需要准备哪些材料", None, None, ("development", "licence", "rule")),
    # the resident's own sub-category wins over words
    ("楼上漏水", "safety", "fire", ("safety", "fire", "resident")),
    # a class hint restricts the keyword search to that class
    ("路灯不亮，晚上回家很黑，担心有安全问题", "livelihood", None, ("livelihood", "greening", "rule")),
    # an unknown hint code is ignored
    ("楼上漏水", "nonsense", "nonsense", ("dispute", "leak", "rule")),
]


@pytest.mark.parametrize(("text", "hint_class", "hint_sub", "expected"), CLASSIFY)
def test_keyword_rules_pick_class_and_sub_category(text, hint_class, hint_sub, expected):
    decided = by_hint_and_rules(text, hint_class, hint_sub)
    assert decided is not None
    assert (decided.class_code, decided.sub_category, decided.classified_by) == expected


def test_text_without_any_known_word_is_left_undecided():
    assert by_hint_and_rules("你好，请问一下这个事情怎么弄", None, None) is None


def test_a_class_hint_that_contradicts_every_word_leaves_the_case_undecided():
    assert by_hint_and_rules("楼上漏水", "development", None) is None


@pytest.mark.parametrize(("label", "expected"), [
    ("安全隐患/消防", ("safety", "fire")),
    ("民生咨询/社保医保", ("livelihood", "social_security")),
    ("矛盾纠纷", ("dispute", None)),
    ("矛盾纠纷/消防", ("dispute", None)),  # a sub-category of another class is dropped
    ("城乡建设", None),
])
def test_model_labels_map_to_codes(label, expected):
    decided = from_model_label(label, 0.9)
    assert (None if decided is None else (decided.class_code, decided.sub_category)) == expected


ROUTES = [
    # facts, emergency → tier, first unit kinds, departments, callback, sla policy
    ({"sub_category": "leak", "community_id": "qc-jh-jh"}, False, (1, ("grid_worker", "property"), (), False, "leak-urgent")),
    ({"sub_category": "leak", "community_id": "qc-jh-xh"}, False, (2, ("cadre", "grid_worker"), (), False, "leak-urgent")),
    ({"sub_category": "fire", "community_id": "qc-jh-jh"}, False,
     (3, ("secretary", "grid_worker"), ("xiaofang",), True, "safety-hazard")),
    ({"sub_category": "social_security", "community_id": "qc-sl-sl"}, False,
     (2, ("cadre",), ("minzheng", "renshe"), True, "policy-question")),
    ({"sub_category": "parking", "community_id": "qc-jh-jh", "street_id": "qc-jh"}, False,
     (1, ("grid_worker", "property"), (), False, "standard")),
    ({"sub_category": "parking", "community_id": "qc-sl-sl", "street_id": "qc-sl"}, False,
     (1, ("grid_worker", "property"), ("chengguan",), False, "standard")),
    ({"sub_category": "noise", "community_id": "qc-jh-jh"}, True,
     (3, ("secretary", "police"), ("chengguan",), True, "safety-hazard")),
    ({"class_code": "development", "sub_category": None, "community_id": "qc-jh-jh"}, False,
     (2, ("cadre",), (), True, "policy-question")),
]


@pytest.mark.parametrize(("facts", "emergency", "expected"), ROUTES)
def test_rules_and_overrides_decide_tier_units_and_departments(org, rules, facts, emergency, expected):
    tier, kinds, depts, callback, sla = expected
    rule = rules.rule_for(facts, emergency=emergency)
    place = {"community_id": facts["community_id"], "compound_id": None}
    compound = next(iter(org.communities[facts["community_id"]].compounds))
    place["compound_id"] = compound.compound_id
    decision = decide_route(org, rule, place, facts.get("sub_category"))
    assert decision.tier == tier
    assert tuple(u.kind for u in decision.units[: len(kinds)]) == kinds
    assert tuple(d.code for d in decision.departments) == depts
    assert (decision.callback, decision.sla_policy) == (callback, sla)


def test_the_grid_worker_is_the_one_covering_the_building(org, rules):
    rule = rules.rule_for({"sub_category": "leak"})
    first = decide_route(org, rule, {"community_id": "qc-jh-jh", "compound_id": "qc-jh-jh-hy", "building": "2"}, "leak")
    second = decide_route(org, rule, {"community_id": "qc-jh-jh", "compound_id": "qc-jh-jh-hy", "building": "6"}, "leak")
    assert first.units[0].unit_id == "u-g-jh-jh-hy-1"
    assert second.units[0].unit_id == "u-g-jh-jh-hy-2"


def test_a_compound_without_property_company_still_gets_its_grid_worker(org, rules):
    rule = rules.rule_for({"sub_category": "sanitation"})
    decision = decide_route(org, rule, {"community_id": "qc-jh-xh", "compound_id": "qc-jh-xh-lc"}, "sanitation")
    assert [u.unit_id for u in decision.units] == ["u-g-jh-xh-lc-1"]


def test_an_unknown_community_is_refused(org, rules):
    with pytest.raises(UnknownPlace):
        decide_route(org, rules.rule_for({"sub_category": "leak"}), {"community_id": "nowhere"}, "leak")


def test_emergency_words_are_found(rules):
    assert rules.is_emergency("3楼厨房着火了，楼道全是烟") == ["着火"]
    assert rules.is_emergency("楼道灯坏了") == []
