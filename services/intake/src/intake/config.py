"""Intake's settings (env prefix INTAKE_), including the keys that protect residents' contact data."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field
from pydantic_settings import SettingsConfigDict

from servicekit.auth.envsecrets import MissingSecret
from servicekit.settings import ServiceSettings

# Fixed, public development keys (Fernet, urlsafe base64 of 32 bytes). Used only when dev_mode is on
# and no key is configured; never use them for real residents' data.
DEV_CONTACT_KEY = "d2hpc3RsZS1kZXYtY29udGFjdC1rZXktbm90LXNhZmU="  # b"whistle-dev-contact-key-not-safe"
DEV_STORAGE_KEY = "d2hpc3RsZS1kZXYtaW50YWtlLWF0LXJlc3Qta2V5ISE="  # b"whistle-dev-intake-at-rest-key!!"
DEV_QR_KEYS = "dev:whistle-dev-qr-secret-not-safe"
DEV_STAFF_TOKENS = "dev-staff-token:演示工作人员"


class MissingKeyError(MissingSecret):
    """A key needed to protect residents' data is not configured outside dev mode."""


class IncompleteSettings(MissingSecret):
    """A setting the chosen configuration needs is missing or malformed; the message names it."""


class IntakeSettings(ServiceSettings):
    """Everything intake reads from the environment."""

    model_config = SettingsConfigDict(env_prefix="INTAKE_", populate_by_name=True, extra="ignore")

    port: int = 8000
    mongodb_db: str | None = "whistle_intake"
    org_file: Path = Path("deploy/demo/org.yaml")
    public_base_url: str | None = Field(None, description="URL residents reach intake at; default http://host:port")
    contact_key: str | None = Field(
        None, validation_alias=AliasChoices("contact_key", "WHISTLE_CONTACT_KEY"),
        description="Fernet key(s), comma-separated, newest first; seals contacts in events for the router")
    storage_key: str | None = Field(
        None, description="Fernet key(s), comma-separated, newest first; encrypts contacts at rest")
    qr_keys: str | None = Field(
        None, description="HMAC keys for compound tokens as kid:secret pairs, comma-separated, signing key first")
    qr_revoked: str = Field("", description="revoked compound tokens or key ids, comma-separated")
    staff_tokens: str = Field("", description="staff API tokens as token:name pairs, comma-separated")
    open311_api_keys: str = Field("", description="Open311 API keys, comma-separated")
    poster_hours_line: str = "每天17:00—次日8:30，如有困难请直接扫码上报"
    rate_limit_per_ip: int = 300
    rate_limit_per_phone: int = 10
    rate_window_s: int = 3600
    retention_days: int = 180
    retention_interval_s: float = 3600.0
    outbox_limit: int = Field(
        100_000, description="answer 503 + Retry-After while this many events wait unpublished; 0 = never")
    outbox_retry_after_s: int = Field(30, description="Retry-After of that 503, in seconds")
    max_in_flight: int = Field(
        200, description="requests in progress beyond which new ones get 503 + Retry-After: 1 at once; 0 = none")
    max_photo_bytes: int = 5 * 1024 * 1024
    max_photos: int = 3
    photo_store: Literal["auto", "file", "gridfs", "s3"] = Field(
        "auto", description="auto: s3 when INTAKE_S3_BUCKET or INTAKE_S3_ENDPOINT_URL is set, else gridfs with "
                            "MONGODB_URL, else files under the data directory")
    s3_endpoint_url: str | None = Field(None, description="S3-compatible endpoint, e.g. http://minio:9000")
    s3_bucket: str | None = Field(None, description="bucket for photos (private; created by the operator)")
    s3_access_key: str | None = None
    s3_secret_key: str | None = None
    s3_region: str = "us-east-1"
    s3_prefix: str = Field("intake/photos/", description="key prefix of the photo objects")
    s3_addressing_style: Literal["path", "virtual"] = Field(
        "path", description="path for MinIO/Ceph; virtual for Alibaba OSS and Tencent COS")

    def staff_token_map(self) -> dict[str, str]:
        """Static staff tokens to names: dev mode only (the documented dev token when none is set).

        Outside dev mode staff present bearer JWTs (docs/security.md) and a static token refuses the start.
        """
        if not self.dev_mode:
            if self.staff_tokens:
                raise MissingKeyError("intake: INTAKE_STAFF_TOKENS is for dev mode only; outside it staff sign in "
                                      "with bearer tokens (docs/security.md)")
            return {}
        raw = self.staff_tokens or DEV_STAFF_TOKENS
        pairs = (p.split(":", 1) for p in raw.split(",") if ":" in p)
        return {token.strip(): name.strip() for token, name in pairs if token.strip()}

    def open311_key_set(self) -> set[str]:
        """Accepted Open311 API keys; `dev-open311-key` in dev mode when none is set (refused outside it)."""
        raw = self.open311_api_keys or ("dev-open311-key" if self.dev_mode else "")
        keys = {k.strip() for k in raw.split(",") if k.strip()}
        if not self.dev_mode and "dev-open311-key" in keys:
            raise MissingKeyError("intake: INTAKE_OPEN311_API_KEYS holds the public dev key dev-open311-key")
        return keys

    def base_url(self) -> str:
        """The public base URL used in QR codes and links."""
        return (self.public_base_url or f"http://{self.host}:{self.port}").rstrip("/")

    def sqlite_path(self) -> Path:
        """The embedded store's file."""
        return self.data_dir / "intake.sqlite3"

    def photo_dir(self) -> Path:
        """Where photos live with the embedded store."""
        return self.data_dir / "intake-photos"

    def photo_store_kind(self) -> str:
        """file, gridfs or s3 (s3 whenever it is configured); a refusal to start naming what is missing."""
        kind = self.photo_store
        if kind == "auto":
            kind = "s3" if self.s3_bucket or self.s3_endpoint_url else "gridfs" if self.mongodb_url else "file"
        if kind == "gridfs" and not self.mongodb_url:
            raise IncompleteSettings("intake: INTAKE_PHOTO_STORE=gridfs needs MONGODB_URL")
        if kind == "s3":
            self._check_s3()
        return kind

    def _check_s3(self) -> None:
        missing = [name for name, value in (("INTAKE_S3_ENDPOINT_URL", self.s3_endpoint_url),
                                            ("INTAKE_S3_BUCKET", self.s3_bucket)) if not value]
        if missing:
            raise IncompleteSettings(f"intake: the S3 photo store needs {' and '.join(missing)}")
        if not (self.s3_endpoint_url or "").startswith(("http://", "https://")):
            raise IncompleteSettings("intake: INTAKE_S3_ENDPOINT_URL must start with http:// or https://")
        keys = {"INTAKE_S3_ACCESS_KEY": self.s3_access_key, "INTAKE_S3_SECRET_KEY": self.s3_secret_key}
        unset = [name for name, value in keys.items() if not value]
        if len(unset) == 1:
            raise IncompleteSettings(f"intake: {unset[0]} is not set; the S3 photo store needs both keys")
        if unset and not self.dev_mode:
            raise MissingKeyError("intake: INTAKE_S3_ACCESS_KEY and INTAKE_S3_SECRET_KEY are not set; outside dev "
                                  "mode (WHISTLE_DEV_MODE=false) the S3 photo store needs its own credentials")

    def resolved_contact_key(self) -> str:
        """The sealing key, the dev key in dev mode, or a refusal to start."""
        return _key_or_dev(self.contact_key, DEV_CONTACT_KEY, "WHISTLE_CONTACT_KEY", self.dev_mode)

    def resolved_storage_key(self) -> str:
        """The at-rest key, the dev key in dev mode, or a refusal to start."""
        return _key_or_dev(self.storage_key, DEV_STORAGE_KEY, "INTAKE_STORAGE_KEY", self.dev_mode)

    def resolved_qr_keys(self) -> str:
        """The compound-token HMAC keys, the dev key in dev mode, or a refusal to start."""
        return _key_or_dev(self.qr_keys, DEV_QR_KEYS, "INTAKE_QR_KEYS", self.dev_mode)


def _key_or_dev(value: str | None, dev: str, name: str, dev_mode: bool) -> str:
    if value and (dev_mode or dev not in (v.strip() for v in value.split(","))):
        return value
    if dev_mode:
        return dev
    if value:
        raise MissingKeyError(f"intake: {name} still has the public development value; set a real key")
    raise MissingKeyError(f"intake: {name} is not set; outside dev mode (WHISTLE_DEV_MODE=false) it is required")
