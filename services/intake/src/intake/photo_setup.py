"""Which photo store intake opens: the S3 store when configured, GridFS with MongoDB, files otherwise."""

from __future__ import annotations

import logging
from typing import Any

from intake.adapters.photo_store import FilePhotoStore, GridFsPhotoStore, PhotoStore, PhotoStoreError
from intake.adapters.s3_photo_store import S3Location, S3PhotoStore, s3_client
from intake.config import IncompleteSettings, IntakeSettings

LOG = logging.getLogger("intake")


async def open_photo_store(settings: IntakeSettings, *, mongo_db: Any, closers: list[Any]) -> PhotoStore:
    """The configured store, checked at start; IncompleteSettings or MissingKeyError name what is missing.

    A refused start first closes what `closers` holds (the request store opened before), so nothing leaks.
    """
    try:
        kind = settings.photo_store_kind()
        if kind == "s3":
            return await _open_s3(settings, closers)
    except Exception:
        await _close_all(closers)
        raise
    if kind == "gridfs":  # photo_store_kind() made sure MONGODB_URL is set, so open_store opened MongoDB
        return GridFsPhotoStore(mongo_db)
    return FilePhotoStore(settings.photo_dir())


async def _close_all(closers: list[Any]) -> None:
    for close in reversed(closers):
        result = close()
        if hasattr(result, "__await__"):
            await result
    closers.clear()


async def _open_s3(settings: IntakeSettings, closers: list[Any]) -> S3PhotoStore:
    where = S3Location(endpoint_url=settings.s3_endpoint_url or "", bucket=settings.s3_bucket or "",
                       region=settings.s3_region, prefix=settings.s3_prefix, access_key=settings.s3_access_key,
                       secret_key=settings.s3_secret_key, addressing_style=settings.s3_addressing_style)
    store = S3PhotoStore(s3_client(where), bucket=where.bucket, prefix=where.prefix)
    try:
        await store.check()
    except PhotoStoreError as exc:
        store.close()
        raise IncompleteSettings(f"intake: {exc} (INTAKE_S3_ENDPOINT_URL={where.endpoint_url})") from exc
    closers.append(store.close)
    LOG.info("photos in the S3 object store", extra={"endpoint": where.endpoint_url, "bucket": where.bucket,
                                                      "prefix": where.prefix})
    return store
