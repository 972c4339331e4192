"""Configuration from the environment (DESIGN.md, Running): the settings every service shares."""

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from casekit.kafka.connection import KafkaConnection, SaslMechanism, SecurityProtocol


class KafkaSettings(BaseSettings):
    """Where Kafka is and who we are there (ADR 0010); every service's, and tools' outside a service."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    kafka_bootstrap_servers: str = Field(validation_alias="KAFKA_BOOTSTRAP_SERVERS")
    kafka_topic_prefix: str = Field(
        "",
        validation_alias="KAFKA_TOPIC_PREFIX",
        description="Prepended to every topic and group name: isolates tests and tenants",
    )
    kafka_security_protocol: SecurityProtocol = Field(
        "PLAINTEXT",
        validation_alias="KAFKA_SECURITY_PROTOCOL",
        description="SASL_PLAINTEXT or SASL_SSL with the service's own SCRAM user (ADR 0010)",
    )
    kafka_sasl_mechanism: SaslMechanism = Field("SCRAM-SHA-512", validation_alias="KAFKA_SASL_MECHANISM")
    kafka_username: str | None = Field(None, validation_alias="KAFKA_USERNAME")
    kafka_password: SecretStr | None = Field(None, validation_alias="KAFKA_PASSWORD")

    @property
    def kafka(self) -> KafkaConnection:
        """This principal's connection to Kafka."""
        return KafkaConnection(
            self.kafka_bootstrap_servers,
            self.kafka_security_protocol,
            self.kafka_sasl_mechanism,
            self.kafka_username,
            self.kafka_password,
        )


class ServiceSettings(KafkaSettings):
    """Shared settings; a service subclasses it with its own env prefix, port and schema."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    database_url: str = Field(validation_alias="DATABASE_URL")
    log_level: str = Field("INFO", validation_alias="LOG_LEVEL")
    host: str = "127.0.0.1"
    port: int
    db_schema: str
    db_pool_size: int = 10
    http_max_body_bytes: int = Field(1_048_576, gt=0, description="A larger request body is refused 413")
    http_max_header_bytes: int = Field(16_384, gt=0, description="Header fields together; more is refused 431")
    http_max_json_depth: int = Field(32, gt=0, description="A JSON body nested deeper is refused 422")
    relay_idle_seconds: float = Field(
        0.05, gt=0, description="The outbox relay's longest pause between reads of new events, when idle"
    )
    relay_busy_seconds: float = Field(
        0.002, gt=0, description="Its pause after publishing a batch, doubled on each empty read (casekit/outbox.py)"
    )
    consumer_commit_seconds: float = Field(
        0.1, ge=0, description="How often a consumer commits its handled offsets to Kafka under load; 0: every batch"
    )
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


class TopicSettings(BaseSettings):
    """What whoever creates the topics (devstack, Strimzi's manifests) reads: retention of channel topics."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    channel_retention_days: float = Field(
        7.0,
        gt=0,
        validation_alias="KAFKA_CHANNEL_RETENTION_DAYS",
        description="How long reports.*.v1 keep reporters' messages (names, phones) once Intake has them",
    )
