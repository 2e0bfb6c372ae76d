"""Photos in an S3-compatible object store (MinIO, Ceph RGW, Alibaba OSS, Tencent COS, AWS S3).

Objects stay private (no ACL is set, no presigned URL is handed out): intake reads them back itself and
serves them only to those allowed to see the request. boto3 is synchronous, so each call runs in a thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from intake.adapters.photo_store import PhotoStoreError, valid_id

_MISSING = {"404", "NoSuchKey", "NotFound"}


@dataclass(frozen=True)
class S3Location:
    """Where the bucket is and how to sign requests to it."""

    endpoint_url: str
    bucket: str
    region: str = "us-east-1"
    prefix: str = ""
    access_key: str | None = None
    secret_key: str | None = None
    addressing_style: str = "path"


def s3_client(where: S3Location) -> Any:
    """A boto3 S3 client for the endpoint (thread-safe, shared by all calls).

    Checksums only when the operation requires them: since boto3 1.36 every upload carries a CRC32
    by default, which several S3-compatible stores (OSS, COS, older MinIO and Ceph) refuse.
    """
    import boto3
    from botocore.config import Config

    config = Config(signature_version="s3v4", s3={"addressing_style": where.addressing_style},
                    connect_timeout=5, read_timeout=30, retries={"max_attempts": 3, "mode": "standard"},
                    request_checksum_calculation="when_required", response_checksum_validation="when_required")
    session = boto3.session.Session()
    return session.client("s3", endpoint_url=where.endpoint_url, region_name=where.region,
                          aws_access_key_id=where.access_key, aws_secret_access_key=where.secret_key,
                          config=config)


def _code(exc: BaseException | None) -> str:
    response = getattr(exc, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))


class _Missing(Exception):
    """The store answered 404: no such object (or, for a PUT or a bucket HEAD, no such bucket)."""


class S3PhotoStore:
    """One private object per photo under `prefix` in one bucket."""

    def __init__(self, client: Any, *, bucket: str, prefix: str = "") -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        self._client = client
        self._bucket = bucket
        self._prefix = prefix
        self._errors: tuple[type[Exception], ...] = (BotoCoreError, ClientError)

    def _key(self, photo_id: str) -> str:
        if not valid_id(photo_id):
            raise KeyError(photo_id)
        return f"{self._prefix}{photo_id}"

    async def _call(self, what: str, call: Callable[[], Any]) -> Any:
        try:
            return await asyncio.to_thread(call)
        except self._errors as exc:
            if _code(exc) in _MISSING:
                raise _Missing(what) from exc
            raise PhotoStoreError(f"object store {what} in bucket {self._bucket}: {exc}") from exc

    async def put(self, photo_id: str, data: bytes, media_type: str) -> None:
        """One PUT: S3 stores the whole object or nothing."""
        key = self._key(photo_id)
        try:
            await self._call("PUT", lambda: self._client.put_object(
                Bucket=self._bucket, Key=key, Body=data, ContentType=media_type))
        except _Missing as exc:
            raise PhotoStoreError(f"object store bucket {self._bucket} not found") from exc

    async def get(self, photo_id: str) -> bytes | None:
        """The object's bytes, or None when there is no such object."""
        if not valid_id(photo_id):
            return None
        key = self._key(photo_id)

        def read() -> bytes:
            body = self._client.get_object(Bucket=self._bucket, Key=key)["Body"]
            with body:
                return bytes(body.read())

        try:
            return await self._call("GET", read)  # type: ignore[no-any-return]
        except _Missing:
            return None

    async def exists(self, photo_id: str) -> bool:
        """True when the object is there (a HEAD request)."""
        if not valid_id(photo_id):
            return False
        key = self._key(photo_id)
        try:
            await self._call("HEAD", lambda: self._client.head_object(Bucket=self._bucket, Key=key))
        except _Missing:
            return False
        return True

    async def delete(self, photo_id: str) -> None:
        """Remove the object; S3 answers the same whether it was there or not."""
        if not valid_id(photo_id):
            return
        key = self._key(photo_id)
        try:
            await self._call("DELETE", lambda: self._client.delete_object(Bucket=self._bucket, Key=key))
        except _Missing:
            return

    async def check(self) -> None:
        """At start: the bucket exists and the credentials open it, else PhotoStoreError saying which."""
        try:
            await self._call("HEAD bucket", lambda: self._client.head_bucket(Bucket=self._bucket))
        except _Missing as exc:
            raise PhotoStoreError(f"object store bucket {self._bucket} not found (INTAKE_S3_BUCKET); "
                                  "create it, private, before starting intake") from exc
        except PhotoStoreError as exc:
            if _code(exc.__cause__) in ("403", "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch"):
                raise PhotoStoreError(f"object store refused the credentials for bucket {self._bucket} "
                                      "(INTAKE_S3_ACCESS_KEY / INTAKE_S3_SECRET_KEY)") from exc
            raise

    def close(self) -> None:
        """Close the client's connection pool."""
        self._client.close()
