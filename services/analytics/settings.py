from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from casekit.settings import ServiceSettings
from cityconfig.city import DEFAULT_CITY


class AnalyticsSettings(ServiceSettings):
    """ANALYTICS_PORT, ANALYTICS_DB_SCHEMA, … plus the shared DATABASE_URL, KAFKA_BOOTSTRAP_SERVERS and CITY_CONFIG."""

    model_config = SettingsConfigDict(env_prefix="ANALYTICS_", extra="ignore", frozen=True)

    port: int = 8004
    db_schema: str = "analytics"
    city_config: Path = Field(DEFAULT_CITY, validation_alias="CITY_CONFIG")
