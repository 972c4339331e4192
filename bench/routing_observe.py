"""What bench.routing_latency watches: every case's events on Kafka, and the processes' CPU time.

The observer reads `cases.intake.v1` and `cases.dispatch.v1` from the start as the city
operations platform (`city-ops`, its own SCRAM user, read ACLs only, no consumer group) and
keeps, per case, when each event reached it (wall clock), when its relay handed it to Kafka
(the record's CreateTime) and the instant the event itself records (`received_at`,
`routed_at`). A fetch waits at most 100 ms for data, but the broker answers it as soon as
any arrives (min bytes 1): that wait bounds an idle observer's requests, not what it measures.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import orjson
from aiokafka import AIOKafkaConsumer

from casekit.kafka.connection import KafkaConnection

RECEIVED = "intake.ReportReceived"
ROUTED = {"dispatch.CaseRouted": "routed_at", "dispatch.CaseUnroutable": "flagged_at"}
OBSERVER_FETCH_WAIT_MS = 100


@dataclass(frozen=True, slots=True)
class Seen:
    """One event of a case, as the observer saw it (seconds since the epoch)."""

    arrived: float
    published: float
    """The record's timestamp: when the relay's producer sent it."""
    at: float
    """The instant the event records: received_at, routed_at or flagged_at."""
    type: str


@dataclass
class Observer:
    kafka: KafkaConnection
    topics: tuple[str, str]
    """The intake and dispatch topics' full names (with the bench's prefix)."""
    received: dict[str, Seen] = field(default_factory=dict)
    routed: dict[str, Seen] = field(default_factory=dict)

    async def run(self, started: asyncio.Event) -> None:
        consumer = AIOKafkaConsumer(
            *self.topics,
            **self.kafka.client_kwargs(),
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            isolation_level="read_committed",
            fetch_max_wait_ms=OBSERVER_FETCH_WAIT_MS,
        )
        await consumer.start()
        started.set()
        try:
            while True:
                batches = await consumer.getmany(timeout_ms=100, max_records=2000)
                arrived = time.time()
                for records in batches.values():
                    for record in records:
                        headers = dict(record.headers or ())
                        kind = headers.get("ce_type", b"").decode()
                        if kind != RECEIVED and kind not in ROUTED:
                            continue
                        data = orjson.loads(record.value or b"{}")
                        instant = datetime.fromisoformat(data[ROUTED.get(kind, "received_at")]).timestamp()
                        seen = Seen(arrived, record.timestamp / 1000, instant, kind)
                        book = self.received if kind == RECEIVED else self.routed
                        book.setdefault(data["case_id"], seen)  # a redelivery keeps the first arrival
        finally:
            await consumer.stop()


@contextlib.asynccontextmanager
async def observing(kafka: KafkaConnection, topics: tuple[str, str]) -> AsyncIterator[Observer]:
    observer = Observer(kafka, topics)
    started = asyncio.Event()
    task = asyncio.create_task(observer.run(started))
    await asyncio.wait([task, asyncio.create_task(started.wait())], return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        task.result()  # raises why it could not start
    try:
        yield observer
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str]:
    text = Path(f"/proc/{pid}/stat").read_text()
    return text.rpartition(")")[2].split()  # fields from the 3rd on (state, ppid, …)


def cpu_seconds(pid: int, children: bool = False) -> float:
    """CPU time of a process; with `children`, also its live children's and the reaped ones' (a
    PostgreSQL postmaster's backends)."""
    try:
        fields = _stat(pid)
    except FileNotFoundError:
        return 0.0
    ticks = int(fields[11]) + int(fields[12])  # utime, stime
    if children:
        ticks += int(fields[13]) + int(fields[14])  # cutime, cstime: children it has waited for
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                with contextlib.suppress(FileNotFoundError, ProcessLookupError, IndexError):
                    child = _stat(int(entry.name))
                    if int(child[1]) == pid:
                        ticks += int(child[11]) + int(child[12])
    return ticks / TICK


def machine_busy_seconds() -> float:
    """CPU time all cores spent on anything but idling, since boot (/proc/stat)."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / TICK  # all but idle and iowait; guests are in user


@dataclass
class CpuMeter:
    """Cores each named process used between `start()` and `stop()`, and the whole machine ("machine")."""

    pids: dict[str, tuple[int, bool]]
    """name -> (pid, count its children)."""
    began: dict[str, float] = field(default_factory=dict)
    began_at: float = 0.0

    def start(self) -> None:
        self.began = {name: cpu_seconds(pid, kids) for name, (pid, kids) in self.pids.items()}
        self.began["machine"] = machine_busy_seconds()
        self.began_at = time.monotonic()

    def stop(self) -> dict[str, float]:
        seconds = max(time.monotonic() - self.began_at, 1e-9)
        cores = {
            name: round((cpu_seconds(pid, kids) - self.began[name]) / seconds, 2)
            for name, (pid, kids) in self.pids.items()
        }
        return cores | {"machine": round((machine_busy_seconds() - self.began["machine"]) / seconds, 2)}
