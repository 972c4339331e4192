from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from casekit.settings import ServiceSettings
from cityconfig.city import DEFAULT_CITY


class DispatchSettings(ServiceSettings):
    """DISPATCH_PORT, DISPATCH_DB_SCHEMA, … plus the shared DATABASE_URL, KAFKA_BOOTSTRAP_SERVERS and CITY_CONFIG."""

    model_config = SettingsConfigDict(env_prefix="DISPATCH_", extra="ignore", frozen=True)

    port: int = 8002
    db_schema: str = "dispatch"
    city_config: Path = Field(DEFAULT_CITY, validation_alias="CITY_CONFIG")
    timer_poll_seconds: float = Field(0.5, gt=0, description="How often the timer worker looks for due timers")
    report_in_minutes: int = Field(30, ge=1, le=24 * 60, description="报到时限: minutes a summons gives to report in")
