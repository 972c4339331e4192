"""Histories imported from a legacy system: who appends them, and how others tell (ADR 0015)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from casekit.envelope import EventMeta
from casekit.errors import ConcurrencyError
from casekit.eventstore import Connection, EventStore
from schemas.base import Event

IMPORT_ACTOR_PREFIX = "import:"
LEGACY_IMPORT = "import:legacy"
"""The actor of every event a legacy import appends: the legacy system knew no verified people."""


def is_imported(actor: str | None) -> bool:
    """Whether an event came from an import rather than from someone acting now."""
    return actor is not None and actor.startswith(IMPORT_ACTOR_PREFIX)


async def append_history(
    store: EventStore, conn: Connection, stream_id: str, case_id: UUID, history: Sequence[tuple[Event, datetime]]
) -> bool:
    """Start a stream with imported events, each at its own historical instant, in one append.

    False when the stream exists already: an import of the same case twice changes nothing.
    """
    if not history:
        return False
    meta = EventMeta(LEGACY_IMPORT, correlation_id=case_id)
    try:
        await store.append_history(stream_id, history, meta=meta, conn=conn)
    except ConcurrencyError:
        return False  # imported before (or by a concurrent import of the same file)
    return True
