"""Photo bytes: files under the data directory (SQLite default) or GridFS (MongoDB); S3 in s3_photo_store."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any, Protocol

PHOTO_ID = re.compile(r"^[0-9a-f]{32}\.(jpg|png|webp)$")


class PhotoStoreError(Exception):
    """The store could not be reached or refused the operation; nothing was left half-written."""


class PhotoStore(Protocol):
    """Where photos live."""

    async def put(self, photo_id: str, data: bytes, media_type: str) -> None:
        """Store one photo under its id; PhotoStoreError when the store fails."""
        ...

    async def get(self, photo_id: str) -> bytes | None:
        """The photo's bytes, or None; PhotoStoreError when the store fails."""
        ...

    async def exists(self, photo_id: str) -> bool:
        """True when the photo is stored."""
        ...

    async def delete(self, photo_id: str) -> None:
        """Remove the photo; nothing happens when it is not there."""
        ...


def valid_id(photo_id: str) -> bool:
    """True for the ids intake hands out (hex uuid and a known extension): nothing else reaches a store."""
    return bool(PHOTO_ID.match(photo_id))


class FilePhotoStore:
    """One file per photo in a directory; ids are checked so no path can escape it."""

    def __init__(self, root: Path) -> None:
        self._root = root

    def _path(self, photo_id: str) -> Path:
        if not valid_id(photo_id):
            raise KeyError(photo_id)
        return self._root / photo_id[:2] / photo_id

    async def put(self, photo_id: str, data: bytes, media_type: str) -> None:
        """Write atomically (temp file, then rename); a failed write leaves no file behind."""
        path = self._path(photo_id)

        def write() -> None:
            tmp = path.with_suffix(".part")
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp.write_bytes(data)
                tmp.replace(path)
            except OSError:
                tmp.unlink(missing_ok=True)
                raise

        try:
            await asyncio.to_thread(write)
        except OSError as exc:
            raise PhotoStoreError(f"photo directory {self._root}: {exc.strerror or exc}") from exc

    async def get(self, photo_id: str) -> bytes | None:
        """The bytes or None."""
        try:
            path = self._path(photo_id)
        except KeyError:
            return None
        try:
            return await asyncio.to_thread(path.read_bytes) if path.is_file() else None
        except OSError as exc:
            raise PhotoStoreError(f"photo directory {self._root}: {exc.strerror or exc}") from exc

    async def exists(self, photo_id: str) -> bool:
        """True when the file is there."""
        try:
            return self._path(photo_id).is_file()
        except KeyError:
            return False

    async def delete(self, photo_id: str) -> None:
        """Remove the file if it is there."""
        try:
            path = self._path(photo_id)
        except KeyError:
            return
        await asyncio.to_thread(path.unlink, missing_ok=True)


class GridFsPhotoStore:
    """Photos in a GridFS bucket `photos` of intake's database (real MongoDB: mongomock has no async GridFS)."""

    def __init__(self, db: Any) -> None:
        from gridfs.asynchronous import AsyncGridFSBucket

        self._bucket = AsyncGridFSBucket(db, bucket_name="photos")
        self._files = db["photos.files"]

    async def put(self, photo_id: str, data: bytes, media_type: str) -> None:
        """Upload under the photo id (GridFS removes the chunks of an upload that fails)."""
        from pymongo.errors import PyMongoError

        if not valid_id(photo_id):
            raise KeyError(photo_id)
        try:
            await self._bucket.upload_from_stream_with_id(photo_id, photo_id, data,
                                                          metadata={"media_type": media_type})
        except PyMongoError as exc:
            raise PhotoStoreError(f"GridFS: {exc}") from exc

    async def get(self, photo_id: str) -> bytes | None:
        """Download or None."""
        from gridfs.errors import NoFile
        from pymongo.errors import PyMongoError

        if not valid_id(photo_id):
            return None
        try:
            stream = await self._bucket.open_download_stream(photo_id)
            return bytes(await stream.read())
        except NoFile:
            return None
        except PyMongoError as exc:
            raise PhotoStoreError(f"GridFS: {exc}") from exc

    async def exists(self, photo_id: str) -> bool:
        """True when a file with this id exists."""
        return valid_id(photo_id) and await self._files.count_documents({"_id": photo_id}, limit=1) > 0

    async def delete(self, photo_id: str) -> None:
        """Remove the file and its chunks if they are there."""
        from gridfs.errors import NoFile

        if not valid_id(photo_id):
            return
        try:
            await self._bucket.delete(photo_id)
        except NoFile:
            return
