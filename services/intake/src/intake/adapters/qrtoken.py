"""Signed compound tokens for QR codes: HMAC-SHA256 with rotatable keys and a revocation list."""

from __future__ import annotations

import base64
import hashlib
import hmac


class TokenRejected(Exception):
    """A compound token that is forged, malformed or revoked; `reason` is forged or revoked."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class CompoundTokens:
    """Signs with the first key; verifies with any key still listed; refuses revoked tokens or key ids."""

    def __init__(self, keys: str, revoked: str = "") -> None:
        pairs = [p.split(":", 1) for p in keys.split(",") if ":" in p]
        self._keys = {kid.strip(): secret.strip().encode() for kid, secret in pairs}
        if not self._keys:
            raise ValueError("INTAKE_QR_KEYS must hold at least one kid:secret pair")
        self._signing = pairs[0][0].strip()
        self._revoked = {r.strip() for r in revoked.split(",") if r.strip()}

    def _sig(self, kid: str, compound_id: str) -> str:
        mac = hmac.new(self._keys[kid], f"compound:{kid}:{compound_id}".encode(), hashlib.sha256).digest()
        return _b64(mac[:16])

    def sign(self, compound_id: str) -> str:
        """A token naming the compound, signed with the current key."""
        return f"{_b64(compound_id.encode())}.{self._signing}.{self._sig(self._signing, compound_id)}"

    def verify(self, token: str) -> str:
        """The compound id inside a valid token; TokenRejected otherwise."""
        try:
            encoded, kid, sig = token.split(".")
            compound_id = _unb64(encoded).decode()
        except (ValueError, UnicodeDecodeError) as exc:
            raise TokenRejected("forged") from exc
        if token in self._revoked or kid in self._revoked:
            raise TokenRejected("revoked")
        if kid not in self._keys:
            raise TokenRejected("revoked")  # a retired key: every token it signed is withdrawn
        if not hmac.compare_digest(sig, self._sig(kid, compound_id)):
            raise TokenRejected("forged")
        return compound_id
