"""Configuration from the environment (DESIGN.md, Running): the settings every service shares."""

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    """Shared settings; a service subclasses it with its own env prefix, port and schema."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    database_url: str = Field(validation_alias="DATABASE_URL")
    kafka_bootstrap_servers: str = Field(validation_alias="KAFKA_BOOTSTRAP_SERVERS")
    kafka_topic_prefix: str = Field(
        "",
        validation_alias="KAFKA_TOPIC_PREFIX",
        description="Prepended to every topic and group name: isolates tests and tenants",
    )
    log_level: str = Field("INFO", validation_alias="LOG_LEVEL")
    host: str = "127.0.0.1"
    port: int
    db_schema: str
    db_pool_size: int = 10
    drain_seconds: float = Field(
        0.0, description="After SIGTERM, report not-ready this long before closing (load balancers)"
    )

    access_issuer: str = Field(
        "city-cases-demo", validation_alias="ACCESS_ISSUER", description="The `iss` every accepted JWT names"
    )
    access_audience: str = Field("city-cases", validation_alias="ACCESS_AUDIENCE", description="Their `aud`")
    access_jwks_file: Path | None = Field(
        None, validation_alias="ACCESS_JWKS_FILE", description="The issuer's public keys (JWKS), re-read on a new kid"
    )
    access_jwks_url: str | None = Field(None, validation_alias="ACCESS_JWKS_URL", description="Or where to fetch them")
    access_key_cache_seconds: float = Field(
        5.0, ge=0, validation_alias="ACCESS_KEY_CACHE_SECONDS", description="A revoked API key works at most this long"
    )
    access_rate_per_caller: str = Field(
        "300/minute", validation_alias="ACCESS_RATE_PER_CALLER", description="Writes per key or person (limits syntax)"
    )
    access_rate_per_address: str = Field(
        "600/minute", validation_alias="ACCESS_RATE_PER_ADDRESS", description="Writes per client address"
    )

    def topic(self, name: str) -> str:
        return self.kafka_topic_prefix + name
