"""Photos through the API with the S3-compatible store (moto server): stored privately, served only to the allowed."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from intake.config import IncompleteSettings

from ..conftest import COMPOUND, STAFF, running
from .conftest import ACCESS_KEY, SECRET_KEY

pytestmark = pytest.mark.rabbitmq


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (50, 40), (10, 160, 60)).save(out, format="JPEG")
    return out.getvalue()


def s3_settings(s3_server, bucket: str) -> dict[str, object]:
    return {"s3_endpoint_url": s3_server.endpoint_url, "s3_bucket": bucket, "s3_access_key": ACCESS_KEY,
            "s3_secret_key": SECRET_KEY, "s3_prefix": "intake/photos/"}


async def upload(client) -> str:
    res = await client.post("/v1/photos", files={"file": ("p.jpg", jpeg(), "image/jpeg")})
    assert res.status_code == 201, res.text
    return str(res.json()["id"])


async def test_photos_live_in_the_bucket_and_are_served_only_with_the_token_or_to_staff(app_with, s3_server,
                                                                                        settings):
    bucket = s3_server.new_bucket()
    async with app_with(**s3_settings(s3_server, bucket)) as (client, _):
        photo_id = await upload(client)
        assert s3_server.keys(bucket) == [f"intake/photos/{photo_id}"]
        assert not settings.photo_dir().exists()
        created = (await client.post("/v1/requests", json={"compound_id": COMPOUND, "text": "楼道灯坏了",
                                                           "photos": [photo_id]})).json()
        url = f"/v1/requests/{created['id']}/photos/{photo_id}"
        assert (await client.get(url)).status_code == 403
        assert (await client.get(url, params={"token": "wrong"})).status_code == 403
        ok = await client.get(url, params={"token": created["access_token"]})
        assert ok.status_code == 200 and ok.content == jpeg() and ok.headers["content-type"] == "image/jpeg"
        assert ok.headers["cache-control"].startswith("private")
        assert (await client.get(url, headers=STAFF)).status_code == 200


async def test_a_photo_gone_from_the_bucket_answers_404(app_with, s3_server):
    bucket = s3_server.new_bucket()
    async with app_with(**s3_settings(s3_server, bucket)) as (client, _):
        photo_id = await upload(client)
        created = (await client.post("/v1/requests", json={"compound_id": COMPOUND, "text": "井盖缺失",
                                                           "photos": [photo_id]})).json()
        s3_server.client.delete_object(Bucket=bucket, Key=f"intake/photos/{photo_id}")
        res = await client.get(f"/v1/requests/{created['id']}/photos/{photo_id}",
                               params={"token": created["access_token"]})
        assert res.status_code == 404
        assert res.json()["detail"] == [{"field": "photo", "message": "未找到该照片"}]


async def test_a_failing_store_tells_the_resident_in_chinese_and_keeps_nothing(app_with, s3_server, settings):
    bucket = s3_server.new_bucket()
    async with app_with(**s3_settings(s3_server, bucket)) as (client, _):
        s3_server.client.delete_bucket(Bucket=bucket)  # the store fails after intake started
        res = await client.post("/v1/photos", files={"file": ("p.jpg", jpeg(), "image/jpeg")})
        assert res.status_code == 503
        assert res.json()["detail"] == [{"field": "photos", "message": "照片保存失败，请稍后重新上传"}]
        s3_server.client.create_bucket(Bucket=bucket)
        assert s3_server.keys(bucket) == []
        assert not settings.photo_dir().exists()


async def test_a_missing_bucket_fails_the_start_naming_it(settings, s3_server):
    absent = settings.model_copy(update=s3_settings(s3_server, "no-such-bucket"))
    with pytest.raises(IncompleteSettings, match=r"bucket no-such-bucket not found.*INTAKE_S3_BUCKET"):
        async with running(absent):
            pass


async def test_an_incomplete_s3_configuration_fails_to_start_naming_the_setting(settings):
    incomplete = settings.model_copy(update={"photo_store": "s3", "s3_endpoint_url": "http://127.0.0.1:9"})
    with pytest.raises(IncompleteSettings, match="INTAKE_S3_BUCKET"):
        async with running(incomplete):
            pass
