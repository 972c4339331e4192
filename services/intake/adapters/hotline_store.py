"""A work order's messages with their deliveries: the stream says what was owed, the jobs what became of it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from casekit import jobs
from casekit.eventstore import Connection, EventStore
from casekit.jobs import JobRecord
from schemas.hotline import HotlineMessageQueued, OutboundMessage
from services.intake.adapters.callbacks_store import Attempt, DeliveryState, delivery_state
from services.intake.adapters.hotline_jobs import QUEUES
from services.intake.domain.hotline import stream_id

MAX_MESSAGES = 1000
"""A work order's messages are a handful (sign-for, a few progress notes, the reply); this bounds a read."""


@dataclass(frozen=True)
class Delivery:
    """One message on one queue: its state and every finished attempt."""

    queue: str
    state: DeliveryState
    created_at: datetime
    finished_at: datetime | None
    next_attempt_at: datetime | None
    attempts: list[Attempt]

    @classmethod
    def of(cls, job: JobRecord) -> Delivery:
        state = delivery_state(job.state)
        return cls(
            queue=job.queue,
            state=state,
            created_at=job.created_at,
            finished_at=job.finished_at,
            next_attempt_at=job.due_at if state == "pending" else None,
            attempts=[Attempt.of(a) for a in job.attempts if a.finished_at is not None],
        )


@dataclass(frozen=True)
class Message:
    message: OutboundMessage
    deliveries: list[Delivery]


async def messages(store: EventStore, conn: Connection, case_id: UUID, work_order_no: str) -> list[Message]:
    """Every message of the work order, in sequence, each with its delivery on each queue it was owed on."""
    history = await store.read_stream(stream_id(case_id), conn=conn)
    queued = [event.message for event in history.events if isinstance(event, HotlineMessageQueued)]
    by_key: dict[str, list[Delivery]] = {}
    for queue in QUEUES:
        for job in await jobs.find_jobs(conn, queue, order_key=work_order_no, limit=MAX_MESSAGES):
            if job.key is not None:
                by_key.setdefault(job.key, []).append(Delivery.of(job))
    return [
        Message(message, sorted(by_key.get(str(message.message_id), []), key=lambda d: d.queue)) for message in queued
    ]
