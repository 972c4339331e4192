"""The CloudEvents 1.0 Kafka protocol binding, binary mode: `ce_` headers and a JSON body."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar
from uuid import NAMESPACE_URL, UUID, uuid5

import orjson
from aiokafka.structs import ConsumerRecord
from pydantic import BaseModel, ValidationError

from casekit.envelope import RecordedEvent
from casekit.errors import InvalidInput, Undecodable
from casekit.eventtypes import EventTypes, describe
from casekit.web.nul import has_json_nul
from schemas.base import SCHEMA_ID_BASE, Message

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/json"
MAX_VERSION_DIGITS = 9
Headers = list[tuple[str, bytes]]
M = TypeVar("M", bound=BaseModel)
MessageT = TypeVar("MessageT", bound=Message)


@dataclass(frozen=True)
class Inbound(Generic[M]):
    """A message as a handler sees it: its CloudEvents attributes and validated data."""

    id: str
    type: str
    source: str
    subject: str | None
    time: datetime | None
    actor: str | None
    traceparent: str | None
    data: M
    topic: str
    partition: int
    offset: int
    recorded_at: datetime | None = None
    """`ce_recordedtime`: when the sender's store recorded it (an imported history's `time` is older)."""

    @property
    def recorded(self) -> datetime | None:
        """When it became known: what figures `as_of` an instant count by."""
        return self.recorded_at or self.time


def causation_id(message: Inbound[Any]) -> UUID:
    """The message id as a UUID; ids that are not UUIDs map to a stable UUID v5."""
    try:
        return UUID(message.id)
    except ValueError:
        return uuid5(NAMESPACE_URL, message.id)


def event_headers(event: RecordedEvent, source: str) -> Headers:
    headers: Headers = [
        ("ce_specversion", SPEC_VERSION.encode()),
        ("ce_id", str(event.event_id).encode()),
        ("ce_source", source.encode()),
        ("ce_type", event.type.encode()),
        ("ce_time", event.occurred_at.isoformat().encode()),
        ("ce_recordedtime", event.recorded_at.isoformat().encode()),
        ("ce_schemaversion", str(event.schema_version).encode()),
        ("ce_dataschema", f"{SCHEMA_ID_BASE}:{event.type}:{event.schema_version}".encode()),
        ("ce_actor", event.actor.encode()),
        ("content-type", CONTENT_TYPE.encode()),
    ]
    if event.correlation_id:
        headers.append(("ce_subject", str(event.correlation_id).encode()))
    if event.causation_id:
        headers.append(("ce_causationid", str(event.causation_id).encode()))
    if event.traceparent:
        headers.append(("traceparent", event.traceparent.encode()))
    if event.tracestate:
        headers.append(("tracestate", event.tracestate.encode()))
    return headers


def header_map(record: ConsumerRecord[bytes, bytes]) -> dict[str, str]:
    try:
        return {key: value.decode() for key, value in (record.headers or ())}
    except UnicodeDecodeError:
        raise Undecodable("a header is not UTF-8") from None


def _body(record: ConsumerRecord[bytes, bytes]) -> Any:
    if record.value is None:
        raise Undecodable("empty message body")
    if has_json_nul(record.value):  # PostgreSQL refuses it: retrying would block the partition for ever
        raise Undecodable("a text holds a NUL character (U+0000)", rule="nul-character")
    try:
        return orjson.loads(record.value)
    except orjson.JSONDecodeError as error:
        raise Undecodable(f"body is not JSON: {error}") from None


def _schema_version(headers: dict[str, str]) -> int | None:
    value = headers.get("ce_schemaversion")
    if value is None:
        return None  # senders that do not say are read as the current version
    # ASCII digits only, and few: str.isdigit() takes "²", which int() refuses, and int() refuses
    # more than 4300 digits; a ValueError here would be retried as transient, blocking the partition.
    if not (value.isascii() and value.isdigit()) or len(value) > MAX_VERSION_DIGITS:
        raise Undecodable(f"ce_schemaversion is not a number: {value[:40]!r}", path="headers/ce_schemaversion")
    return int(value)


def _time(value: str | None, header: str = "ce_time") -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        raise Undecodable(f"{header} is not RFC 3339: {value!r}", path=f"headers/{header}") from None


def decode_event(record: ConsumerRecord[bytes, bytes], types: EventTypes) -> Inbound[BaseModel]:
    """A domain event of one of `types`, validated against its contract."""
    headers = header_map(record)
    for required in ("ce_id", "ce_type", "ce_source", "ce_specversion"):
        if required not in headers:
            raise Undecodable(f"missing CloudEvents attribute {required}", path=f"headers/{required}")
    if headers["ce_specversion"] != SPEC_VERSION:
        raise Undecodable(f"unsupported specversion {headers['ce_specversion']}", path="headers/ce_specversion")
    body = _body(record)
    if not isinstance(body, dict):  # EventTypes.decode would parse a JSON string again, or fail on a list
        raise Undecodable(f"event data is not a JSON object but {type(body).__name__}", rule="type", path="/")
    data = types.decode(headers["ce_type"], body, _schema_version(headers))  # unknown type: Undecodable
    return _inbound(record, headers, headers["ce_id"], headers["ce_type"], data)


def decode_message(record: ConsumerRecord[bytes, bytes], model: type[MessageT]) -> Inbound[MessageT]:
    """An inbound channel message; CloudEvents headers are welcome but not required of senders."""
    headers = header_map(record)
    try:
        data = model.model_validate(_body(record))
    except ValidationError as error:
        raise describe(error) from None
    # Without ce_id the record's own coordinates identify it, so a redelivery still dedups.
    message_id = headers.get("ce_id") or f"{record.topic}/{record.partition}/{record.offset}"
    return _inbound(record, headers, message_id, headers.get("ce_type", model.type), data)


def _inbound(
    record: ConsumerRecord[bytes, bytes], headers: dict[str, str], message_id: str, message_type: str, data: M
) -> Inbound[M]:
    return Inbound(
        id=message_id,
        type=message_type,
        source=headers.get("ce_source", record.topic),
        subject=headers.get("ce_subject"),
        time=_time(headers.get("ce_time")),
        actor=headers.get("ce_actor"),
        traceparent=headers.get("traceparent"),
        data=data,
        topic=record.topic,
        partition=record.partition,
        offset=record.offset,
        recorded_at=_time(headers.get("ce_recordedtime"), "ce_recordedtime"),
    )


def dead_letter_headers(record: ConsumerRecord[bytes, bytes], consumer: str, why: Exception) -> Headers:
    """The original headers, plus why and where the message could not be handled."""
    original: Sequence[tuple[str, bytes]] = record.headers or ()
    headers = [
        *original,
        ("dlq_reason", f"{type(why).__name__}: {why}".encode()),
        ("dlq_consumer", consumer.encode()),
        ("dlq_topic", record.topic.encode()),
        ("dlq_partition", str(record.partition).encode()),
        ("dlq_offset", str(record.offset).encode()),
    ]
    if isinstance(why, InvalidInput):
        headers += [("dlq_rule", why.rule.encode()), ("dlq_path", why.path.encode())]
    return headers
