"""A command's write in one round trip: append events and update read models in one SQL call.

`casekit.decider.handle` appends through the store; a hot path that must also write its own
tables in the same transaction (Intake's submission, ADR 0006) calls a function of its own,
which takes the events as one `event_batch` value and appends them with `append_batch` as its
first write (ADR 0002). The store's error translation and metrics apply as for `append`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg
from opentelemetry import trace

from casekit.envelope import EventMeta
from casekit.eventstore import Connection, EventStore, translated_errors
from schemas.base import Event

tracer = trace.get_tracer("casekit.writes")


@dataclass(frozen=True)
class NewEvents:
    """Events for one stream, to append at `expected_version`."""

    stream_id: str
    events: Sequence[Event]
    meta: EventMeta
    expected_version: int = 0


async def append_with(
    store: EventStore, conn: Connection, new: NewEvents, sql: str, *args: Any
) -> asyncpg.Record | None:
    """Run `sql` with the batch as `$1` and `args` as `$2…`; returns its first row.

    Raises ConcurrencyError when the stream moved; another table's unique violation (an
    idempotency key, say) propagates as asyncpg raised it, for the adapter to translate.
    """
    batch = store.append_arguments(new.stream_id, new.events, new.meta, new.expected_version)
    attributes: dict[str, str | int] = {"stream.id": new.stream_id, "events.count": len(new.events)}
    with (
        tracer.start_as_current_span("eventstore.append_with", attributes=attributes),
        translated_errors(new.stream_id),
    ):
        row = await conn.fetchrow(sql, batch, *args)
    store.appended(new.events)
    return row
