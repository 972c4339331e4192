from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from casekit.settings import ServiceSettings
from cityconfig.city import DEFAULT_CITY


class IntakeSettings(ServiceSettings):
    """INTAKE_PORT, INTAKE_PII_KEY, … plus the shared DATABASE_URL, KAFKA_BOOTSTRAP_SERVERS, CITY_CONFIG."""

    model_config = SettingsConfigDict(env_prefix="INTAKE_", extra="ignore", frozen=True)

    port: int = 8001
    db_schema: str = "intake"
    city_config: Path = Field(DEFAULT_CITY, validation_alias="CITY_CONFIG")
    pii_key: SecretStr = Field(
        validation_alias="INTAKE_PII_KEY", description="Base64 of 32 random bytes: encrypts reporters' contacts at rest"
    )
    pii_key_id: str = "k1"
    duplicate_distance_m: float = Field(50.0, gt=0)
    duplicate_window_minutes: int = Field(24 * 60, gt=0)
