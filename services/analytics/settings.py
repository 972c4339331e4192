from pydantic_settings import SettingsConfigDict

from casekit.settings import ServiceSettings


class AnalyticsSettings(ServiceSettings):
    """ANALYTICS_PORT, ANALYTICS_DB_SCHEMA, … plus the shared DATABASE_URL and KAFKA_BOOTSTRAP_SERVERS."""

    model_config = SettingsConfigDict(env_prefix="ANALYTICS_", extra="ignore", frozen=True)

    port: int = 8004
    db_schema: str = "analytics"
