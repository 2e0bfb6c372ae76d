"""Authenticating a request: bearer JWT, a department's API key, a static dev credential, or nobody."""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field

from starlette.requests import HTTPConnection

from servicekit.auth.apikeys import ApiKeyRing
from servicekit.auth.orgindex import OrgIndex
from servicekit.auth.principal import Principal
from servicekit.auth.roles import Role
from servicekit.auth.tokens import TokenRejected, principal_from_claims
from servicekit.auth.verify import TokenVerifier

MAX_CREDENTIAL = 8192


class CredentialRejected(Exception):
    """Credentials were presented and are not valid (answer 401)."""


@dataclass
class Authenticator:
    """Everything a service needs to name the caller of a request."""

    verifier: TokenVerifier | None
    org: OrgIndex | None
    api_keys: ApiKeyRing | None = None
    static: Mapping[str, Principal] = field(default_factory=dict)
    anonymous: Principal | None = None

    async def authenticate(self, conn: HTTPConnection) -> Principal | None:
        """The caller, None when no credentials were sent; CredentialRejected for bad ones."""
        api_key = conn.headers.get("x-api-key")
        header = conn.headers.get("authorization")
        if api_key is not None:
            return self._by_api_key(api_key)
        if header is None:
            return None
        scheme, _, token = header.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token or len(token) > MAX_CREDENTIAL:
            raise CredentialRejected("Authorization must be 'Bearer <token>'")
        found = self._static(token)
        if found is not None:
            return found
        if self.verifier is None:
            raise CredentialRejected("this service accepts no bearer tokens")
        try:
            return principal_from_claims(await self.verifier.verify(token), self.org)
        except TokenRejected as exc:
            raise CredentialRejected(str(exc)) from None

    def _static(self, presented: str) -> Principal | None:
        found = None
        for secret, principal in self.static.items():
            if hmac.compare_digest(secret.encode(), presented.encode()):
                found = principal
        return found

    def _by_api_key(self, presented: str) -> Principal:
        presented = presented.strip()
        if not presented or len(presented) > MAX_CREDENTIAL:
            raise CredentialRejected("empty or oversized X-API-Key")
        found = self._static(presented)
        if found is not None:
            return found
        dept = self.api_keys.department_of(presented) if self.api_keys else None
        if dept is None:
            raise CredentialRejected("unknown X-API-Key")
        return Principal(subject=f"dept:{dept}", role=Role.DEPARTMENT_SYSTEM, dept_code=dept, via="api_key")
