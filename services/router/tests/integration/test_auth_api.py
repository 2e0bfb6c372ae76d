"""Signing in at the router: password grant, the JWKS other services verify with, refusals and secrets."""

from __future__ import annotations

from pathlib import Path

import httpx
import jwt
import pytest

from router.config import RouterSettings
from router.entrypoints.api import create_app
from servicekit.auth.envsecrets import MissingSecret
from servicekit.auth.keys import new_key_setting
from servicekit.auth.passwords import hash_password

from ..conftest import ORG_FILE


def client(settings: RouterSettings) -> httpx.AsyncClient:
    app = create_app(settings)  # sign-in needs no store or broker: no lifespan here
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://router")


def sign_in(c: httpx.AsyncClient, username: str, password: str, **extra: str):
    return c.post("/v1/auth/token", data={"grant_type": "password", "username": username, "password": password,
                                          **extra})


async def test_a_dev_user_signs_in_and_the_token_verifies_against_the_published_jwks(tmp_path: Path) -> None:
    async with client(RouterSettings(data_dir=tmp_path, org_file=ORG_FILE)) as c:
        answer = await sign_in(c, "u-jh-centre", "whistle-dev")
        assert answer.status_code == 200 and answer.headers["cache-control"] == "no-store"
        body = answer.json()
        assert body["token_type"] == "Bearer" and body["role"] == "street_staff" and body["scope_node"] == "qc-jh"
        keys = (await c.get("/.well-known/jwks.json")).json()
        key = jwt.PyJWK(keys["keys"][0]).key
        claims = jwt.decode(body["access_token"], key, algorithms=["EdDSA"], audience="whistle")
        assert claims["org_path"] == ["qc", "qc-jh"] and claims["iss"] == "whistle-router"
        me = await c.get("/v1/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
        assert me.json()["scope"] == ["qc", "qc-jh"] and me.json()["role"] == "street_staff"
        assert (await c.get("/v1/auth/me", headers={"Authorization": "Bearer x.y.z"})).status_code == 401


async def test_wrong_passwords_unknown_users_and_other_grants_are_refused_then_slowed_down(tmp_path: Path) -> None:
    async with client(RouterSettings(data_dir=tmp_path, org_file=ORG_FILE, login_attempts=3)) as c:
        assert (await sign_in(c, "operator", "nope")).json()["error"] == "invalid_grant"
        assert (await sign_in(c, "nobody", "whistle-dev")).json()["error"] == "invalid_grant"
        other = await c.post("/v1/auth/token", data={"grant_type": "client_credentials"})
        assert other.status_code == 400 and other.json()["error"] == "unsupported_grant_type"
        assert (await c.post("/v1/auth/token", data={"grant_type": "password"})).json()["error"] == "invalid_request"
        for _ in range(3):
            await sign_in(c, "admin", "guess")
        slowed = await sign_in(c, "admin", "whistle-dev")
        assert slowed.status_code == 429 and int(slowed.headers["retry-after"]) > 0
        assert (await sign_in(c, "operator", "whistle-dev")).status_code == 200  # other users are not locked


async def test_a_users_file_replaces_the_dev_users(tmp_path: Path) -> None:
    users = tmp_path / "users.yaml"
    users.write_text(f'users:\n  - {{username: lin, role: community_secretary, scope: qc-sl-sl, '
                     f'password_hash: "{hash_password("松林-2026")}"}}\n', encoding="utf-8")
    async with client(RouterSettings(data_dir=tmp_path, org_file=ORG_FILE, users_file=users)) as c:
        assert (await sign_in(c, "lin", "松林-2026")).json()["scope_node"] == "qc-sl-sl"
        assert (await sign_in(c, "operator", "whistle-dev")).status_code == 400


@pytest.mark.parametrize("missing", ["WHISTLE_CONTACT_KEY", "ROUTER_JWT_SIGNING_KEYS", "ROUTER_API_KEY_PEPPER",
                                     "ROUTER_DEPARTMENT_KEYS", "ROUTER_ADMIN_API_KEY"])
def test_outside_dev_mode_the_router_refuses_to_start_naming_the_missing_secret(tmp_path: Path, missing: str) -> None:
    good = {"contact_key": "x" * 44, "jwt_signing_keys": new_key_setting("k1"), "api_key_pepper": "p" * 32,
            "department_keys": {"huanwei": "hmac-sha256:" + "0" * 64}, "admin_api_key": "a" * 32}
    bad = {"WHISTLE_CONTACT_KEY": {"contact_key": None}, "ROUTER_JWT_SIGNING_KEYS": {"jwt_signing_keys": None},
           "ROUTER_API_KEY_PEPPER": {"api_key_pepper": None},
           "ROUTER_DEPARTMENT_KEYS": {"department_keys": {"huanwei": "clear-key"}},
           "ROUTER_ADMIN_API_KEY": {"admin_api_key": "change-me-router-admin-key"}}[missing]
    settings = RouterSettings(data_dir=tmp_path, org_file=ORG_FILE, dev_mode=False, **{**good, **bad})
    with pytest.raises(MissingSecret, match=missing):
        create_app(settings).openapi()
    create_app(RouterSettings(data_dir=tmp_path, org_file=ORG_FILE, dev_mode=False, **good))
