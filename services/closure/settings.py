from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from casekit.settings import ServiceSettings
from cityconfig.city import DEFAULT_CITY


class ClosureSettings(ServiceSettings):
    """CLOSURE_PORT, CLOSURE_DB_SCHEMA, … plus the shared DATABASE_URL, KAFKA_BOOTSTRAP_SERVERS and CITY_CONFIG."""

    model_config = SettingsConfigDict(env_prefix="CLOSURE_", extra="ignore", frozen=True)

    port: int = 8003
    db_schema: str = "closure"
    city_config: Path = Field(DEFAULT_CITY, validation_alias="CITY_CONFIG")
    timer_poll_seconds: float = Field(0.5, gt=0, description="How often the timer worker looks for due timers")
    timer_concurrency: int = Field(16, ge=1, le=256, description="Timers fired at once per instance")
    warn_share: float = Field(0.8, gt=0, lt=1, description="预警: warn after this share of a stage's limit")
    escalate_after: str = Field(
        "4 working_hours",
        description="督办: escalate a case this long after it is overdue "
        "('<n> minutes|hours|working_hours|working_days')",
    )
