"""The notifier's settings (environment prefix NOTIFIER_; broker, store and data dir are shared names)."""

from __future__ import annotations

import os
import socket
from datetime import datetime
from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from servicekit.settings import ServiceSettings


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

    @property
    def sqlite_path(self) -> Path:
        """The SQLite file under the data directory."""
        return self.data_dir / self.sqlite_file

    @property
    def database_name(self) -> str:
        """The MongoDB database name."""
        return self.mongodb_db or "whistle_notifier"
