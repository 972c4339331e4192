from pydantic_settings import SettingsConfigDict

from casekit.settings import ServiceSettings


class ClosureSettings(ServiceSettings):
    """CLOSURE_PORT, CLOSURE_DB_SCHEMA, … plus the shared DATABASE_URL and KAFKA_BOOTSTRAP_SERVERS."""

    model_config = SettingsConfigDict(env_prefix="CLOSURE_", extra="ignore", frozen=True)

    port: int = 8003
    db_schema: str = "closure"
