"""Photo bytes: files under the data directory (SQLite default) or GridFS (MongoDB)."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any, Protocol

PHOTO_ID = re.compile(r"^[0-9a-f]{32}\.(jpg|png|webp)$")


class PhotoStore(Protocol):
    """Where photos live."""

    async def put(self, photo_id: str, data: bytes, media_type: str) -> None:
        """Store one photo under its id."""
        ...

    async def get(self, photo_id: str) -> bytes | None:
        """The photo's bytes, or None."""
        ...

    async def exists(self, photo_id: str) -> bool:
        """True when the photo is stored."""
        ...


class FilePhotoStore:
    """One file per photo in a directory; ids are checked so no path can escape it."""

    def __init__(self, root: Path) -> None:
        self._root = root

    def _path(self, photo_id: str) -> Path:
        if not PHOTO_ID.match(photo_id):
            raise KeyError(photo_id)
        return self._root / photo_id[:2] / photo_id

    async def put(self, photo_id: str, data: bytes, media_type: str) -> None:
        """Write atomically (temp file, then rename)."""
        path = self._path(photo_id)

        def write() -> None:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".part")
            tmp.write_bytes(data)
            tmp.replace(path)

        await asyncio.to_thread(write)

    async def get(self, photo_id: str) -> bytes | None:
        """The bytes or None."""
        try:
            path = self._path(photo_id)
        except KeyError:
            return None
        return await asyncio.to_thread(path.read_bytes) if path.is_file() else None

    async def exists(self, photo_id: str) -> bool:
        """True when the file is there."""
        try:
            return self._path(photo_id).is_file()
        except KeyError:
            return False


class GridFsPhotoStore:
    """Photos in a GridFS bucket `photos` of intake's database (real MongoDB; mongomock has no async GridFS)."""

    def __init__(self, db: Any) -> None:
        from gridfs.asynchronous import AsyncGridFSBucket

        self._bucket = AsyncGridFSBucket(db, bucket_name="photos")
        self._files = db["photos.files"]

    async def put(self, photo_id: str, data: bytes, media_type: str) -> None:
        """Upload under the photo id."""
        await self._bucket.upload_from_stream_with_id(photo_id, photo_id, data, metadata={"media_type": media_type})

    async def get(self, photo_id: str) -> bytes | None:
        """Download or None."""
        from gridfs.errors import NoFile

        try:
            stream = await self._bucket.open_download_stream(photo_id)
        except NoFile:
            return None
        return bytes(await stream.read())

    async def exists(self, photo_id: str) -> bool:
        """True when a file with this id exists."""
        return await self._files.count_documents({"_id": photo_id}, limit=1) > 0
