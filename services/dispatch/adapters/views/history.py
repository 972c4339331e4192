"""派遣历史: the cases Dispatch opened in a period with their last routing decision, read from its own events.

ALL of the routing preview's SQL. One statement over Dispatch's `events` table, streamed through
a server-side cursor in pages (`PAGE` rows a fetch), inside one read-only, repeatable-read
transaction: the preview sees one consistent history however long it reads, and cannot write.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import asyncpg

from schemas.dispatch import AssignmentOpened, CaseReturned, CaseRouted, CaseUnroutable
from services.dispatch.domain.preview import PastCase

PAGE = 500
DECISIONS = [CaseRouted.type, CaseUnroutable.type]

# Each opened case with its stream's last routing decision and the units that returned it before
# that decision. The two lateral reads go through the primary key (stream_id, version); the
# outer one follows the store's global order, so the cursor's first page comes without a sort.
# `opened_at` is the event's own instant (when Dispatch took the case in), not the row's.
CASES = """SELECT o.data::text, d.type, d.data::text, coalesce(r.units, '{}')
    FROM events o
    LEFT JOIN LATERAL (
        SELECT e.type, e.data, e.version FROM events e
        WHERE e.stream_id = o.stream_id AND e.type = ANY($3::text[])
        ORDER BY e.version DESC LIMIT 1
    ) d ON true
    LEFT JOIN LATERAL (
        SELECT array_agg(DISTINCT e.data->>'unit_code') AS units FROM events e
        WHERE e.stream_id = o.stream_id AND e.type = $4 AND e.version < d.version
    ) r ON true
    WHERE o.type = $5
      AND (o.data->>'opened_at')::timestamptz >= $1 AND (o.data->>'opened_at')::timestamptz < $2
    ORDER BY o.transaction_id, o.global_position"""


def past_case(opened: str, decision_type: str | None, decision: str | None, returned_by: list[str]) -> PastCase:
    last: CaseRouted | CaseUnroutable | None = None
    if decision_type == CaseRouted.type and decision is not None:
        last = CaseRouted.model_validate_json(decision)
    elif decision_type == CaseUnroutable.type and decision is not None:
        last = CaseUnroutable.model_validate_json(decision)
    return PastCase(AssignmentOpened.model_validate_json(opened), last, frozenset(returned_by))


class SqlHistory:
    """The port `History` (application/preview.py) on Dispatch's event store."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def each_case(self, start: datetime, end: datetime, visit: Callable[[PastCase], None]) -> None:
        """Every case opened in [start, end), in the order the store recorded them."""
        async with self.pool.acquire() as conn, conn.transaction(readonly=True, isolation="repeatable_read"):
            arguments = (start, end, DECISIONS, CaseReturned.type, AssignmentOpened.type)
            async for row in conn.cursor(CASES, *arguments, prefetch=PAGE):
                visit(past_case(row[0], row[1], row[2], row[3]))
