"""Ed25519 signing keys for the platform's own tokens, their public JWKS, and the public dev key."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

# Public development key: the seed is sha256 of this text. Anyone can mint dev tokens with it, which is
# the point in dev mode and why services refuse it outside dev mode.
DEV_KEY_TEXT = b"whistle-dev-jwt-signing-key-not-safe"
DEV_KEY_ID = "whistle-dev-1"


class KeyInvalid(ValueError):
    """A signing key setting could not be read."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class SigningKey:
    """One Ed25519 key with its key id (`kid`)."""

    kid: str
    private: Ed25519PrivateKey

    @property
    def public(self) -> Ed25519PublicKey:
        """The verifying half."""
        return self.private.public_key()

    def public_jwk(self) -> dict[str, Any]:
        """The public key as a JWK (RFC 8037)."""
        raw = self.public.public_bytes(Encoding.Raw, PublicFormat.Raw)
        return {"kty": "OKP", "crv": "Ed25519", "x": _b64(raw), "kid": self.kid, "use": "sig", "alg": "EdDSA"}


def key_from_seed(kid: str, seed: bytes) -> SigningKey:
    """A key from its 32-byte seed."""
    if len(seed) != 32:
        raise KeyInvalid(f"key {kid}: an Ed25519 seed is 32 bytes, got {len(seed)}")
    return SigningKey(kid, Ed25519PrivateKey.from_private_bytes(seed))


def dev_signing_key() -> SigningKey:
    """The documented, public development key."""
    return key_from_seed(DEV_KEY_ID, hashlib.sha256(DEV_KEY_TEXT).digest())


def dev_key_setting() -> str:
    """The dev key written as a signing-key setting (`kid:seed`)."""
    return f"{DEV_KEY_ID}:{_b64(hashlib.sha256(DEV_KEY_TEXT).digest())}"


def parse_signing_keys(value: str) -> list[SigningKey]:
    """`kid:base64url-seed` pairs, comma-separated; the first signs, the others stay published for rotation."""
    keys = []
    for part in (p.strip() for p in value.split(",") if p.strip()):
        kid, sep, seed = part.partition(":")
        if not sep or not kid or not seed:
            raise KeyInvalid("signing keys are written kid:base64url-seed, comma-separated")
        try:
            raw = _unb64(seed)
        except ValueError as exc:
            raise KeyInvalid(f"key {kid}: seed is not base64url") from exc
        keys.append(key_from_seed(kid, raw))
    if not keys:
        raise KeyInvalid("no signing key given")
    return keys


def new_key_setting(kid: str | None = None) -> str:
    """A fresh `kid:seed` for the signing-key setting."""
    return f"{kid or 'k-' + secrets.token_hex(4)}:{_b64(secrets.token_bytes(32))}"


def jwks(keys: list[SigningKey]) -> dict[str, Any]:
    """The public key set document."""
    return {"keys": [k.public_jwk() for k in keys]}


def main() -> None:
    """`python -m servicekit.auth.keys [KID]`: print a new signing-key setting."""
    import sys

    print(new_key_setting(sys.argv[1] if len(sys.argv) > 1 else None))


if __name__ == "__main__":
    main()
