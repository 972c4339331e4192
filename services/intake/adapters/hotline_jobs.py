"""The hotline's deliveries on casekit's durable jobs (ADR 0007, 0017): each message owed twice.

Queue `hotline`: a signed POST of the message to INTAKE_HOTLINE_ENDPOINT_URL (when one is
configured), signed as callbacks are (adapters/callbacks.py: X-CityCases-Timestamp and
X-CityCases-Signature over "timestamp." + body); 2xx accepts, anything else is retried with
backoff until the give-up time. Queue `hotline-kafka`: the message on `hotline.outbound.v1`,
keyed by work-order number, CloudEvents binary headers. Both run in order per work order
(order key = 工单编号): a message waits until the one before it was delivered or given up.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import orjson
from aiokafka import AIOKafkaProducer

from casekit import jobs
from casekit.eventstore import Connection
from casekit.jobs import Job, Limits
from casekit.jobs_metrics import JobMetrics
from casekit.jobs_worker import Done, External, Failed, JobPolicy, JobWorker, Outcome
from casekit.kafka.cloudevents import CONTENT_TYPE, SPEC_VERSION, Headers
from casekit.runtime import Runtime
from casekit.service import Worker
from schemas import topics
from schemas.base import SCHEMA_ID_BASE
from schemas.hotline import OutboundMessage
from services.intake.adapters.callbacks import attempt
from services.intake.adapters.callbacks_store import Notification
from services.intake.settings import IntakeSettings

HTTP_QUEUE = "hotline"
KAFKA_QUEUE = "hotline-kafka"
QUEUES = (HTTP_QUEUE, KAFKA_QUEUE)
MESSAGE_TYPE = OutboundMessage.type
CONCURRENCY = 8
"""Messages in flight per replica and queue (of different work orders: one at a time per work order)."""


@dataclass(frozen=True)
class HotlineConfig:
    endpoint_url: str | None
    secret: str | None = field(repr=False)
    give_up: timedelta
    timeout_seconds: float
    backoff_seconds: float
    max_backoff_seconds: float
    poll_seconds: float

    @classmethod
    def of(cls, settings: IntakeSettings) -> HotlineConfig:
        secret = settings.hotline_signing_secret
        return cls(
            endpoint_url=settings.hotline_endpoint_url,
            secret=secret.get_secret_value() if secret else None,
            give_up=timedelta(minutes=settings.hotline_give_up_minutes),
            timeout_seconds=settings.hotline_timeout_seconds,
            backoff_seconds=settings.hotline_backoff_seconds,
            max_backoff_seconds=settings.hotline_max_backoff_seconds,
            poll_seconds=settings.hotline_poll_seconds,
        )

    @property
    def policy(self) -> JobPolicy:
        """Retried with backoff until the give-up time, however many attempts that takes."""
        return JobPolicy(
            lease=timedelta(seconds=self.timeout_seconds + 30),
            concurrency=CONCURRENCY,
            poll_seconds=self.poll_seconds,
            backoff_seconds=self.backoff_seconds,
            max_backoff_seconds=self.max_backoff_seconds,
            limits=Limits(max_attempts=None, give_up_after=self.give_up),
        )


class SqlHotlineOutbox:
    """Owes a message's deliveries in the transaction that recorded it (the port HotlineOutbox)."""

    def __init__(self, config: HotlineConfig) -> None:
        self.config = config

    async def owe(self, conn: Connection, message: OutboundMessage) -> None:
        payload = {"message": message.model_dump(mode="json")}
        queues = QUEUES if self.config.endpoint_url else (KAFKA_QUEUE,)
        for queue in queues:
            await jobs.enqueue(
                conn, queue, payload, key=str(message.message_id), order_key=message.work_order_no,
                correlation_id=message.case_id,
            )  # fmt: skip


def cloudevent_headers(message: dict[str, Any], source: str) -> Headers:
    """CloudEvents binary mode, as casekit's relay sends domain events; the id is the message's."""
    return [
        ("ce_specversion", SPEC_VERSION.encode()),
        ("ce_id", str(message["message_id"]).encode()),
        ("ce_source", source.encode()),
        ("ce_type", MESSAGE_TYPE.encode()),
        ("ce_time", str(message["created_at"]).encode()),
        ("ce_schemaversion", b"1"),
        ("ce_dataschema", f"{SCHEMA_ID_BASE}:{MESSAGE_TYPE}:1".encode()),
        ("ce_subject", str(message["case_id"]).encode()),
        ("content-type", CONTENT_TYPE.encode()),
    ]


class HotlineHttpWorker:
    """The `hotline` queue's worker: POSTs each message, signed, in order per work order."""

    def __init__(self, pool: asyncpg.Pool, config: HotlineConfig, metrics: JobMetrics) -> None:
        # The settings refuse an endpoint without a secret.
        assert config.endpoint_url is not None
        assert config.secret is not None
        self.config, self.url, self.secret = config, config.endpoint_url, config.secret
        self.client: httpx.AsyncClient | None = None
        self.jobs = JobWorker(pool, HTTP_QUEUE, External(self._deliver), config.policy, metrics, service="intake")

    async def run(self) -> None:
        # The endpoint is the operator's, not a caller's: no redirects, no proxies from the environment.
        timeout = httpx.Timeout(self.config.timeout_seconds)
        async with httpx.AsyncClient(timeout=timeout, follow_redirects=False, trust_env=False) as client:
            self.client = client
            await self.jobs.run()

    async def stop(self) -> None:
        await self.jobs.stop()

    async def _deliver(self, job: Job) -> Outcome:
        assert self.client is not None  # set before the worker claims anything
        message = job.payload["message"]
        case_id = UUID(message["case_id"])
        notification = Notification(self.url, self.secret, case_id, "hotline", message)
        return await attempt(self.client, notification, self.config.timeout_seconds)


class HotlineKafkaWorker:
    """The `hotline-kafka` queue's worker: each message on `hotline.outbound.v1`, keyed by work order."""

    def __init__(
        self, pool: asyncpg.Pool, producer: AIOKafkaProducer, topic: str, config: HotlineConfig, metrics: JobMetrics
    ) -> None:
        self.producer, self.topic = producer, topic
        self.jobs = JobWorker(pool, KAFKA_QUEUE, External(self._produce), config.policy, metrics, service="intake")

    async def run(self) -> None:
        await self.jobs.run()

    async def stop(self) -> None:
        await self.jobs.stop()

    async def _produce(self, job: Job) -> Outcome:
        message = job.payload["message"]
        try:
            await self.producer.send_and_wait(
                self.topic, orjson.dumps(message), key=str(message["work_order_no"]).encode(),
                headers=cloudevent_headers(message, "/city-cases/intake"),
            )  # fmt: skip
        except Exception as error:  # the broker away or refusing: recorded, retried like any failure
            return Failed(f"{type(error).__name__}: {error}"[:500])
        return Done({"topic": self.topic})


def workers(config: HotlineConfig) -> Callable[[Runtime], Sequence[Worker]]:
    """`ServiceSpec.background`: the Kafka worker always, the HTTP worker when an endpoint is configured."""

    def start(runtime: Runtime) -> Sequence[Worker]:
        metrics = JobMetrics.of(runtime.metrics.registry)
        topic = runtime.settings.topic(topics.HOTLINE_OUTBOUND.name)
        started: list[Worker] = [HotlineKafkaWorker(runtime.pool, runtime.producer, topic, config, metrics)]
        if config.endpoint_url:
            started.append(HotlineHttpWorker(runtime.pool, config, metrics))
        return started

    return start
