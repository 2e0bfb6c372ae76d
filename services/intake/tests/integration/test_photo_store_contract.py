"""One photo-store contract over files, an S3-compatible store (moto server) and GridFS (real MongoDB only).

GridFS does not run over mongomock: PyMongo's AsyncGridFSBucket insists on a real AsyncCollection and
pymongo_async_mock hands it mongomock's synchronous Collection ("root_collection must be an instance of
AsyncCollection"), so the GridFS case needs MONGODB_URL.
"""

from __future__ import annotations

import io
import os
import uuid
from collections.abc import AsyncIterator

import pytest
from PIL import Image

from intake.adapters.photo_store import FilePhotoStore, GridFsPhotoStore, PhotoStoreError
from intake.adapters.s3_photo_store import S3Location, S3PhotoStore, s3_client

from .conftest import ACCESS_KEY, SECRET_KEY

NO_MONGODB = "MONGODB_URL not set: GridFS needs a real MongoDB (AsyncGridFSBucket does not run over mongomock)"
STORES = ["file", "s3", pytest.param("gridfs", marks=pytest.mark.skipif(not os.environ.get("MONGODB_URL"),
                                                                        reason=NO_MONGODB))]


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 120, 200)).save(out, format="JPEG")
    return out.getvalue()


def new_id(ext: str = "jpg") -> str:
    return f"{uuid.uuid4().hex}.{ext}"


def s3_store(s3_server, bucket: str, prefix: str = "intake/photos/") -> S3PhotoStore:
    where = S3Location(endpoint_url=s3_server.endpoint_url, bucket=bucket, prefix=prefix, access_key=ACCESS_KEY,
                       secret_key=SECRET_KEY)
    return S3PhotoStore(s3_client(where), bucket=bucket, prefix=prefix)


@pytest.fixture(params=STORES)
async def store(request, tmp_path) -> AsyncIterator[object]:
    if request.param == "file":
        yield FilePhotoStore(tmp_path / "photos")
        return
    if request.param == "s3":
        s3_server = request.getfixturevalue("s3_server")
        s3 = s3_store(s3_server, s3_server.new_bucket())
        await s3.check()
        yield s3
        s3.close()
        return
    from pymongo import AsyncMongoClient

    client = AsyncMongoClient(os.environ["MONGODB_URL"], tz_aware=True)
    name = f"whistle_intake_photos_t{uuid.uuid4().hex[:8]}"
    yield GridFsPhotoStore(client[name])
    await client.drop_database(name)
    await client.close()


async def test_a_photo_is_stored_read_back_byte_for_byte_and_deleted(store):
    photo_id, data = new_id(), jpeg()
    await store.put(photo_id, data, "image/jpeg")
    assert await store.exists(photo_id)
    assert await store.get(photo_id) == data
    await store.delete(photo_id)
    assert not await store.exists(photo_id)
    assert await store.get(photo_id) is None


async def test_a_large_photo_survives_the_round_trip_unchanged(store):
    photo_id, data = new_id("png"), os.urandom(4 * 1024 * 1024 + 17)
    await store.put(photo_id, data, "image/png")
    assert await store.get(photo_id) == data


async def test_a_missing_photo_reads_as_none_and_deleting_it_is_harmless(store):
    photo_id = new_id()
    assert await store.get(photo_id) is None
    assert not await store.exists(photo_id)
    await store.delete(photo_id)
    assert await store.get(photo_id) is None


async def test_deleting_one_photo_leaves_the_others(store):
    first, second = new_id(), new_id("webp")
    await store.put(first, b"first", "image/jpeg")
    await store.put(second, b"second", "image/webp")
    await store.delete(first)
    assert await store.get(first) is None
    assert await store.get(second) == b"second"


@pytest.mark.parametrize("bad", ["../../etc/passwd", "a/b.jpg", "0" * 32 + ".gif", "x.jpg", ""])
async def test_ids_intake_never_hands_out_reach_nothing(store, bad):
    with pytest.raises(KeyError):
        await store.put(bad, b"x", "image/jpeg")
    assert await store.get(bad) is None
    assert not await store.exists(bad)
    await store.delete(bad)


async def test_s3_objects_sit_under_the_prefix_private_with_their_media_type(s3_server):
    bucket = s3_server.new_bucket()
    store = s3_store(s3_server, bucket, prefix="district-7/photos/")
    photo_id = new_id("webp")
    await store.put(photo_id, b"RIFF....WEBP", "image/webp")
    assert s3_server.keys(bucket) == [f"district-7/photos/{photo_id}"]
    head = s3_server.client.head_object(Bucket=bucket, Key=f"district-7/photos/{photo_id}")
    assert head["ContentType"] == "image/webp"
    grants = s3_server.client.get_object_acl(Bucket=bucket, Key=f"district-7/photos/{photo_id}")["Grants"]
    assert [g["Permission"] for g in grants] == ["FULL_CONTROL"]
    assert all("URI" not in g["Grantee"] for g in grants)  # no AllUsers / AuthenticatedUsers grant
    store.close()


async def test_s3_check_names_a_missing_bucket(s3_server):
    store = s3_store(s3_server, f"absent-{uuid.uuid4().hex[:8]}")
    with pytest.raises(PhotoStoreError, match="INTAKE_S3_BUCKET"):
        await store.check()
    store.close()


async def test_s3_failures_surface_as_photo_store_errors_and_leave_nothing(s3_server):
    bucket = s3_server.new_bucket()
    store = s3_store(s3_server, bucket)
    s3_server.client.delete_bucket(Bucket=bucket)
    with pytest.raises(PhotoStoreError):
        await store.put(new_id(), jpeg(), "image/jpeg")
    s3_server.client.create_bucket(Bucket=bucket)
    assert s3_server.keys(bucket) == []
    store.close()


async def test_a_file_write_that_fails_half_way_leaves_no_partial_file(tmp_path):
    store, photo_id = FilePhotoStore(tmp_path), new_id()
    (tmp_path / photo_id[:2] / photo_id / "occupied").mkdir(parents=True)  # the rename after the write fails
    with pytest.raises(PhotoStoreError):
        await store.put(photo_id, jpeg(), "image/jpeg")
    assert not list(tmp_path.rglob("*.part"))
    assert await store.get(photo_id) is None
