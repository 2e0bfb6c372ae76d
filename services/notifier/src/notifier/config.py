"""The notifier's settings (environment prefix NOTIFIER_; broker, store and data dir are shared names)."""

from __future__ import annotations

import os
import socket
from datetime import datetime, time
from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from notifier.adapters.channels.sms import DEFAULT_BODY
from servicekit.auth.envsecrets import MissingSecret, refuse_public
from servicekit.settings import ServiceSettings

DEV_WEBHOOK_SECRET = "whistle-dev-secret"  # public: dev mode only


def _instance_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


class NotifierSettings(ServiceSettings):
    """Everything the notifier reads from its environment."""

    model_config = SettingsConfigDict(env_prefix="NOTIFIER_", populate_by_name=True, extra="ignore")

    port: int = 8002
    mongodb_db: str | None = "whistle_notifier"
    sqlite_file: str = "notifier.sqlite3"
    policies_file: Path | None = Field(None, description="SLA policy book; the shipped defaults when unset")
    calendar_dirs: list[Path] = Field(default_factory=list, description="extra <year>.yaml calendar folders")
    roster_file: Path | None = None
    clock_speed: float = Field(1.0, gt=0, description="1440 = a day of deadlines per real minute")
    clock_epoch: datetime | None = Field(None, description="where the fast clock starts; share it between replicas")
    instance_id: str = Field(default_factory=_instance_id, description="lease owner name of this replica")
    scheduler_enabled: bool = True
    scheduler_poll_s: float = Field(1.0, gt=0, description="longest real wait between two claims")
    lease_s: float = Field(60.0, gt=0, description="how long (virtual seconds) a claimed timer stays leased")
    claim_batch: int = Field(100, ge=1)
    org_file: Path | None = Field(None, description="organisation YAML (communities, staff, street centres)")
    contacts_file: Path | None = Field(None, description="YAML of unit and department endpoints")
    max_attempts: int = Field(5, ge=1, description="delivery attempts before the dead-letter record")
    retry_base_s: float = Field(30.0, gt=0, description="first retry delay; doubles each attempt")
    retry_cap_s: float = Field(3600.0, gt=0)
    quiet_start: time = time(22, 0)
    quiet_end: time = time(7, 0)
    webhook_secret: str = Field(DEV_WEBHOOK_SECRET, description="HMAC-SHA256 key of the webhook signature")
    http_timeout_s: float = 10.0
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_from: str = "whistle@localhost"
    smtp_starttls: bool = False
    smtp_user: str | None = None
    smtp_password: str | None = None
    dingtalk_secret: str | None = None
    sms_url: str | None = None
    sms_method: str = "POST"
    sms_body_template: str = DEFAULT_BODY
    sms_headers: dict[str, str] = Field(default_factory=dict)

    def check_secrets(self) -> None:
        """Outside dev mode refuse the public default webhook secret (MissingSecret names it)."""
        refuse_public(self.webhook_secret, name="NOTIFIER_WEBHOOK_SECRET", dev_mode=self.dev_mode,
                      public_values=[DEV_WEBHOOK_SECRET, "change-me-webhook-secret"])
        if not self.dev_mode and len(self.webhook_secret) < 16:
            raise MissingSecret("NOTIFIER_WEBHOOK_SECRET is shorter than 16 characters; set a real secret")

    @property
    def sqlite_path(self) -> Path:
        """The SQLite file under the data directory."""
        return self.data_dir / self.sqlite_file

    @property
    def database_name(self) -> str:
        """The MongoDB database name."""
        return self.mongodb_db or "whistle_notifier"
