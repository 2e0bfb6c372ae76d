"""Router settings: env prefix ROUTER_, port 8001, organisation and rules files, contact key."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import SettingsConfigDict

from servicekit.auth.apikeys import DEV_PEPPER
from servicekit.auth.envsecrets import refuse_public, resolve_secret
from servicekit.auth.keys import dev_key_setting
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
    admin_api_key: str | None = Field(None, description="X-API-Key acting as platform admin (automation); unset = none")
    department_keys: dict[str, str | list[str]] = Field(
        default_factory=dict, description='JSON {"dept_code": ["hmac-sha256:<digest>", ...]}; clear keys in dev only')
    api_key_pepper: str | None = Field(None, description="HMAC pepper of the department key digests")
    jwt_signing_keys: str | None = Field(
        None, description="Ed25519 signing keys as kid:base64url-seed, comma-separated, signing key first")
    token_issuing: bool = Field(True, description="serve POST /v1/auth/token (off when an OIDC provider issues)")
    token_ttl_s: int = Field(3600, ge=60, le=86400)
    users_file: Path | None = Field(None, description="staff users YAML (Argon2 hashes); dev users from the org in dev")
    dev_password: str = Field("whistle-dev", description="password of the generated dev users (dev mode only)")
    login_attempts: int = Field(10, ge=1, description="failed sign-ins per user name in 15 minutes before 429")
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
        return resolve_secret(self.contact_key, name="WHISTLE_CONTACT_KEY", dev_default=DEV_CONTACT_KEY,
                              dev_mode=self.dev_mode)

    def checked_admin_key(self) -> str | None:
        """The admin X-API-Key, refusing the example value outside dev mode."""
        refuse_public(self.admin_api_key, name="ROUTER_ADMIN_API_KEY", dev_mode=self.dev_mode,
                      public_values=["change-me-router-admin-key"])
        return self.admin_api_key

    def resolved_signing_keys(self) -> str:
        """The token signing keys; the public dev key in dev mode; a refusal outside it."""
        return resolve_secret(self.jwt_signing_keys, name="ROUTER_JWT_SIGNING_KEYS", dev_default=dev_key_setting(),
                              dev_mode=self.dev_mode)

    def resolved_pepper(self) -> str:
        """The department-key pepper; the public dev pepper in dev mode; a refusal outside it."""
        return resolve_secret(self.api_key_pepper, name="ROUTER_API_KEY_PEPPER", dev_default=DEV_PEPPER,
                              dev_mode=self.dev_mode)
