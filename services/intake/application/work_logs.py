"""工作日志 Work log use cases: draft from the day's patrols and findings, annotate, sign off, accept, read.

The facts come from Intake's read models (`patrols`, and the `reports` a grid report wrote with
its patrol columns); the log is its own stream, `work-log-{uuid5(officer/day)}`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from uuid import UUID

from casekit.access.principal import Principal, within
from casekit.decider import handle_and_fold
from casekit.envelope import EventMeta, utc_now
from casekit.errors import Forbidden, NotFound
from schemas.access import ADMIN, ANALYST, SUPERVISOR
from services.intake.application.context import Intake
from services.intake.domain import work_log as w
from services.intake.domain.access import scope_of
from services.intake.domain.work_log import DECIDER, FindingFacts, PatrolFacts, WorkLog, WorkLogEvent

Decide = Callable[[WorkLog], Sequence[WorkLogEvent]]


def who(caller: Principal, officer: str, intake: Intake) -> w.Who:
    """The caller, a supervisor of this log if they supervise and the officer's grids are in their areas."""
    return w.Who(caller.actor, caller.subject, caller.has(SUPERVISOR) and oversees(caller, officer, intake))


def oversees(caller: Principal, officer: str, intake: Intake) -> bool:
    """The officer's assigned grids lie within the caller's areas (a city-wide reader: everywhere)."""
    areas = scope_of(caller).areas
    if areas is None:
        return True
    duty = intake.officers.officer(officer)
    return duty is not None and any(within(grid, areas) for grid in duty.grid_codes)


async def draft(officer: str, day: date, intake: Intake, caller: Principal) -> WorkLog:
    """生成: the log from the day's finished patrols and the officer's findings of that city day."""
    zone = intake.city.timezone
    since = datetime.combine(day, time(0), tzinfo=zone)
    async with intake.store.pool.acquire() as conn:
        patrols = await intake.patrols.finished_on(conn, officer, day)
        findings = await intake.patrols.findings_of(conn, f"user:{officer}", since, since + timedelta(days=1))
    facts = [
        PatrolFacts(
            row.patrol_id, row.started_at, row.finished_at or row.started_at, row.seconds, row.metres, row.visits
        )
        for row in patrols
    ]
    found = [
        FindingFacts(
            row.case_id, row.case_number, row.received_at, row.finding,
            _category_name(intake, row.category_code), row.grid_code, row.patrol_id,
        )
        for row in findings
    ]  # fmt: skip
    log = w.log_id(officer, day)
    cmd = w.DraftLog(log, officer, day, facts, found, zone, who(caller, officer, intake), utc_now())
    return await _run(intake, log, caller, lambda state: w.decide_draft(state, cmd))


async def annotate(officer: str, day: date, note: str, intake: Intake, caller: Principal) -> WorkLog:
    log = w.log_id(officer, day)
    return await _run(
        intake, log, caller, lambda s: w.decide_annotate(s, log, note, who(caller, officer, intake), utc_now())
    )


async def sign_off(officer: str, day: date, intake: Intake, caller: Principal) -> WorkLog:
    log = w.log_id(officer, day)
    return await _run(intake, log, caller, lambda s: w.decide_sign_off(s, log, who(caller, officer, intake), utc_now()))


async def accept(officer: str, day: date, intake: Intake, caller: Principal) -> WorkLog:
    log = w.log_id(officer, day)
    return await _run(intake, log, caller, lambda s: w.decide_accept(s, log, who(caller, officer, intake), utc_now()))


async def read(officer: str, day: date, intake: Intake, caller: Principal) -> WorkLog:
    """The log as it stands: the officer's own, or a supervisor's (or analyst's, admin's) to read."""
    history = await intake.store.read_stream(w.stream_id(w.log_id(officer, day)))
    state = DECIDER.fold(history.events)
    if state.officer is None:
        raise NotFound(f"no work log of {officer} for {day.isoformat()}")
    readers = caller.roles & {ADMIN, ANALYST, SUPERVISOR}
    if caller.subject != officer and not (readers and oversees(caller, officer, intake)):
        raise Forbidden(f"the work log of {officer} is theirs and their supervisors' to read")
    return state


def _category_name(intake: Intake, code: str) -> str:
    category = intake.city.category(code)
    return category.name if category else code


async def _run(intake: Intake, log: UUID, caller: Principal, decide: Decide) -> WorkLog:
    meta = EventMeta.traced(caller.actor).for_case(log)
    async with intake.store.pool.acquire() as conn, conn.transaction():
        handled = await handle_and_fold(intake.store, w.stream_id(log), DECIDER, decide, meta, conn)
    return handled.after
