"""工作日历查询: when a time limit from an instant falls due on the city's working calendar.

`GET /v1/calendar/due?from=…&amount=…&unit=…` answers the instant in the city's zone (+08:00),
so the hotline and the units can ask when something is due. The semantics are docs/working-time.md's.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field

from casekit.access.guard import Caller
from schemas.dispatch import TimeLimit, TimeUnit
from services.closure.adapters.deps import ClosureDep

router = APIRouter(tags=["calendar"])
MAX_AMOUNT = 1000
"""Ample for any time limit (1000 working days is four years), and an answer in milliseconds."""
OUT_OF_RANGE = "the limit from `from` ends outside the calendar's years (1 to 9999)"
NAIVE = "`from` has no UTC offset: send ISO 8601 with one, e.g. 2025-09-30T16:00:00+08:00"


class DueAnswer(BaseModel):
    due_at: datetime = Field(description="When the limit ends, ISO 8601 in the city's zone (+08:00)")


@router.get("/v1/calendar/due")
async def calendar_due(
    closure: ClosureDep,
    caller: Caller,
    start: Annotated[datetime, Query(alias="from", description="ISO 8601 with its offset, e.g. …T16:00:00+08:00")],
    amount: Annotated[int, Query(ge=1, le=MAX_AMOUNT)],
    unit: Annotated[TimeUnit, Query(description="minutes, hours (clock time), working_hours or working_days")],
) -> DueAnswer:
    """When `amount` `unit` from `from` end: clock time for minutes and hours, working time for the others."""
    if start.tzinfo is None or start.utcoffset() is None:
        raise _invalid_from("timezone_aware", NAIVE)
    calendar = closure.city.calendar
    try:
        due = calendar.due(start, TimeLimit(amount=amount, unit=unit))
    except OverflowError:
        raise _invalid_from("out_of_range", OUT_OF_RANGE) from None
    return DueAnswer(due_at=due.astimezone(calendar.timezone))


def _invalid_from(rule: str, message: str) -> RequestValidationError:
    """A 422 problem naming `/query/from`, as pydantic's own refusals of a query parameter do."""
    return RequestValidationError([{"loc": ("query", "from"), "type": rule, "msg": message}])
