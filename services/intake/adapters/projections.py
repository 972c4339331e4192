"""Intake's projection: the public status of each case, fed from Dispatch's and Closure's topics (ADR 0009)."""

from __future__ import annotations

from uuid import UUID

from casekit.eventstore import Connection
from casekit.eventtypes import EventTypes
from casekit.projection import Projection, live_writer
from casekit.projection_service import Rebuilder, ensure_all
from casekit.runtime import Runtime
from schemas import topics
from schemas.catalog import ALL_EVENTS, UPCASTERS
from services.intake.adapters.views import reports
from services.intake.application import public_status
from services.intake.application.context import Intake
from services.intake.domain.public_status import StatusChange

GROUP = "intake"
TYPES = EventTypes(ALL_EVENTS, UPCASTERS)
PUBLIC_STATUS = Projection(
    name="intake.public_status",
    tables=(reports.PUBLIC_STATUS,),
    topics=(topics.DISPATCH_EVENTS, topics.CLOSURE_EVENTS),
    types=TYPES,
    handlers=public_status.HANDLERS,
    bind=reports.PublicStatusRows,
)
PROJECTIONS = (PUBLIC_STATUS,)


async def startup(runtime: Runtime, intake: Intake) -> None:
    await ensure_all(runtime, PROJECTIONS, GROUP)


def rebuilders(runtime: Runtime) -> list[Rebuilder]:
    return [Rebuilder(runtime, PROJECTIONS)]


async def change_status(conn: Connection, case_id: UUID, change: StatusChange) -> None:
    """What a status event does, in one call: logged for callbacks and written to the live projection.

    For a command that changes what the public is told itself (and for tests of the readers).
    """
    async with conn.transaction():
        await reports.record_change(conn, case_id, change)
        await (await live_writer(conn, PUBLIC_STATUS)).apply(case_id, change, await conn.fetchval("SELECT now()"))
