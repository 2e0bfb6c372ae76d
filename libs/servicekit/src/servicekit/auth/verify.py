"""Verifying bearer JWTs against trusted issuers: local keys, a JWKS URL, or an OIDC provider's JWKS."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import jwt

from servicekit.auth.keys import SigningKey
from servicekit.auth.tokens import TokenRejected

ASYMMETRIC = ("EdDSA", "RS256", "RS384", "RS512", "PS256", "ES256", "ES384")
LEEWAY_S = 30


class KeySource(Protocol):
    """Finds the public key for a token's `kid`."""

    async def key_for(self, kid: str | None) -> Any:
        """The verifying key, or raise TokenRejected."""
        ...


class StaticKeys:
    """Keys known at start: the platform's own signing keys or the dev key."""

    def __init__(self, keys: Sequence[SigningKey]) -> None:
        self._keys = {k.kid: k.public for k in keys}

    async def key_for(self, kid: str | None) -> Any:
        """The key with this kid."""
        if kid not in self._keys:
            raise TokenRejected("unknown signing key")
        return self._keys[kid]


class RemoteJwks:
    """A JWKS URL, fetched on first use and cached; an unknown kid refetches at most every 30 s."""

    REFRESH_S = 30.0

    def __init__(self, url: str, *, timeout_s: float = 5.0) -> None:
        self.url = url
        self._client = jwt.PyJWKClient(url, cache_jwk_set=True, lifespan=300, timeout=timeout_s)  # type: ignore[arg-type]
        self._refreshed = -self.REFRESH_S

    def _find(self, kid: str, refresh: bool) -> Any:
        for key in self._client.get_jwk_set(refresh=refresh).keys:
            if key.key_id == kid:
                return key.key
        return None

    async def key_for(self, kid: str | None) -> Any:
        """The key with this kid from the (cached) set."""
        if not kid:
            raise TokenRejected("token has no kid")
        try:
            key = await asyncio.to_thread(self._find, kid, False)
            if key is None and time.monotonic() - self._refreshed > self.REFRESH_S:
                self._refreshed = time.monotonic()
                key = await asyncio.to_thread(self._find, kid, True)
        except jwt.PyJWTError as exc:
            raise TokenRejected(f"JWKS at {self.url} unusable: {exc}") from None
        if key is None:
            raise TokenRejected(f"no key {kid!r} at the JWKS URL")
        return key


class OidcJwks:
    """An OIDC provider: its JWKS URL comes from `<issuer>/.well-known/openid-configuration`."""

    def __init__(self, issuer: str, *, timeout_s: float = 5.0) -> None:
        self.issuer = issuer.rstrip("/")
        self._timeout = timeout_s
        self._jwks: RemoteJwks | None = None

    def _discover(self) -> str:
        url = f"{self.issuer}/.well-known/openid-configuration"
        with urllib.request.urlopen(url, timeout=self._timeout) as answer:
            document = json.load(answer)
        if str(document.get("issuer", "")).rstrip("/") != self.issuer:
            raise ValueError(f"discovery document names issuer {document.get('issuer')!r}")
        return str(document["jwks_uri"])

    async def key_for(self, kid: str | None) -> Any:
        """Discover once, then behave like RemoteJwks."""
        if self._jwks is None:
            try:
                self._jwks = RemoteJwks(await asyncio.to_thread(self._discover), timeout_s=self._timeout)
            except Exception as exc:
                raise TokenRejected(f"OIDC discovery at {self.issuer} failed: {exc}") from None
        return await self._jwks.key_for(kid)


@dataclass
class Trust:
    """An issuer whose tokens are accepted: its audience, key sources and allowed algorithms."""

    issuer: str
    audience: str
    sources: list[KeySource] = field(default_factory=list)
    algorithms: tuple[str, ...] = ("EdDSA",)


class TokenVerifier:
    """Checks signature, issuer, audience, expiry and not-before; returns the claims."""

    def __init__(self, trusts: Sequence[Trust], *, refused_kids: Sequence[str] = ()) -> None:
        self._trusts = {t.issuer: t for t in trusts}
        self._refused = set(refused_kids)

    @property
    def issuers(self) -> tuple[str, ...]:
        """Trusted issuers (for start-up lines and docs)."""
        return tuple(self._trusts)

    async def verify(self, token: str) -> dict[str, Any]:
        """The verified claims, or TokenRejected naming why."""
        try:
            header = jwt.get_unverified_header(token)
            issuer = jwt.decode(token, options={"verify_signature": False}).get("iss")
        except jwt.PyJWTError:
            raise TokenRejected("not a JWT") from None
        trust = self._trusts.get(issuer) if isinstance(issuer, str) else None
        if trust is None:
            raise TokenRejected("token from an untrusted issuer")
        if header.get("alg") not in trust.algorithms:
            raise TokenRejected(f"algorithm {header.get('alg')!r} is not accepted")
        if header.get("kid") in self._refused:
            raise TokenRejected("token signed with the public development key")
        key = await self._key(trust, header.get("kid"))
        try:
            return dict(jwt.decode(token, key, algorithms=list(trust.algorithms), audience=trust.audience,
                                   issuer=trust.issuer, leeway=LEEWAY_S,
                                   options={"require": ["exp", "iat", "sub", "iss", "aud"]}))
        except jwt.ExpiredSignatureError:
            raise TokenRejected("token expired") from None
        except jwt.PyJWTError as exc:
            raise TokenRejected(f"token rejected: {exc}") from None

    async def _key(self, trust: Trust, kid: str | None) -> Any:
        last: TokenRejected | None = None
        for source in trust.sources:
            try:
                return await source.key_for(kid)
            except TokenRejected as exc:
                last = exc
        raise last or TokenRejected("no key source for this issuer")
