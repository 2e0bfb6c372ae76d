"""Organisation and rules files: validation errors name the file, the line and the field."""

from __future__ import annotations

import pytest

from router.adapters.org_file import parse_org
from router.adapters.rules_file import load_rules, parse_rules
from router.adapters.yaml_files import FileInvalid

from ..conftest import ORG_FILE

ORG = """version: 2
district:
  id: d1
  name: 测试区
  streets:
    - id: s1
      name: 测试街道
      centre: {id: u-c, name: 中心}
      communities:
        - id: c1
          name: 一社区
          secretary: {id: u-s, name: 书记}
          cadres: [{id: u-k, name: 干部}]
          compounds:
            - id: p1
              name: 小区
              grids:
                - {id: g1, name: 网格, worker: {id: u-w, name: 网格员}}
departments:
  - {code: huanwei, name: 环卫所, handles: [sanitation]}
"""


def test_a_valid_organisation_loads_with_its_lookups():
    org = parse_org(ORG, name="org.yaml")
    assert org.version == "2" and org.compounds["p1"][0].community_id == "c1"
    assert [d.code for d in org.departments_handling("sanitation")] == ["huanwei"]


@pytest.mark.parametrize(("broken", "expected"), [
    (ORG.replace("          name: 一社区\n", ""), "org.yaml:10: district.streets.0.communities.0.name: Field required"),
    (ORG.replace("cadres: [{id: u-k, name: 干部}]", "cadres: []"), "org.yaml:13: district.streets.0.communities.0.cadres"),
    (ORG.replace("handles: [sanitation]", "handles: [rubbish]"), "org.yaml:20: departments.0.handles.0: unknown"),
    (ORG.replace("id: p1", "id: c1"), "org.yaml:15: district.streets.0.communities.0.compounds.0.id: duplicate id"),
    (ORG.replace("worker: {id: u-w, name: 网格员}", "worker: {id: u-w, nam: 网格员}"),
     "org.yaml:18: district.streets.0.communities.0.compounds.0.grids.0.worker.name"),
    ("district: [unclosed", "org.yaml:1: not valid YAML"),
])
def test_organisation_errors_name_file_line_and_field(broken, expected):
    with pytest.raises(FileInvalid) as caught:
        parse_org(broken, name="org.yaml")
    assert any(e.startswith(expected) for e in caught.value.errors), caught.value.errors


def test_the_demo_organisation_and_default_rules_are_valid():
    from router.adapters.org_file import load_org

    org = load_org(ORG_FILE)
    rules = load_rules(None, dept_codes=set(org.departments))
    assert len(org.communities) == 5 and rules.emergency is not None


# Line numbers count the five class lines that come first.
RULES_ERRORS = [
    ("sub_categories:\n  leak: {tier: 5, units: [grid_worker], sla_policy: x}\n", "rules.yaml:7: sub_categories.leak.tier"),
    ("sub_categories:\n  leak: {tier: 1, units: [janitor], sla_policy: x}\n", "rules.yaml:7: sub_categories.leak.units.0"),
    ("sub_categories:\n  lake: {tier: 1, units: [cadre], sla_policy: x}\n", "rules.yaml:7: sub_categories.lake: unknown"),
    ("overrides:\n  - match: {town: x}\n    set: {tier: 2}\n", "rules.yaml:7: overrides.0.match"),
    ("overrides:\n  - match: {community_id: c1}\n    set: {departments: [nobody]}\n",
     "rules.yaml:8: overrides.0.set.departments: unknown department"),
]
CLASSES = ("classes:\n" + "".join(f"  {c}: {{tier: 1, units: [cadre], sla_policy: standard}}\n"
                                  for c in ("dispute", "safety", "livelihood", "development")))


@pytest.mark.parametrize(("tail", "expected"), RULES_ERRORS)
def test_rules_errors_name_file_line_and_field(tail, expected):
    with pytest.raises(FileInvalid) as caught:
        parse_rules(CLASSES + tail, name="rules.yaml", dept_codes={"huanwei"})
    assert any(e.startswith(expected) for e in caught.value.errors), caught.value.errors


def test_a_rules_file_missing_a_class_is_refused():
    with pytest.raises(FileInvalid, match="class 'development' has no rule"):
        parse_rules(CLASSES.replace("  development: {tier: 1, units: [cadre], sla_policy: standard}\n", ""),
                    name="rules.yaml")
