"""A real single-node Apache Kafka broker (KRaft, broker + controller in one JVM).

Jars come from Maven Central through `tools/kafka/pom.xml`; storage is formatted
with Kafka's own StorageTool. See ADR 0004 (real servers without Docker).

Not an open door (ADR 0010): clients authenticate with SASL/SCRAM-SHA-512, the users made at
format time (devstack/kafka_users.py), and the KRaft StandardAuthorizer refuses whatever no ACL
allows. The controller listener takes SASL/PLAIN with the admin alone (KRaft cannot check SCRAM
there: the credentials live in the metadata the controller serves).
"""

from __future__ import annotations

import base64
import shutil
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import SecretStr

from casekit.kafka.connection import KafkaConnection
from devstack.kafka_users import ALL_USERS, MECHANISM, load_passwords, scram_arguments
from devstack.ports import free_port
from devstack.private_files import write_private
from schemas.kafka_users import ADMIN

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ROOT / "tools" / "kafka"
LIBS = TOOLS / "libs"
READY_LINE = "Kafka Server started"

PROPERTIES = """\
node.id=1
process.roles=broker,controller
listeners=CLIENT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller_port}
advertised.listeners=CLIENT://127.0.0.1:{port}
listener.security.protocol.map=CLIENT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT
inter.broker.listener.name=CLIENT
controller.listener.names=CONTROLLER
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
sasl.mechanism.controller.protocol=PLAIN
listener.name.client.sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.client.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule \
  required username="{admin}" password="{admin_password}";
listener.name.controller.sasl.enabled.mechanisms=PLAIN
listener.name.controller.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule \
  required username="{admin}" password="{admin_password}" user_{admin}="{admin_password}";
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
super.users=User:{admin}
controller.quorum.voters=1@127.0.0.1:{controller_port}
log.dirs={log_dir}
num.partitions=3
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=3
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=2
log.cleaner.dedupe.buffer.size=2097152
log.flush.interval.messages=1
"""


def fetch_jars() -> None:
    """Download the broker's jars once; later calls find them cached."""
    if any(LIBS.glob("kafka_2.13-*.jar")):
        return
    subprocess.run(
        [
            "mvn",
            "-q",
            "-B",
            "-f",
            str(TOOLS / "pom.xml"),
            "dependency:copy-dependencies",
            "-DincludeScope=runtime",
            f"-DoutputDirectory={LIBS}",
        ],
        check=True,
    )


def _java(*args: str) -> list[str]:
    return [
        "java",
        "-Xms128m",
        "-Xmx512m",
        "-XX:+UseSerialGC",
        "-Djava.awt.headless=true",
        f"-Dlog4j2.configurationFile={TOOLS / 'log4j2.properties'}",
        "-cp",
        f"{LIBS}/*",
        *args,
    ]


def _cluster_id() -> str:
    while True:
        candidate = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()
        if not candidate.startswith("-"):  # StorageTool would read it as an option
            return candidate


@dataclass
class KafkaBroker:
    """One broker whose log survives restarts: same directory, same ports."""

    work_dir: Path
    port: int = 0
    controller_port: int = 0
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    passwords: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def admin(self) -> KafkaConnection:
        """The super user's connection: topics, ACLs, tests' and tools' raw clients."""
        return self.connection(ADMIN)

    def connection(self, user: str) -> KafkaConnection:
        """`user`'s connection over SASL/SCRAM (a row of schemas/kafka_users.py, or the admin)."""
        return KafkaConnection(
            self.bootstrap_servers, "SASL_PLAINTEXT", MECHANISM, user, SecretStr(self.passwords[user])
        )

    @property
    def log_file(self) -> Path:
        return self.work_dir / "broker.log"

    def start(self, timeout: float = 90.0) -> KafkaBroker:
        fetch_jars()
        self.work_dir.mkdir(parents=True, exist_ok=True)
        self.port = self.port or free_port()
        self.controller_port = self.controller_port or free_port()
        self.passwords = load_passwords(self.work_dir / "credentials.json")
        config = self.work_dir / "server.properties"
        log_dir = self.work_dir / "kraft-logs"
        properties = PROPERTIES.format(
            port=self.port,
            controller_port=self.controller_port,
            log_dir=log_dir,
            admin=ADMIN,
            admin_password=self.passwords[ADMIN],
        )
        write_private(config, properties)  # it holds the admin's password
        self._format(config, log_dir)
        offset = self.log_file.stat().st_size if self.log_file.exists() else 0
        with self.log_file.open("ab") as log:
            self.process = subprocess.Popen(
                _java("kafka.Kafka", str(config)), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        self._wait_ready(offset, timeout)
        return self

    def _format(self, config: Path, log_dir: Path) -> None:
        """Format the storage once, with every SCRAM user; re-format storage made without them."""
        users_file = self.work_dir / "scram-users"
        if (log_dir / "meta.properties").exists():
            made_with = set(users_file.read_text().split()) if users_file.exists() else set()
            if made_with >= set(ALL_USERS):
                return
            # Storage from before ADR 0010 (no users, or fewer): a local broker's log is
            # disposable, a broker nobody can log in to is not useful.
            print(f"Kafka storage in {log_dir} lacks SCRAM users; formatting it anew", file=sys.stderr)
            shutil.rmtree(log_dir)
        users = {user: self.passwords[user] for user in ALL_USERS}
        subprocess.run(
            _java(
                "kafka.tools.StorageTool",
                "format",
                "--cluster-id",
                _cluster_id(),
                "--config",
                str(config),
                *scram_arguments(users),
            ),
            check=True,
            capture_output=True,
        )
        users_file.write_text("\n".join(users) + "\n")

    def _wait_ready(self, offset: int, timeout: float) -> None:
        # An accepted TCP connection is not readiness; the broker says when it is.
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.log_file.open("rb") as log:
                log.seek(offset)
                if READY_LINE.encode() in log.read():
                    return
            if self.process.poll() is not None:
                break
            time.sleep(0.2)
        self.stop()
        tail = self.log_file.read_text(errors="replace")[-3000:]
        raise RuntimeError(f"Kafka did not become ready on {self.bootstrap_servers}:\n{tail}")

    def stop(self, timeout: float = 30.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)  # controlled shutdown
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
