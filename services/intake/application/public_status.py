"""The public status projection's handlers (公开状态): Dispatch's and Closure's events, keyed by class.

Pure of side effects beyond the projection's own rows, so a rebuild may replay them at will;
the change log that callbacks follow is written by `reactions.on_public_change` instead.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

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
        await statuses.apply(message.data.case_id, change, message.time or change_time(message.data))


def change_time(event: Any) -> datetime:
    """The event's own instant when a message came without `ce_time` (`routed_at` and alike)."""
    instants = [value for name, value in vars(event).items() if name.endswith("_at") and isinstance(value, datetime)]
    return instants[0]


HANDLERS: dict[type[Event], ProjectionHandler[PublicStatuses]] = dict.fromkeys(PUBLIC_CHANGES, on_status_event)
