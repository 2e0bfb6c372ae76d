"""MongoDB through PyMongo's async API; the database name is per service."""

from __future__ import annotations

from typing import Any

from pymongo import AsyncMongoClient


def connect_mongo(url: str, db_name: str, **client_options: Any) -> tuple[AsyncMongoClient[Any], Any]:
    """Return a client (tz-aware, majority writes) and the service's database."""
    client: AsyncMongoClient[Any] = AsyncMongoClient(
        url, tz_aware=True, w="majority", retryWrites=True, **client_options)
    return client, client[db_name]


async def ping_mongo(db: Any) -> bool:
    """True when the server answers ping."""
    try:
        await db.command("ping")
    except Exception:
        return False
    return True
