"""The public status projection's handlers (公开状态): Dispatch's and Closure's events, keyed by class.

Pure of side effects beyond the projection's own rows, so a rebuild may replay them at will;
the change log that callbacks follow is written by `reactions.on_public_change` instead.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from casekit.errors import InvalidInput
from casekit.kafka.cloudevents import Inbound
from casekit.projection import ProjectionHandler
from schemas.base import Event
from services.intake.domain.public_status import PUBLIC_CHANGES, StatusChange, public_change


class PublicStatuses(Protocol):
    """Where the statuses go (adapters/views/reports.py, one generation of its tables)."""

    async def apply(self, case_id: UUID, change: StatusChange, at: datetime) -> None: ...


async def on_status_event(message: Inbound[Any], statuses: PublicStatuses) -> None:
    """Where the case stands now; the event's own instant orders changes from different topics."""
    change = public_change(message.data)
    if change is not None:
        at = change.at or message.time
        if at is None:  # can never pass: dead-lettered, not retried
            raise InvalidInput(f"{message.type} gives no instant for its status change", rule="no-instant")
        await statuses.apply(message.data.case_id, change, at)


HANDLERS: dict[type[Event], ProjectionHandler[PublicStatuses]] = dict.fromkeys(PUBLIC_CHANGES, on_status_event)
