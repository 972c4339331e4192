"""Configuration from the environment (DESIGN.md, Running): the settings every service shares."""

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
    http_max_body_bytes: int = Field(1_048_576, gt=0, description="A larger request body is refused 413")
    http_max_header_bytes: int = Field(16_384, gt=0, description="Header fields together; more is refused 431")
    http_max_json_depth: int = Field(32, gt=0, description="A JSON body nested deeper is refused 422")
    drain_seconds: float = Field(
        0.0, description="After SIGTERM, report not-ready this long before closing (load balancers)"
    )

    def topic(self, name: str) -> str:
        return self.kafka_topic_prefix + name
