"""Settings every service shares; each service subclasses with its own env prefix and port."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from contracts.topology import DEFAULT_DELIVERY_LIMIT, Topology


class ServiceSettings(BaseSettings):
    """Broker, store, bind address and mode; unprefixed names are shared by all services."""

    model_config = SettingsConfigDict(populate_by_name=True, extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8000
    rabbitmq_url: str = Field(
        "amqp://guest:guest@127.0.0.1:5672/", validation_alias=AliasChoices("rabbitmq_url", "RABBITMQ_URL"))
    mongodb_url: str | None = Field(None, validation_alias=AliasChoices("mongodb_url", "MONGODB_URL"))
    mongodb_db: str | None = None
    data_dir: Path = Field(Path("var/data"), validation_alias=AliasChoices("data_dir", "WHISTLE_DATA_DIR"))
    amqp_prefix: str = Field("whistle", validation_alias=AliasChoices("amqp_prefix", "WHISTLE_AMQP_PREFIX"))
    delivery_limit: int = Field(
        DEFAULT_DELIVERY_LIMIT, validation_alias=AliasChoices("delivery_limit", "WHISTLE_DELIVERY_LIMIT"))
    prefetch: int = 50
    dev_mode: bool = Field(True, validation_alias=AliasChoices("dev_mode", "WHISTLE_DEV_MODE"))
    log_level: str = Field("INFO", validation_alias=AliasChoices("log_level", "WHISTLE_LOG_LEVEL"))
    outbox_poll_s: float = 0.5
    # Authentication (docs/security.md). `jwks_url` is read as <SERVICE>_JWKS_URL, the others unprefixed.
    jwks_url: str | None = Field(None, description="JWKS URL of the platform's token issuer (the router)")
    shared_jwks_url: str | None = Field(None, validation_alias=AliasChoices("shared_jwks_url", "WHISTLE_JWKS_URL"))
    oidc_issuer: str | None = Field(None, validation_alias=AliasChoices("oidc_issuer", "WHISTLE_OIDC_ISSUER"))
    oidc_audience: str | None = Field(
        None, validation_alias=AliasChoices("oidc_audience", "WHISTLE_OIDC_AUDIENCE"))
    jwt_issuer: str = Field("whistle-router", validation_alias=AliasChoices("jwt_issuer", "WHISTLE_JWT_ISSUER"))
    jwt_audience: str = Field("whistle", validation_alias=AliasChoices("jwt_audience", "WHISTLE_JWT_AUDIENCE"))
    dev_anonymous: bool = Field(
        True, validation_alias=AliasChoices("dev_anonymous", "WHISTLE_DEV_ANONYMOUS"),
        description="dev mode only: staff endpoints called without credentials act as the dev district operator")
    event_sources: dict[str, list[str]] = Field(
        default_factory=dict, validation_alias=AliasChoices("event_sources", "WHISTLE_EVENT_SOURCES"),
        description='JSON {"<type pattern>": ["<source>", ...]} replacing entries of the producer allow-list')

    @property
    def topology(self) -> Topology:
        """The broker names this deployment uses."""
        return Topology(prefix=self.amqp_prefix, delivery_limit=self.delivery_limit)

    def resolved_jwks_url(self) -> str | None:
        """The service's own JWKS URL setting, else the shared one."""
        return self.jwks_url or self.shared_jwks_url

    def store_label(self) -> str:
        """Which store is in use, for the start-up line and test summaries."""
        return "mongodb" if self.mongodb_url else "sqlite"
