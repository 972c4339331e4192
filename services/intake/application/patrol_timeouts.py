"""巡查超时 A patrol the officer never finished, finished by Intake at the longest patrol's end.

Starting a patrol owes one durable job (casekit jobs, queue `intake-patrol-timeout`) due
`INTAKE_PATROL_LONGEST_HOURS` after the start was recorded; finishing it cancels the job, in the same transaction
(patrol_records.py). A job that comes due on a patrol still open appends `PatrolFinished(auto=True)`
at its last point, so a forgotten finish still counts its track for coverage, the work log and the
grids' watches.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from casekit.decider import handle_and_fold
from casekit.envelope import EventMeta
from casekit.eventstore import Connection
from services.intake.application.context import Intake
from services.intake.application.patrol_records import TIMEOUT_QUEUE, record_patrol_change
from services.intake.domain import patrol as p

QUEUE = TIMEOUT_QUEUE
ACTOR = "system:intake"


async def on_timeout_due(payload: Mapping[str, Any], intake: Intake, conn: Connection) -> None:
    """The longest patrol is over, in the transaction that completes the job: finish it if still open."""
    patrol_id = UUID(str(payload["patrol_id"]))
    meta = EventMeta.by(ACTOR).for_case(patrol_id)
    zone = intake.city.timezone
    handled = await handle_and_fold(intake.store, p.stream_id(patrol_id), p.DECIDER,
                                    lambda state: p.decide_auto_finish(state, patrol_id, zone), meta, conn)  # fmt: skip
    await record_patrol_change(conn, intake, patrol_id, handled)
