"""吹哨报到's use cases: a whistle's summons issued with its case, a dispatcher's summons, report-ins, lateness.

Summonses are events of the case's stream (services/dispatch/domain/summons.py says why), so each
use case folds that one stream into the case (for who may act) and its summonses (for what they
decide), and appends at the version it read. The deadline is a durable timer, owed in the
transaction that issues the summons (docs/whistle.md).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID, uuid5

from casekit.access.principal import Principal
from casekit.decider import Decider, handle_and_fold
from casekit.envelope import EventMeta, new_id, utc_now
from casekit.errors import NotFound
from casekit.eventstore import Connection
from schemas.base import Event
from schemas.dispatch import DISPATCH_EVENTS, SummonsIssued
from schemas.intake import ReportReceived
from services.dispatch.application import timers
from services.dispatch.application.context import Dispatch
from services.dispatch.domain import assignment
from services.dispatch.domain import summons as s
from services.dispatch.domain.access import check_decider
from services.dispatch.domain.assignment import Assignment

REPORT_IN_DUE = "report_in_due"
"""The timer kind of a summons' deadline (报到时限)."""

CaseAndSummons = tuple[Assignment, s.CaseSummons]
BOTH: Decider[CaseAndSummons, Event] = Decider(
    initial=(assignment.DECIDER.initial, s.DECIDER.initial),
    evolve=lambda state, event: (assignment.evolve(state[0], event), s.evolve(state[1], event)),
    events=DISPATCH_EVENTS,
)
"""One fold of the case's stream into the case (who may act) and its summonses (what they decide)."""


def whistle_summons(event: ReportReceived, dispatch: Dispatch, by: str, at: datetime) -> list[Event]:
    """The summons a whistle report carries, to append with the opening of its case; none without one.

    Its id derives from the case's, so the case's one whistle is one summons whatever replays it.
    """
    whistle = event.whistle
    if whistle is None or not whistle.summoned_departments:
        return []
    departments = s.resolve_departments(whistle.summoned_departments, dispatch.rules.units, whistle.community_code)
    issue = s.Issue(event.case_id, uuid5(event.case_id, "whistle"), "whistle", whistle.community_code, departments,
                    dispatch.report_in_minutes, by, at)  # fmt: skip
    return s.decide_issue(s.DECIDER.initial, issue)


async def owe_report_in_timers(conn: Connection, events: Sequence[Event]) -> None:
    """One timer per summons, due at its deadline (called with every append of summons events)."""
    for event in events:
        if isinstance(event, SummonsIssued):
            summons_id = str(event.summons_id)
            await timers.schedule(conn, REPORT_IN_DUE, event.case_id, event.due_at, summons_id, summons_id=summons_id)


async def summon_departments(
    dispatch: Dispatch, conn: Connection, case_id: UUID, caller: Principal, unit_ids: Sequence[str],
    limit_minutes: int | None,
) -> s.Summons:  # fmt: skip
    """吹哨 by a dispatcher of the case's area: these units must report in within the limit."""
    summons_id = new_id()

    def decide(case: Assignment, summonses: s.CaseSummons) -> Sequence[Event]:
        check_decider(caller, case)
        community = case.opened.place.community_code if case.opened and case.opened.place else None
        departments = s.units_by_id(unit_ids, dispatch.rules.units)
        return s.decide_issue(summonses, s.Issue(case_id, summons_id, "dispatcher", community, departments,
                                                 limit_minutes or dispatch.report_in_minutes, caller.actor,
                                                 utc_now()))  # fmt: skip

    return await _decide(dispatch, conn, case_id, caller, summons_id, decide)


async def report_in(
    dispatch: Dispatch, conn: Connection, case_id: UUID, summons_id: UUID, caller: Principal, department: str | None
) -> s.Summons:
    """报到: a summoned unit's staff for their unit; a dispatcher for a department the unit table lacks."""

    def decide(case: Assignment, summonses: s.CaseSummons) -> Sequence[Event]:
        summons = summonses.get(summons_id)
        if summons is None:
            raise NotFound(f"no summons {summons_id} on case {case_id}")
        key = s.reporting_department(caller, case, summons, department)
        return s.decide_report_in(summonses, s.ReportIn(case_id, summons_id, key, caller.actor, utc_now()))

    return await _decide(dispatch, conn, case_id, caller, summons_id, decide)


async def list_summons(dispatch: Dispatch, conn: Connection, case_id: UUID, caller: Principal) -> tuple[
        s.Summons, ...]:  # fmt: skip
    """A case's summonses, as far as the caller may see them."""
    case, summonses = BOTH.fold((await dispatch.store.read_stream(assignment.stream_id(case_id), conn=conn)).events)
    if case.opened is None:
        raise NotFound(f"no case {case_id} in Dispatch")
    return s.visible_summonses(caller, case, summonses)


async def on_report_in_due(payload: Mapping[str, Any], dispatch: Dispatch, conn: Connection) -> None:
    """The deadline's timer: every department not reported in by now is late (报到超时)."""
    case_id, summons_id = UUID(payload["case_id"]), UUID(payload["summons_id"])
    meta = EventMeta.traced(timers.ACTOR).for_case(case_id)
    at = utc_now()
    await handle_and_fold(dispatch.store, assignment.stream_id(case_id), s.DECIDER,
                          lambda state: s.decide_flag_late(state, case_id, summons_id, at), meta, conn)  # fmt: skip


async def _decide(
    dispatch: Dispatch, conn: Connection, case_id: UUID, caller: Principal, summons_id: UUID,
    decide: Callable[[Assignment, s.CaseSummons], Sequence[Event]],
) -> s.Summons:  # fmt: skip
    def decided(state: CaseAndSummons) -> Sequence[Event]:
        if state[0].opened is None:
            raise NotFound(f"no case {case_id} in Dispatch")
        return decide(*state)

    meta = EventMeta.traced(caller.actor).for_case(case_id)
    async with conn.transaction():
        handled = await handle_and_fold(dispatch.store, assignment.stream_id(case_id), BOTH, decided, meta, conn)
        await owe_report_in_timers(conn, handled.events)
    summons = handled.after[1].get(summons_id)
    assert summons is not None  # just decided on
    return summons
