"""A real single-node Apache Kafka broker (KRaft, broker + controller in one JVM).

Jars come from Maven Central through `tools/kafka/pom.xml`; storage is formatted
with Kafka's own StorageTool. See ADR 0004 (real servers without Docker).
"""

from __future__ import annotations

import base64
import signal
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from devstack.ports import free_port

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ROOT / "tools" / "kafka"
LIBS = TOOLS / "libs"
READY_LINE = "Kafka Server started"

PROPERTIES = """\
node.id=1
process.roles=broker,controller
listeners=PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller_port}
advertised.listeners=PLAINTEXT://127.0.0.1:{port}
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
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

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def log_file(self) -> Path:
        return self.work_dir / "broker.log"

    def start(self, timeout: float = 90.0) -> KafkaBroker:
        fetch_jars()
        self.work_dir.mkdir(parents=True, exist_ok=True)
        self.port = self.port or free_port()
        self.controller_port = self.controller_port or free_port()
        config = self.work_dir / "server.properties"
        config.write_text(
            PROPERTIES.format(
                port=self.port, controller_port=self.controller_port, log_dir=self.work_dir / "kraft-logs"
            )
        )
        if not (self.work_dir / "kraft-logs" / "meta.properties").exists():
            subprocess.run(
                _java("kafka.tools.StorageTool", "format", "--cluster-id", _cluster_id(), "--config", str(config)),
                check=True,
                capture_output=True,
            )
        offset = self.log_file.stat().st_size if self.log_file.exists() else 0
        with self.log_file.open("ab") as log:
            self.process = subprocess.Popen(
                _java("kafka.Kafka", str(config)), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        self._wait_ready(offset, timeout)
        return self

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
