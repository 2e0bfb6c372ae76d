"""Router settings: env prefix ROUTER_, port 8001, organisation and rules files, contact key."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import SettingsConfigDict

from servicekit.settings import ServiceSettings

# The dev-mode contact key (Fernet, urlsafe base64 of 32 bytes). It is public: documented in
# docs/departments.md and used by intake in dev mode only. Production sets WHISTLE_CONTACT_KEY.
DEV_CONTACT_KEY = "d2hpc3RsZS1kZXYtY29udGFjdC1rZXktbm90LXNhZmU="  # the same public dev key as intake
DEFAULT_ORG_FILE = Path("deploy/demo/org.yaml")


class RouterSettings(ServiceSettings):
    """Everything the router reads from its environment."""

    model_config = SettingsConfigDict(env_prefix="ROUTER_", populate_by_name=True, extra="ignore")

    port: int = 8001
    mongodb_db: str | None = "whistle_router"
    org_file: Path | None = Field(None, description="organisation YAML; default deploy/demo/org.yaml")
    rules_file: Path | None = Field(None, description="routing rules YAML; default the packaged rule set")
    contact_key: str | None = Field(
        None, validation_alias=AliasChoices("contact_key", "WHISTLE_CONTACT_KEY", "ROUTER_CONTACT_KEY"))
    admin_api_key: str | None = Field(None, description="X-API-Key for the admin and triage API; none = dev open")
    department_keys: dict[str, str] = Field(
        default_factory=dict, description='JSON {"dept_code": "api key"} for department REST replies')
    classifier_model: Path | None = Field(
        None, description="router-train model with <class>/<sub-category> labels; default the shipped community model")
    domain_model: Path | None = Field(
        None, description="router-train model with department-domain labels (e.g. 城乡建设), for whistles")
    classifier_enabled: bool = True
    triage_threshold: float = Field(0.55, ge=0.0, le=1.0)
    duplicate_window_hours: float = 72.0
    duplicate_similarity: float = Field(0.5, ge=0.0, le=1.0)

    def sqlite_path(self) -> Path:
        """The service's SQLite file."""
        return self.data_dir / "router.sqlite3"

    def resolved_org_file(self) -> Path:
        """The organisation file: the setting, or the demo file found from the cwd or the repo root."""
        if self.org_file is not None:
            return self.org_file
        for base in (Path.cwd(), *Path(__file__).resolve().parents):
            candidate = base / DEFAULT_ORG_FILE
            if candidate.is_file():
                return candidate
        return DEFAULT_ORG_FILE

    def resolved_contact_key(self) -> str:
        """The Fernet key for sealed contacts; the dev key only in dev mode."""
        if self.contact_key:
            return self.contact_key
        if self.dev_mode:
            return DEV_CONTACT_KEY
        raise RuntimeError("WHISTLE_CONTACT_KEY must be set when WHISTLE_DEV_MODE is off")
