from pydantic_settings import SettingsConfigDict

from casekit.settings import ServiceSettings


class DispatchSettings(ServiceSettings):
    """DISPATCH_PORT, DISPATCH_DB_SCHEMA, … plus the shared DATABASE_URL and KAFKA_BOOTSTRAP_SERVERS."""

    model_config = SettingsConfigDict(env_prefix="DISPATCH_", extra="ignore", frozen=True)

    port: int = 8002
    db_schema: str = "dispatch"
