"""Issuing and verifying bearer JWTs: local keys, a JWKS served on 127.0.0.1, OIDC discovery, forgeries."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import jwt
import pytest

from servicekit.auth import Principal, Role
from servicekit.auth.envsecrets import MissingSecret
from servicekit.auth.keys import dev_signing_key, jwks, new_key_setting, parse_signing_keys
from servicekit.auth.orgindex import OrgIndex
from servicekit.auth.setup import build_verifier
from servicekit.auth.tokens import TokenIssuer, TokenRejected, principal_from_claims
from servicekit.auth.verify import OidcJwks, RemoteJwks, StaticKeys, TokenVerifier, Trust
from servicekit.settings import ServiceSettings

ORG = OrgIndex.from_file(Path(__file__).resolve().parents[3] / "deploy" / "demo" / "org.yaml")
NOW = datetime.now(UTC)
STREET = Principal("u-jh-centre", Role.STREET_STAFF, scope=("qc", "qc-jh"), name="金湖街道中心")


class Documents(dict):
    """Path → JSON document served by the test server; counts fetches."""

    fetches = 0


@pytest.fixture
def served() -> Iterator[tuple[str, Documents]]:
    """A JSON server on 127.0.0.1 (a JWKS, an OIDC discovery document …)."""
    docs = Documents()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            docs.fetches += 1
            body = json.dumps(docs.get(self.path)).encode() if self.path in docs else b""
            self.send_response(200 if self.path in docs else 404)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", docs
    server.shutdown()


def local(keys) -> TokenVerifier:
    return TokenVerifier([Trust("whistle-router", "whistle", [StaticKeys(keys)])])


async def test_a_token_issued_for_a_street_verifies_back_to_the_same_principal() -> None:
    key = parse_signing_keys(new_key_setting("k1"))[0]
    token = TokenIssuer(key).issue(STREET, now=NOW, ttl=timedelta(minutes=5))
    claims = await local([key]).verify(token)
    assert claims["role"] == "street_staff" and claims["org"] == "qc-jh"
    assert principal_from_claims(claims, ORG) == Principal("u-jh-centre", Role.STREET_STAFF, scope=("qc", "qc-jh"),
                                                           name="金湖街道中心")


@pytest.mark.parametrize("forge", ["expired", "other_key", "tampered", "alg_none", "hs256_with_public_key",
                                   "wrong_audience", "wrong_issuer", "not_a_jwt", "no_exp"])
async def test_forged_or_stale_tokens_are_rejected(forge: str) -> None:
    key = parse_signing_keys(new_key_setting("k1"))[0]
    other = parse_signing_keys(new_key_setting("k1"))[0]
    good = {"iss": "whistle-router", "aud": "whistle", "sub": "x", "role": "platform_admin",
            "iat": int(NOW.timestamp()), "exp": int((NOW + timedelta(minutes=5)).timestamp())}
    sign = lambda claims, k=key: jwt.encode(claims, k.private, algorithm="EdDSA", headers={"kid": "k1"})  # noqa: E731
    public_pem = key.public.public_bytes(*_pem())
    token = {
        "expired": lambda: sign({**good, "exp": int((NOW - timedelta(hours=1)).timestamp())}),
        "other_key": lambda: sign(good, other),
        "tampered": lambda: sign(good)[:-4] + ("AAAA" if not sign(good).endswith("AAAA") else "BBBB"),
        "alg_none": lambda: jwt.encode(good, None, algorithm="none"),
        "hs256_with_public_key": lambda: _hs256(good, public_pem),
        "wrong_audience": lambda: sign({**good, "aud": "someone-else"}),
        "wrong_issuer": lambda: sign({**good, "iss": "evil"}),
        "not_a_jwt": lambda: "definitely.not.ajwt",
        "no_exp": lambda: sign({k: v for k, v in good.items() if k != "exp"}),
    }[forge]()
    with pytest.raises(TokenRejected):
        await local([key]).verify(token)


def _pem():
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return Encoding.PEM, PublicFormat.SubjectPublicKeyInfo


def _hs256(claims: dict, secret: bytes) -> str:
    import base64
    import hashlib
    import hmac

    enc = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()  # noqa: E731
    head = enc(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "k1"}).encode())
    body = enc(json.dumps(claims).encode())
    sig = enc(hmac.new(secret, f"{head}.{body}".encode(), hashlib.sha256).digest())
    return f"{head}.{body}.{sig}"


async def test_a_jwks_on_127_0_0_1_verifies_and_a_rotated_key_is_fetched_once(served) -> None:
    base, docs = served
    old, new = (parse_signing_keys(new_key_setting(k))[0] for k in ("old", "new"))
    docs["/jwks.json"] = jwks([old])
    verifier = TokenVerifier([Trust("whistle-router", "whistle", [RemoteJwks(f"{base}/jwks.json")])])
    assert (await verifier.verify(TokenIssuer(old).issue(STREET, now=NOW, ttl=timedelta(minutes=5))))["sub"]
    docs["/jwks.json"] = jwks([new, old])
    assert (await verifier.verify(TokenIssuer(new).issue(STREET, now=NOW, ttl=timedelta(minutes=5))))["sub"]
    fetched = docs.fetches
    stranger = parse_signing_keys(new_key_setting("stranger"))[0]
    for _ in range(3):  # unknown kids do not make the service hammer the JWKS URL
        with pytest.raises(TokenRejected):
            await verifier.verify(TokenIssuer(stranger).issue(STREET, now=NOW, ttl=timedelta(minutes=5)))
    assert docs.fetches - fetched <= 1


async def test_an_external_oidc_provider_is_found_by_discovery_and_its_roles_claim_is_read(served) -> None:
    base, docs = served
    key = parse_signing_keys(new_key_setting("idp-1"))[0]
    docs["/realms/gov/.well-known/openid-configuration"] = {"issuer": f"{base}/realms/gov",
                                                            "jwks_uri": f"{base}/realms/gov/certs"}
    docs["/realms/gov/certs"] = jwks([key])
    settings = ServiceSettings(dev_mode=False, oidc_issuer=f"{base}/realms/gov", oidc_audience="whistle-api")
    verifier = build_verifier(settings, service="intake")
    claims = {"iss": f"{base}/realms/gov", "aud": "whistle-api", "sub": "kc-42", "org": "qc-jh-jh",
              "realm_access": {"roles": ["offline_access", "community_secretary"]},
              "iat": int(NOW.timestamp()), "exp": int((NOW + timedelta(minutes=5)).timestamp())}
    token = jwt.encode(claims, key.private, algorithm="EdDSA", headers={"kid": "idp-1"})
    principal = principal_from_claims(await verifier.verify(token), ORG)
    assert principal.role is Role.COMMUNITY_SECRETARY and principal.scope == ("qc", "qc-jh", "qc-jh-jh")


async def test_outside_dev_mode_a_service_needs_an_issuer_and_refuses_the_dev_key(served) -> None:
    with pytest.raises(MissingSecret, match="INTAKE_JWKS_URL"):
        build_verifier(ServiceSettings(dev_mode=False), service="intake")
    base, docs = served
    docs["/jwks.json"] = jwks([dev_signing_key()])
    verifier = build_verifier(ServiceSettings(dev_mode=False, jwks_url=f"{base}/jwks.json"), service="intake")
    dev_token = TokenIssuer(dev_signing_key()).issue(STREET, now=NOW, ttl=timedelta(minutes=5))
    with pytest.raises(TokenRejected, match="development key"):
        await verifier.verify(dev_token)
    assert await build_verifier(ServiceSettings(dev_mode=True), service="intake").verify(dev_token)


async def test_oidc_discovery_naming_another_issuer_is_not_trusted(served) -> None:
    base, docs = served
    docs["/idp/.well-known/openid-configuration"] = {"issuer": "https://evil.example", "jwks_uri": f"{base}/x"}
    with pytest.raises(TokenRejected, match="discovery"):
        await OidcJwks(f"{base}/idp").key_for("k")


@pytest.mark.parametrize(("claims", "message"), [
    ({"role": "janitor"}, "no Whistle role"),
    ({"role": "grid_worker", "org": "qc-jh-jh"}, "needs a grid"),
    ({"role": "street_staff", "org": "atlantis"}, "not in the organisation"),
    ({"role": "street_staff"}, "not in the organisation"),
    ({"role": "department_system"}, "department"),
    ({"role": "department_system", "dept": "nasa"}, "department"),
])
def test_claims_without_a_usable_role_or_scope_are_refused(claims: dict, message: str) -> None:
    with pytest.raises(TokenRejected, match=message):
        principal_from_claims({"sub": "s", **claims}, ORG)


def test_without_an_org_file_the_token_path_is_used_when_consistent() -> None:
    ok = principal_from_claims({"sub": "s", "role": "street_staff", "org": "qc-jh", "org_path": ["qc", "qc-jh"]}, None)
    assert ok.scope == ("qc", "qc-jh")
    with pytest.raises(TokenRejected):
        principal_from_claims({"sub": "s", "role": "street_staff", "org": "qc-sl", "org_path": ["qc", "qc-jh"]}, None)
