"""回访 from the 12345 platform: a call-back result arriving on `callbacks.hotline.v1`, recorded on its case.

The platform names the case by id or by number (案件编号, known from Dispatch's AssignmentOpened).
The same call-back sent again (the same `callback_id`) changes nothing. A case Closure does not
know is `InvalidInput`, a call-back the case cannot take (it is still open, say) `RuleViolation`:
the consumer parks either on the dead-letter topic with its reason, and never retries it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from uuid import UUID

from casekit.envelope import EventMeta, utc_now
from casekit.errors import InvalidInput
from casekit.eventstore import Connection
from schemas.base import Event
from schemas.closure import CallbackSubmission
from services.closure.application.commands import run
from services.closure.application.context import Closure
from services.closure.domain.closure import Act, CaseClosure
from services.closure.domain.lifecycle import Callback, decide_callback

ACTOR = "system:hotline"
"""Who records the platform's call-backs: only the hotline's Kafka user may write their topic."""


async def case_named(closure: Closure, conn: Connection, submission: CallbackSubmission) -> UUID:
    """The case the submission names, by id or by number; an unknown number can never pass."""
    if submission.case_id is not None:
        return submission.case_id
    number = submission.case_number or ""
    found = await closure.numbers.case_of(conn, number)
    if found is None:
        raise InvalidInput(f"no case numbered {number} in Closure", path="/case_number", rule="unknown-case")
    return found


def recorded_at(state: CaseClosure, called_at: datetime, now: datetime) -> datetime:
    """When the call was made, as the platform says, but never before the closing nor after now.

    A platform clock behind ours must not date a reopening before the closing it undoes: the
    public status orders changes by their instants, and would drop it.
    """
    at = called_at.astimezone(UTC)
    if state.closed_at is not None and at < state.closed_at:
        at = state.closed_at
    return min(at, now)


async def on_hotline_callback(
    submission: CallbackSubmission, closure: Closure, meta: EventMeta, conn: Connection
) -> None:
    """回访结果 from 12345: recorded as `system:hotline`; unsatisfied reopens the case as over HTTP."""
    case_id = await case_named(closure, conn, submission)
    callback = Callback(submission.result, source="hotline", callback_ref=submission.callback_id)
    await record(closure, conn, case_id, callback, submission.called_at, submission.note, meta)


async def record(
    closure: Closure, conn: Connection, case_id: UUID, callback: Callback, called_at: datetime, note: str | None,
    meta: EventMeta,
) -> None:  # fmt: skip
    """The hotline's call-back on its case (from this topic or Intake's record of it), once per call-back id."""

    def decide(state: CaseClosure) -> Sequence[Event]:
        if state.status == "new":
            raise InvalidInput(f"no case {case_id} in Closure", path="/case_id", rule="unknown-case")
        at = recorded_at(state, called_at, utc_now())
        return decide_callback(state, Act(case_id, meta.actor, at, note=closure.masked(note)), callback, closure.rules)

    await run(closure, case_id, decide, meta.for_case(case_id), conn)
