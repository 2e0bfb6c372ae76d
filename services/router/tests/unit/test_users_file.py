"""The users file behind the router's token endpoint, and the generated dev users."""

import pytest

from router.adapters.org_paths import org_index
from router.adapters.users_file import dev_users, parse_users
from router.adapters.yaml_files import FileInvalid
from servicekit.auth.passwords import hash_password
from servicekit.auth.roles import Role

HASH = hash_password("s3cret-长城")


def test_users_are_checked_against_the_organisation(org) -> None:
    text = f"""
users:
  - {{username: wang, role: community_secretary, scope: qc-jh-jh, name: 王建华, password_hash: "{HASH}"}}
  - {{username: hw, role: department_system, dept: huanwei, password_hash: "{HASH}"}}
  - {{username: root, role: platform_admin, password_hash: "{HASH}"}}
"""
    users = parse_users(text, name="users.yaml", index=org_index(org))
    assert users["wang"].principal.scope == ("qc", "qc-jh", "qc-jh-jh")
    assert users["hw"].principal.dept_code == "huanwei" and users["hw"].principal.scope == ()
    assert users["root"].principal.role is Role.PLATFORM_ADMIN


def test_every_problem_is_named_with_its_line(org) -> None:
    text = f"""users:
  - {{username: a, role: grid_worker, scope: qc-jh-jh, password_hash: "{HASH}"}}
  - {{username: b, role: street_staff, scope: qc-jh, password_hash: "plain-text-password-oops"}}
  - {{username: c, role: department_system, dept: nasa, password_hash: "{HASH}"}}
  - {{username: c, role: platform_admin, password_hash: "{HASH}"}}
  - {{username: d, role: mayor, password_hash: "{HASH}"}}
"""
    with pytest.raises(FileInvalid) as caught:
        parse_users(text, name="users.yaml", index=org_index(org))
    errors = caught.value.errors
    assert any(e.startswith("users.yaml:6: users.4.role") for e in errors), errors


def test_semantic_errors_name_each_user(org) -> None:
    text = f"""users:
  - {{username: a, role: grid_worker, scope: qc-jh-jh, password_hash: "{HASH}"}}
  - {{username: b, role: street_staff, scope: qc-jh, password_hash: "plain-text-password-oops"}}
  - {{username: c, role: department_system, dept: nasa, password_hash: "{HASH}"}}
  - {{username: c, role: platform_admin, password_hash: "{HASH}"}}
"""
    with pytest.raises(FileInvalid) as caught:
        parse_users(text, name="users.yaml", index=org_index(org))
    errors = caught.value.errors
    assert [e.split(":")[1] for e in errors] == ["2", "3", "4", "5"]
    assert "needs a grid" in errors[0] and "Argon2" in errors[1] and "nasa" in errors[2] and "duplicate" in errors[3]


def test_dev_users_cover_every_signing_in_unit_kind(org) -> None:
    users = dev_users(org_index(org), HASH)
    assert users["u-g-jh-jh-hy-2"].principal.scope == ("qc", "qc-jh", "qc-jh-jh", "qc-jh-jh-hy", "g-jh-jh-hy-2")
    assert users["u-jh-jh-cadre1"].principal.role is Role.COMMUNITY_STAFF
    assert users["u-jh-jh-sec"].principal.role is Role.COMMUNITY_SECRETARY
    assert users["u-sl-centre"].principal.scope == ("qc", "qc-sl")
    assert users["operator"].principal.scope == ("qc",) and users["admin"].principal.role is Role.PLATFORM_ADMIN
    assert users["dept-xiaofang"].principal.dept_code == "xiaofang"
    assert "u-jh-jh-police" not in users  # police, volunteers and property companies do not sign in here
