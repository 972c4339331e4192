"""Start (or find) PostgreSQL and Kafka, wait until they are ready, stop them on exit.

`DATABASE_URL` and `KAFKA_BOOTSTRAP_SERVERS` name existing servers; without them we
start our own under `run_dir`. Used by `make run`, the tests and the benchmarks.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from casekit.kafka.connection import KafkaConnection
from casekit.settings import KafkaSettings
from devstack.kafka import KafkaBroker
from devstack.postgres import EmbeddedPostgres

ROOT = Path(__file__).resolve().parent.parent
RUN_DIR = ROOT / ".run"


@dataclass
class Stack:
    database_url: str
    bootstrap_servers: str
    postgres: EmbeddedPostgres | None = None
    kafka: KafkaBroker | None = None

    @property
    def kafka_admin(self) -> KafkaConnection:
        """For topics, ACLs and tests' raw clients: our broker's super user, or the KAFKA_* given."""
        if self.kafka:
            return self.kafka.admin
        given: Any = {"KAFKA_BOOTSTRAP_SERVERS": self.bootstrap_servers}  # by alias, as the environment names it
        return KafkaSettings(**given).kafka

    def kafka_user(self, name: str) -> KafkaConnection:
        """`name`'s own connection (schemas/kafka_users.py); an outside cluster's given one for all."""
        return self.kafka.connection(name) if self.kafka else self.kafka_admin

    def stop(self) -> None:
        if self.kafka:
            self.kafka.stop()
        if self.postgres:
            self.postgres.stop()

    def __enter__(self) -> Stack:
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


def start_stack(run_dir: Path = RUN_DIR) -> Stack:
    """Both servers, ready. What the environment names is used as is."""
    postgres = kafka = None
    database_url = os.environ.get("DATABASE_URL", "")
    bootstrap_servers = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "")
    try:
        if not database_url:
            postgres = EmbeddedPostgres(run_dir / "pg").start()
            database_url = postgres.url
        if not bootstrap_servers:
            kafka = KafkaBroker(run_dir / "kafka").start()
            bootstrap_servers = kafka.bootstrap_servers
    except BaseException:
        Stack(database_url, bootstrap_servers, postgres, kafka).stop()
        raise
    return Stack(database_url, bootstrap_servers, postgres, kafka)
