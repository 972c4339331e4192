import ipaddress
from pathlib import Path
from typing import Self

from pydantic import Field, SecretStr, field_validator, model_validator
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
    callback_allowlist: list[str] = Field(
        default_factory=list,
        description="URL prefixes a callback may point at, each naming its host, e.g. https://hooks.example.org/"
        " (a JSON list); http only where an entry says http",
    )
    callback_allow_private_networks: list[str] = Field(
        default_factory=list,
        description="Networks (CIDR, a JSON list) a callback may reach although not public: loopback, private,"
        " link-local… are refused otherwise, checked on every address the host resolves to",
    )
    callback_give_up_minutes: float = Field(24 * 60, gt=0, description="Retry a callback this long, then give up")
    callback_timeout_seconds: float = Field(5.0, gt=0, description="A receiver's whole answer, per attempt")
    callback_backoff_seconds: float = Field(1.0, gt=0, description="The first retry's backoff; doubles per attempt")
    callback_max_backoff_seconds: float = Field(300.0, gt=0)
    callback_poll_seconds: float = Field(0.5, gt=0, description="How often a replica looks for due callbacks")
    hotline_endpoint_url: str | None = Field(
        None,
        pattern=r"^https?://[^/\s]+",
        description="Where the 12345 hotline takes our messages (签收, 退单/延期申请, 进展, 办结); none: Kafka only",
    )
    hotline_signing_secret: SecretStr | None = Field(
        None, min_length=32, description="Signs every message POSTed to the hotline (HMAC-SHA256)"
    )
    hotline_give_up_minutes: float = Field(7 * 24 * 60, gt=0, description="Retry a hotline message this long")
    hotline_timeout_seconds: float = Field(10.0, gt=0, description="The hotline's whole answer, per attempt")
    hotline_backoff_seconds: float = Field(1.0, gt=0, description="The first retry's backoff; doubles per attempt")
    hotline_max_backoff_seconds: float = Field(300.0, gt=0)
    hotline_poll_seconds: float = Field(0.5, gt=0, description="How often a replica looks for due hotline messages")
    grid_watch_poll_seconds: float = Field(
        5.0, gt=0, description="How often a replica looks for due checks of unpatrolled grids (巡查督导)"
    )
    device_clock_skew_minutes: float = Field(
        5.0, ge=0, description="How far ahead of ours an officer's device clock may run (patrol times beyond: 422)"
    )
    patrol_longest_hours: float = Field(
        12.0, gt=0, description="A patrol still open this long after its start is finished at its last point"
    )

    @model_validator(mode="after")
    def _hotline_signed(self) -> Self:
        if self.hotline_endpoint_url and self.hotline_signing_secret is None:
            raise ValueError("INTAKE_HOTLINE_ENDPOINT_URL needs INTAKE_HOTLINE_SIGNING_SECRET: every message is signed")
        return self

    @field_validator("callback_allowlist")
    @classmethod
    def _entries_name_their_host(cls, entries: list[str]) -> list[str]:
        for prefix in entries:
            scheme, sep, rest = prefix.partition("://")
            host = rest.split("]", 1)[0] if rest.startswith("[") else rest.split("/", 1)[0].rsplit(":", 1)[0]
            if scheme not in ("http", "https") or not sep or not host.strip("["):
                raise ValueError(f"{prefix!r}: an entry is http(s)://<host>…, naming its host")
        return entries

    @field_validator("callback_allow_private_networks")
    @classmethod
    def _networks(cls, networks: list[str]) -> list[str]:
        for network in networks:
            ipaddress.ip_network(network)  # ValueError names it
        return networks
