"""What Intake's use cases need from storage, implemented in adapters/records.py."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, Protocol
from uuid import UUID

import asyncpg

from casekit.eventstore import Connection
from schemas.intake import ReportLinked, ReportReceived
from services.intake.domain.duplicates import OpenCase

Reader = Connection | asyncpg.Pool
"""Where a query may run: a connection (inside a transaction) or the pool (a moment's loan)."""


class ReportRecords(Protocol):
    async def case_for_keys(self, conn: Reader, keys: Sequence[str]) -> UUID | None: ...

    async def next_sequence(self, prefix: str, day: date, conn: Connection | None) -> int:
        """A number never handed out before for (prefix, day); `conn`, if given, is outside any transaction."""

    async def open_cases_near(
        self, conn: Reader, category_code: str, lat: float, lon: float, box: tuple[float, float], since: datetime
    ) -> list[OpenCase]: ...

    async def record_submission(
        self,
        conn: Connection,
        append: tuple[Any, ...],
        keys: Sequence[str],
        contact: tuple[str, bytes] | None,
        event: ReportReceived | ReportLinked,
        description: str,
    ) -> dict[str, Any]:
        """Append the event and write keys, sealed contact and public view: one round trip.

        Raises asyncpg.UniqueViolationError when a concurrent request claimed a key first.
        """

    async def case_by_number(self, conn: Connection, case_number: str) -> UUID | None: ...

    async def summary(self, conn: Connection, case_id: UUID) -> dict[str, Any] | None: ...
