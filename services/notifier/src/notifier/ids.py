"""The notifier's event source name and deterministic ids (a retried handler repeats the same ids)."""

from __future__ import annotations

import uuid

SOURCE = "/whistle/notifier"
_IDS = uuid.UUID("6d0c8f43-2a55-4bd4-9a43-61f1b1a0e0f5")


def derived_id(*parts: str) -> str:
    """A deterministic id from its parts, so the outbox and the records drop repeats."""
    return str(uuid.uuid5(_IDS, "/".join(parts)))
