"""Wiring authentication from a service's settings: trusted issuers, the dev fallbacks, the producer allow-list."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from fastapi import FastAPI

from servicekit.auth.apikeys import ApiKeyRing
from servicekit.auth.authn import Authenticator
from servicekit.auth.envsecrets import MissingSecret
from servicekit.auth.keys import DEV_KEY_ID, SigningKey, dev_signing_key
from servicekit.auth.orgindex import OrgIndex
from servicekit.auth.principal import Principal
from servicekit.auth.roles import Role
from servicekit.auth.sources import SourcePolicy
from servicekit.auth.verify import ASYMMETRIC, KeySource, OidcJwks, RemoteJwks, StaticKeys, TokenVerifier, Trust
from servicekit.settings import ServiceSettings


def build_verifier(settings: ServiceSettings, *, service: str,
                   local_keys: Sequence[SigningKey] = ()) -> TokenVerifier:
    """Trust the platform issuer (own keys and/or its JWKS URL) and the OIDC provider; in dev mode the dev key.

    Outside dev mode a service with neither a JWKS URL nor an OIDC issuer (nor keys of its own) refuses
    to start, and the public dev key is refused even when a JWKS document lists it.
    """
    trusts: dict[str, Trust] = {}

    def add(issuer: str, audience: str, source: KeySource, algorithms: tuple[str, ...]) -> None:
        trusts.setdefault(issuer, Trust(issuer, audience, [], algorithms)).sources.append(source)

    if local_keys:
        add(settings.jwt_issuer, settings.jwt_audience, StaticKeys(local_keys), ("EdDSA",))
    if url := settings.resolved_jwks_url():
        add(settings.jwt_issuer, settings.jwt_audience, RemoteJwks(url), ("EdDSA",))
    if settings.oidc_issuer:
        add(settings.oidc_issuer, settings.oidc_audience or settings.jwt_audience, OidcJwks(settings.oidc_issuer),
            ASYMMETRIC)
    if not trusts:
        if not settings.dev_mode:
            raise MissingSecret(f"{service}: {service.upper()}_JWKS_URL (or WHISTLE_JWKS_URL) or WHISTLE_OIDC_ISSUER "
                                "is not set; outside dev mode (WHISTLE_DEV_MODE=false) one is required")
        add(settings.jwt_issuer, settings.jwt_audience, StaticKeys([dev_signing_key()]), ("EdDSA",))
    return TokenVerifier(list(trusts.values()), refused_kids=() if settings.dev_mode else (DEV_KEY_ID,))


def dev_anonymous(org: OrgIndex | None) -> Principal:
    """Who a credential-less staff call acts as in dev mode: the dev district operator."""
    if org is None:
        return Principal("dev-anonymous", Role.PLATFORM_ADMIN, via="dev", name="开发模式（未登录）")
    return Principal("dev-anonymous", Role.DISTRICT_OPERATOR, scope=(org.district_id,), via="dev",
                     name="开发模式（未登录）")


def build_authenticator(settings: ServiceSettings, *, service: str, org: OrgIndex | None,
                        local_keys: Sequence[SigningKey] = (), api_keys: ApiKeyRing | None = None,
                        static: Mapping[str, Principal] | None = None) -> Authenticator:
    """The service's authenticator; raises MissingSecret outside dev mode when no issuer is configured."""
    anonymous = dev_anonymous(org) if settings.dev_mode and settings.dev_anonymous else None
    return Authenticator(verifier=build_verifier(settings, service=service, local_keys=local_keys), org=org,
                         api_keys=api_keys, static=dict(static or {}), anonymous=anonymous)


def install_auth(app: FastAPI, auth: Authenticator) -> None:
    """Make the authenticator available to the dependencies."""
    app.state.auth = auth


def source_policy(settings: ServiceSettings) -> SourcePolicy:
    """The default producer allow-list with the deployment's overrides."""
    return SourcePolicy().with_overrides(settings.event_sources)
