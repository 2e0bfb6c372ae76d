"""Settings of the reports service (env prefix REPORTS_; broker and store names are shared)."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import SettingsConfigDict

from servicekit.settings import ServiceSettings


class ReportsSettings(ServiceSettings):
    """Port 8003, the reports store, the organisation file and the hot-issue schedule."""

    model_config = SettingsConfigDict(env_prefix="REPORTS_", populate_by_name=True, extra="ignore")

    port: int = 8003
    mongodb_db: str | None = "whistle_reports"
    sqlite_name: str = "reports.sqlite3"
    org_file: Path = Path("deploy/demo/org.yaml")
    hotspot_interval_s: float = 300.0
    hotspot_window_days: float = 7.0
    hotspot_baseline_days: float = 90.0
    hotspots_enabled: bool = True
    # numpy, scipy and jieba (over 100 MB) live only in the child of each pass instead of in the service.
    hotspots_in_subprocess: bool = True

    @property
    def sqlite_path(self) -> Path:
        """Where the embedded store lives."""
        return self.data_dir / self.sqlite_name
