"""Use case: delete the contact data of requests closed more than N days ago."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from intake.adapters.repository import RequestRepository

LOG = logging.getLogger("intake.retention")


async def purge_contacts(repo: RequestRepository, *, now: datetime, days: int) -> int:
    """Erase encrypted and masked contact of closed requests past the retention period; returns how many."""
    purged = 0
    for req in await repo.closed_with_contact_before(now - timedelta(days=days)):
        version = req.version
        req.contact_enc = req.phone_masked = req.name_masked = None
        req.contact_purged = True
        if await repo.save(req, expected_version=version, events=[]):
            purged += 1
    if purged:
        LOG.info("contact data deleted after retention", extra={"count": purged, "days": days})
    return purged


async def run_retention(repo: RequestRepository, *, days: int, interval_s: float) -> None:
    """Purge periodically until cancelled."""
    from datetime import UTC

    while True:
        try:
            await purge_contacts(repo, now=datetime.now(UTC), days=days)
        except Exception as exc:
            LOG.warning("retention pass failed", extra={"error": str(exc)[:300]})
        await asyncio.sleep(interval_s)
