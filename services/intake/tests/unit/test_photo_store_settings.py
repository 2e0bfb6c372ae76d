"""Which photo store the settings choose, and the start-up refusals that name the missing setting."""

from __future__ import annotations

import pytest

from intake.config import IncompleteSettings, IntakeSettings, MissingKeyError

S3 = {"s3_endpoint_url": "http://127.0.0.1:9000", "s3_bucket": "photos", "s3_access_key": "ak",
      "s3_secret_key": "sk"}


def settings(**values: object) -> IntakeSettings:
    base: dict[str, object] = {"mongodb_url": None, "dev_mode": True}
    return IntakeSettings(**{**base, **values})


@pytest.mark.parametrize(("values", "kind"), [
    ({}, "file"),
    ({"mongodb_url": "mongodb://127.0.0.1:27017"}, "gridfs"),
    (S3, "s3"),
    ({**S3, "mongodb_url": "mongodb://127.0.0.1:27017"}, "s3"),
    ({**S3, "photo_store": "file"}, "file"),
    ({"photo_store": "file", "mongodb_url": "mongodb://127.0.0.1:27017"}, "file"),
])
def test_the_s3_store_wins_whenever_configured_unless_another_is_named(values, kind):
    assert settings(**values).photo_store_kind() == kind


@pytest.mark.parametrize(("values", "named"), [
    ({"photo_store": "s3"}, "INTAKE_S3_ENDPOINT_URL and INTAKE_S3_BUCKET"),
    ({"photo_store": "s3", "s3_bucket": "photos"}, "INTAKE_S3_ENDPOINT_URL"),
    ({"s3_endpoint_url": "http://127.0.0.1:9000"}, "INTAKE_S3_BUCKET"),
    ({**S3, "s3_endpoint_url": "minio:9000"}, "must start with http:// or https://"),
    ({**S3, "s3_secret_key": None}, "INTAKE_S3_SECRET_KEY is not set"),
    ({"photo_store": "gridfs"}, "MONGODB_URL"),
])
def test_an_incomplete_choice_is_refused_naming_the_setting(values, named):
    with pytest.raises(IncompleteSettings) as refused:
        settings(**values).photo_store_kind()
    assert named in str(refused.value)


def test_outside_dev_mode_the_s3_store_needs_its_credentials():
    no_keys = {**S3, "s3_access_key": None, "s3_secret_key": None}
    assert settings(**no_keys).photo_store_kind() == "s3"  # dev mode: boto3's own credential chain
    with pytest.raises(MissingKeyError, match="INTAKE_S3_ACCESS_KEY and INTAKE_S3_SECRET_KEY"):
        settings(**no_keys, dev_mode=False).photo_store_kind()
    assert settings(**S3, dev_mode=False).photo_store_kind() == "s3"


def test_the_settings_are_read_from_intake_prefixed_variables(monkeypatch):
    for name, value in {"INTAKE_PHOTO_STORE": "s3", "INTAKE_S3_ENDPOINT_URL": "https://oss-cn-hangzhou.aliyuncs.com",
                        "INTAKE_S3_BUCKET": "whistle", "INTAKE_S3_ACCESS_KEY": "ak", "INTAKE_S3_SECRET_KEY": "sk",
                        "INTAKE_S3_REGION": "oss-cn-hangzhou", "INTAKE_S3_PREFIX": "d7/",
                        "INTAKE_S3_ADDRESSING_STYLE": "virtual"}.items():
        monkeypatch.setenv(name, value)
    s = IntakeSettings(mongodb_url=None)
    assert (s.photo_store_kind(), s.s3_bucket, s.s3_region, s.s3_prefix, s.s3_addressing_style) == (
        "s3", "whistle", "oss-cn-hangzhou", "d7/", "virtual")
