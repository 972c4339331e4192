"""How a client reaches Kafka and who it is there: one place turns settings into aiokafka kwargs.

Every client the system builds (the producer, the consumers, the admin client, the relay's
producer, a projection rebuild's reader) gets its connection from here, so a service talks to
the broker with its own SASL/SCRAM credentials or not at all (ADR 0010).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import SecretStr

SecurityProtocol = Literal["PLAINTEXT", "SASL_PLAINTEXT", "SASL_SSL", "SSL"]
SaslMechanism = Literal["SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"]


@dataclass(frozen=True)
class KafkaConnection:
    """Bootstrap servers and credentials (凭据) of one Kafka principal."""

    bootstrap_servers: str
    security_protocol: SecurityProtocol = "PLAINTEXT"
    sasl_mechanism: SaslMechanism = "SCRAM-SHA-512"
    username: str | None = None
    password: SecretStr | None = field(default=None, repr=False)

    @property
    def uses_sasl(self) -> bool:
        return self.security_protocol.startswith("SASL_")

    def client_kwargs(self) -> dict[str, Any]:
        """Keyword arguments every aiokafka client (producer, consumer, admin) accepts."""
        kwargs: dict[str, Any] = {
            "bootstrap_servers": self.bootstrap_servers,
            "security_protocol": self.security_protocol,
        }
        if self.uses_sasl:
            if not self.username or self.password is None:
                raise ValueError(f"{self.security_protocol} needs KAFKA_USERNAME and KAFKA_PASSWORD")
            kwargs |= {
                "sasl_mechanism": self.sasl_mechanism,
                "sasl_plain_username": self.username,
                "sasl_plain_password": self.password.get_secret_value(),
            }
        return kwargs

    def environment(self) -> dict[str, str]:
        """The same connection as the KAFKA_* variables ServiceSettings reads (for a child process)."""
        env = {"KAFKA_BOOTSTRAP_SERVERS": self.bootstrap_servers, "KAFKA_SECURITY_PROTOCOL": self.security_protocol}
        if self.uses_sasl and self.username and self.password is not None:
            env |= {
                "KAFKA_SASL_MECHANISM": self.sasl_mechanism,
                "KAFKA_USERNAME": self.username,
                "KAFKA_PASSWORD": self.password.get_secret_value(),
            }
        return env
