from pydantic_settings import SettingsConfigDict

from casekit.settings import ServiceSettings


class IntakeSettings(ServiceSettings):
    """INTAKE_PORT, INTAKE_DB_SCHEMA, … plus the shared DATABASE_URL and KAFKA_BOOTSTRAP_SERVERS."""

    model_config = SettingsConfigDict(env_prefix="INTAKE_", extra="ignore", frozen=True)

    port: int = 8001
    db_schema: str = "intake"
