"""Contact protection: Fernet encryption at rest, sealing for the router, and phone hashing."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


def _multi(keys: str) -> MultiFernet:
    """Comma-separated keys, newest first: encrypt with the first, decrypt with any (rotation)."""
    return MultiFernet([Fernet(k.strip().encode()) for k in keys.split(",") if k.strip()])


class ContactCipher:
    """Encrypts contacts at rest and seals them for events."""

    def __init__(self, *, storage_keys: str, contact_keys: str) -> None:
        self._storage = _multi(storage_keys)
        self._sealing = _multi(contact_keys)
        self._hash_key = hashlib.sha256(("phone-hash:" + storage_keys.split(",")[0]).encode()).digest()

    def encrypt(self, contact: dict[str, Any]) -> str:
        """The contact as a Fernet token under the at-rest key."""
        return self._storage.encrypt(json.dumps(contact, ensure_ascii=False).encode()).decode()

    def decrypt(self, token: str) -> dict[str, Any]:
        """The stored contact back; raises ValueError when no key opens it."""
        try:
            return dict(json.loads(self._storage.decrypt(token.encode())))
        except InvalidToken as exc:
            raise ValueError("contact cannot be decrypted with the configured keys") from exc

    def seal(self, contact: dict[str, Any]) -> str:
        """The contact as a Fernet token under WHISTLE_CONTACT_KEY, for RequestSubmitted.contact_sealed."""
        return self._sealing.encrypt(json.dumps(contact, ensure_ascii=False).encode()).decode()

    def unseal(self, token: str) -> dict[str, Any]:
        """Open a sealed contact (what the router does)."""
        return dict(json.loads(self._sealing.decrypt(token.encode())))

    def phone_key(self, phone: str) -> str:
        """A keyed hash of a phone number, for per-phone rate limits without keeping it in clear."""
        return hmac.new(self._hash_key, phone.strip().encode(), hashlib.sha256).hexdigest()[:32]
