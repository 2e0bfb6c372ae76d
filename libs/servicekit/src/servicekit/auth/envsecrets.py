"""Secrets from the environment: the dev value in dev mode, a refusal to start outside it."""

from __future__ import annotations

from collections.abc import Iterable


class MissingSecret(RuntimeError):
    """A secret is missing or still has its public default outside dev mode; the message names it."""


def resolve_secret(value: str | None, *, name: str, dev_default: str, dev_mode: bool,
                   public_values: Iterable[str] = ()) -> str:
    """The configured secret; the dev default in dev mode; otherwise raise MissingSecret naming `name`."""
    public = {dev_default, *public_values}
    if value and (dev_mode or value not in public):
        return value
    if dev_mode:
        return dev_default
    if value:
        raise MissingSecret(f"{name} still has the public development value; set a real secret "
                            "(WHISTLE_DEV_MODE=false)")
    raise MissingSecret(f"{name} is not set; outside dev mode (WHISTLE_DEV_MODE=false) it is required")


def refuse_public(value: str | None, *, name: str, dev_mode: bool, public_values: Iterable[str]) -> None:
    """Raise MissingSecret when an optional secret is set to a known public value outside dev mode."""
    if not dev_mode and value and value in set(public_values):
        raise MissingSecret(f"{name} still has a public default value; set a real secret (WHISTLE_DEV_MODE=false)")
