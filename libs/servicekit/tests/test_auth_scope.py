"""The scope rule on organisation paths and the org index built from the demo organisation file."""

from pathlib import Path

import pytest

from servicekit.auth import Principal, Role, in_scope, narrow
from servicekit.auth.orgindex import OrgIndex, ScopeInvalid

ORG_FILE = Path(__file__).resolve().parents[3] / "deploy" / "demo" / "org.yaml"
GRID = ("qc", "qc-jh", "qc-jh-jh", "qc-jh-jh-hy", "g-jh-jh-hy-1")
OTHER_GRID = ("qc", "qc-jh", "qc-jh-jh", "qc-jh-jh-hy", "g-jh-jh-hy-2")
OTHER_STREET = ("qc", "qc-sl", "qc-sl-sl", "qc-sl-sl-ms", "g-sl-sl-ms-1")


@pytest.fixture(scope="module")
def org() -> OrgIndex:
    return OrgIndex.from_file(ORG_FILE)


def who(role: Role, *scope: str, dept: str | None = None) -> Principal:
    return Principal(subject=f"{role}-x", role=role, scope=tuple(scope), dept_code=dept)


@pytest.mark.parametrize(("principal", "place", "expected"), [
    (who(Role.GRID_WORKER, *GRID), GRID, True),
    (who(Role.GRID_WORKER, *GRID), OTHER_GRID, False),
    (who(Role.GRID_WORKER, *GRID), GRID[:4], False),  # a compound-level record is above the grid
    (who(Role.COMMUNITY_STAFF, *GRID[:3]), OTHER_GRID, True),
    (who(Role.COMMUNITY_SECRETARY, *GRID[:3]), OTHER_STREET, False),
    (who(Role.STREET_STAFF, *GRID[:2]), GRID[:3], True),
    (who(Role.STREET_STAFF, *GRID[:2]), OTHER_STREET, False),
    (who(Role.DISTRICT_OPERATOR, "qc"), OTHER_STREET, True),
    (who(Role.DISTRICT_OPERATOR, "qx"), OTHER_STREET, False),
    (who(Role.STREET_STAFF, "qx", "qc-jh"), GRID, False),  # same node id under another ancestry
    (who(Role.PLATFORM_ADMIN), (), True),
    (who(Role.DEPARTMENT_SYSTEM, dept="huanwei"), GRID, False),
    (who(Role.STREET_STAFF), GRID, False),  # a scoped role without a scope sees nothing
])
def test_in_scope_follows_the_org_path(principal: Principal, place: tuple[str, ...], expected: bool) -> None:
    assert in_scope(principal, place) is expected


def test_narrow_keeps_a_node_inside_and_shrinks_one_above_to_the_callers_scope() -> None:
    street = who(Role.STREET_STAFF, "qc", "qc-jh")
    assert narrow(street, ("qc", "qc-jh", "qc-jh-jh")) == ("qc", "qc-jh", "qc-jh-jh")
    assert narrow(street, ("qc",)) == ("qc", "qc-jh")
    assert narrow(street, ("qc", "qc-sl")) is None
    assert narrow(who(Role.DEPARTMENT_SYSTEM, dept="x"), ()) is None
    assert narrow(who(Role.PLATFORM_ADMIN), ("qc",)) == ("qc",)


def test_the_org_index_knows_paths_units_and_grids(org: OrgIndex) -> None:
    assert org.district_id == "qc"
    assert org.path("qc-jh-jh-hy") == GRID[:4]
    assert org.unit_path("u-g-jh-jh-hy-2") == OTHER_GRID
    assert org.unit_path("u-jh-centre") == ("qc", "qc-jh")
    assert org.unit_path("dept:huanwei") is None
    assert "huanwei" in org.departments
    assert org.place(community_id="qc-jh-jh", compound_id="qc-jh-jh-hy", building="6号楼") == OTHER_GRID
    assert org.place(community_id="qc-jh-jh", compound_id="qc-jh-jh-hy", grid_id="g-jh-jh-hy-2") == OTHER_GRID
    assert org.place(community_id="qc-jh-jh", compound_id="qc-jh-jh-hy") == GRID  # the first grid
    assert org.place(community_id="qc-jh-jh", compound_id="qc-sl-sl-ms") == GRID[:3]  # not in that community
    assert org.place(community_id="nowhere") == ()
    assert org.place(community_id="qc-jh") == ()  # a street is not a community


def test_scope_for_checks_the_level_of_the_node(org: OrgIndex) -> None:
    assert org.scope_for(Role.STREET_STAFF, "qc-jh") == ("qc", "qc-jh")
    assert org.scope_for(Role.PLATFORM_ADMIN, None) == ()
    with pytest.raises(ScopeInvalid, match="needs a grid"):
        org.scope_for(Role.GRID_WORKER, "qc-jh-jh")
    with pytest.raises(ScopeInvalid, match="not in the organisation"):
        org.scope_for(Role.DISTRICT_OPERATOR, "elsewhere")


def test_the_communities_a_scope_covers(org: OrgIndex) -> None:
    assert set(org.nodes_at("community", ("qc", "qc-jh"))) == {"qc-jh-jh", "qc-jh-xh"}
    assert org.nodes_at("community", GRID) == ("qc-jh-jh",)  # a grid lies in one community
    assert len(org.nodes_at("community")) == 5 and org.nodes_at("community", ("qc", "nowhere")) == ()
