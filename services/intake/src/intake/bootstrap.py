"""The composition root: settings → store → repository → handlers → broker runtime."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from intake.adapters.crypto import ContactCipher
from intake.adapters.mongo_repository import MongoRequestRepository
from intake.adapters.photo_store import PhotoStore
from intake.adapters.qrtoken import CompoundTokens
from intake.adapters.repository import RequestRepository
from intake.adapters.sqlite_repository import SqliteRequestRepository
from intake.config import IntakeSettings
from intake.domain.org import Directory, parse_directory
from intake.handlers import Intake
from intake.photo_setup import open_photo_store
from servicekit.outbox import OutboxBacklog
from servicekit.runtime import BrokerRuntime
from servicekit.storage.mongo import connect_mongo
from servicekit.storage.sqlite import SqliteDatabase


def load_directory(path: Path) -> Directory:
    """Read the organisation file; a clear error when it is missing."""
    if not path.is_file():
        raise FileNotFoundError(f"intake: organisation file {path} not found (set INTAKE_ORG_FILE)")
    return parse_directory(yaml.safe_load(path.read_text(encoding="utf-8")))


@dataclass
class Container:
    """Everything the process holds open."""

    settings: IntakeSettings
    repo: RequestRepository
    intake: Intake
    runtime: BrokerRuntime
    photos: PhotoStore
    closers: list[Any] = field(default_factory=list)
    mongo_db: Any = None

    async def close(self) -> None:
        """Close stores in reverse order of opening."""
        for close in reversed(self.closers):
            result = close()
            if hasattr(result, "__await__"):
                await result


async def open_store(settings: IntakeSettings, closers: list[Any]) -> tuple[RequestRepository, Any]:
    """SQLite by default; MongoDB when MONGODB_URL is set (indexes created here)."""
    if settings.mongodb_url:
        client, db = connect_mongo(settings.mongodb_url, settings.mongodb_db or "whistle_intake")
        closers.append(client.close)
        mongo_repo = MongoRequestRepository(db)
        await mongo_repo.ensure_indexes()
        return mongo_repo, db
    sqlite = SqliteDatabase(settings.sqlite_path())
    sqlite_repo = SqliteRequestRepository(sqlite)
    await sqlite_repo.open()
    closers.append(sqlite.close)
    return sqlite_repo, None


async def build(settings: IntakeSettings, log: logging.Logger) -> Container:
    """Open the store and wire handlers and the broker runtime (not started yet)."""
    cipher = ContactCipher(storage_keys=settings.resolved_storage_key(), contact_keys=settings.resolved_contact_key())
    token_key = hashlib.sha256(("access-token:" + settings.resolved_storage_key().split(",")[0]).encode()).digest()
    directory = load_directory(settings.org_file)
    closers: list[Any] = []
    repo, mongo_db = await open_store(settings, closers)
    tokens = CompoundTokens(settings.resolved_qr_keys(), settings.qr_revoked)
    intake = Intake(repo=repo, directory=directory, cipher=cipher, token_key=token_key, compound_tokens=tokens)
    runtime = BrokerRuntime(settings.rabbitmq_url, settings.topology, log=log)
    runtime.attach_outbox(repo.outbox, poll_s=settings.outbox_poll_s)
    intake.backlog = OutboxBacklog(repo.outbox, limit=settings.outbox_limit)
    intake.retry_after_s = settings.outbox_retry_after_s
    photos = await open_photo_store(settings, mongo_db=mongo_db, closers=closers)
    intake.photos = photos
    return Container(settings=settings, repo=repo, intake=intake, runtime=runtime, photos=photos,
                     closers=closers, mongo_db=mongo_db)
