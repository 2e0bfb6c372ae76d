"""Opening the resident contact that intake sealed with Fernet (shared key WHISTLE_CONTACT_KEY)."""

from __future__ import annotations

import json

from cryptography.fernet import Fernet, InvalidToken

from contracts.events.common import Contact


class ContactOpener:
    """Decrypts a sealed contact only when a department must call back."""

    def __init__(self, key: str) -> None:
        self._fernet = Fernet(key.encode())

    def open(self, sealed: str | None) -> Contact | None:
        """The contact, or None when absent or unreadable (a wrong key must not block routing)."""
        if not sealed:
            return None
        try:
            data = json.loads(self._fernet.decrypt(sealed.encode()))
        except (InvalidToken, ValueError):
            return None
        return Contact.model_validate(data)

    def seal(self, contact: Contact) -> str:
        """Seal a contact the way intake does (used by tests and examples)."""
        return self._fernet.encrypt(contact.model_dump_json(exclude_none=True).encode()).decode()
