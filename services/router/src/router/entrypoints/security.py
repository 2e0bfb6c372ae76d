"""The router's authentication set-up: signing keys, department key ring, admin key, users, login limiter."""

from __future__ import annotations

import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import timedelta
from functools import lru_cache

from router.adapters.users_file import User, dev_users, load_users
from router.config import RouterSettings
from router.handlers.context import Directory
from servicekit.auth.apikeys import ApiKeyInvalid, ApiKeyRing
from servicekit.auth.authn import Authenticator
from servicekit.auth.envsecrets import MissingSecret
from servicekit.auth.keys import SigningKey, parse_signing_keys
from servicekit.auth.passwords import hash_password
from servicekit.auth.principal import Principal
from servicekit.auth.roles import Role
from servicekit.auth.setup import build_authenticator
from servicekit.auth.tokens import TokenIssuer


class LoginLimiter:
    """At most `per_user` failed sign-ins per user name and `per_address` per address in `window_s`."""

    def __init__(self, per_user: int = 10, per_address: int = 100, window_s: float = 900.0) -> None:
        self._limits = {"user": per_user, "address": per_address}
        self._window = window_s
        self._failures: dict[tuple[str, str], deque[float]] = defaultdict(deque)

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        times = self._failures[key]
        while times and now - times[0] > self._window:
            times.popleft()
        return times

    def retry_after(self, username: str, address: str, now: float | None = None) -> int:
        """Seconds to wait before another attempt (0 = go ahead)."""
        now = time.monotonic() if now is None else now
        waits = [int(self._window - (now - times[0])) + 1
                 for kind, value in (("user", username), ("address", address))
                 if len(times := self._recent((kind, value), now)) >= self._limits[kind]]
        return max(waits, default=0)

    def failed(self, username: str, address: str, now: float | None = None) -> None:
        """Count one failed attempt."""
        now = time.monotonic() if now is None else now
        for key in (("user", username), ("address", address)):
            self._recent(key, now).append(now)


@dataclass
class RouterSecurity:
    """What the auth routes and dependencies use."""

    auth: Authenticator
    keys: list[SigningKey]
    issuer: TokenIssuer | None
    users: dict[str, User]
    ttl: timedelta
    limiter: LoginLimiter = field(default_factory=LoginLimiter)


def department_ring(settings: RouterSettings, directory: Directory) -> ApiKeyRing:
    """Department keys from ROUTER_DEPARTMENT_KEYS; in dev mode without any, `dev-dept-<code>` per department."""
    entries = settings.department_keys or (
        {code: f"dev-dept-{code}" for code in directory.org.departments} if settings.dev_mode else {})
    try:
        return ApiKeyRing(entries, pepper=settings.resolved_pepper(), allow_clear=settings.dev_mode)
    except ApiKeyInvalid as exc:
        raise MissingSecret(f"router: ROUTER_DEPARTMENT_KEYS: {exc}") from None


def users_of(settings: RouterSettings, directory: Directory) -> dict[str, User]:
    """The users file; in dev mode without one, the generated dev users (password ROUTER_DEV_PASSWORD)."""
    if settings.users_file is not None:
        return load_users(settings.users_file, directory.paths)
    return dev_users(directory.paths, _dev_hash(settings.dev_password)) if settings.dev_mode else {}


@lru_cache(maxsize=4)
def _dev_hash(password: str) -> str:
    return hash_password(password)


def build_security(settings: RouterSettings, directory: Directory) -> RouterSecurity:
    """Everything above from the settings; raises MissingSecret (naming it) for missing secrets outside dev mode."""
    settings.resolved_contact_key()  # refuse to start now rather than in the lifespan
    keys = parse_signing_keys(settings.resolved_signing_keys()) if settings.token_issuing else []
    admin_key = settings.checked_admin_key()
    static = {admin_key: Principal("admin-api-key", Role.PLATFORM_ADMIN, via="api_key",
                                   name="ROUTER_ADMIN_API_KEY")} if admin_key else {}
    auth = build_authenticator(settings, service="router", org=directory.paths, local_keys=keys,
                               api_keys=department_ring(settings, directory), static=static)
    issuer = TokenIssuer(keys[0], issuer=settings.jwt_issuer, audience=settings.jwt_audience) if keys else None
    return RouterSecurity(auth=auth, keys=keys, issuer=issuer, users=users_of(settings, directory) if keys else {},
                          ttl=timedelta(seconds=settings.token_ttl_s),
                          limiter=LoginLimiter(per_user=settings.login_attempts))
