"""The hotline tests' pieces: a work order as the hotline pushes it, the hotline's credentials, and
Dispatch's and Closure's events published on their topics as their relays would."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaProducer

from casekit.kafka.cloudevents import SPEC_VERSION
from schemas import topics
from schemas.access import SUBMIT_REPORTS
from schemas.base import Event
from tests.conftest import system_bearer
from tests.intake.callbacks_rig import FAST, SECRET, Receiver
from tests.intake.conftest import POINT

HOTLINE = system_bearer("hotline", [SUBMIT_REPORTS], ["hotline"])
"""The 12345 hotline's system: `system:hotline`, on the hotline channel."""
HOTLINE_FAST: dict[str, Any] = {
    **FAST,
    "hotline_backoff_seconds": 0.05,
    "hotline_max_backoff_seconds": 0.2,
    "hotline_poll_seconds": 0.05,
}


def with_endpoint(receiver: Receiver, path: str = "/hotline") -> dict[str, Any]:
    return {**HOTLINE_FAST, "hotline_endpoint_url": receiver.url(path), "hotline_signing_secret": SECRET}


def work_order(no: str = "BJ2026120100001", **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "work_order_no": no,
        "received_at": "2026-12-01T09:00:00+08:00",
        "title": "井盖破损",
        "content": "路口污水井盖破损，有安全隐患",
        "appeal_kind": "complaint",
        "category_code": "01002",
        "address": "鼓楼区中山北路 1 号",
        "location": dict(POINT),
        "urgency": "urgent",
        "dispatched_at": "2026-12-01T09:10:00+08:00",
        "time_limit": 3,
        "time_unit": "working_days",
        "due_at": "2026-12-04T17:00:00+08:00",
        "caller": {"name": "王小明", "phone": "13800138000"},
    }
    body.update(overrides)
    return body


TOPIC_OF = {"dispatch": topics.DISPATCH_EVENTS.name, "closure": topics.CLOSURE_EVENTS.name}


async def publish(
    producer: AIOKafkaProducer, prefix: str, event: Event, event_id: uuid.UUID | None = None
) -> uuid.UUID:
    """One event on its service's topic, keyed by case, with the relay's CloudEvents headers; its id."""
    service = event.type.split(".", 1)[0]
    event_id = event_id or uuid.uuid4()
    now = datetime.now(UTC).isoformat()
    headers = [
        ("ce_specversion", SPEC_VERSION.encode()),
        ("ce_id", str(event_id).encode()),
        ("ce_source", f"/city-cases/{service}".encode()),
        ("ce_type", event.type.encode()),
        ("ce_time", now.encode()),
        ("ce_recordedtime", now.encode()),
        ("ce_schemaversion", str(event.schema_version).encode()),
        ("ce_actor", f"system:{service}".encode()),
        ("ce_subject", str(event.case_id).encode()),
        ("content-type", b"application/json"),
    ]
    await producer.send_and_wait(
        f"{prefix}{TOPIC_OF[service]}", event.model_dump_json().encode(), key=str(event.case_id).encode(),
        headers=headers,
    )  # fmt: skip
    return event_id
