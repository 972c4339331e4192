"""吹哨报到: a summons (吹哨) calls departments to a case's site; each must report in (报到) by a deadline.

A summons comes from a community's whistle report or from a dispatcher on any case. Its events
live on the case's own stream (`assignment-<case_id>`), not a stream of their own: a whistle's
summons is issued in the transaction that opens the case, and a transaction appends to one
stream (ADR 0002). `CaseSummons` is the fold of those events, every summons of one case by id;
the Assignment's own fold passes over them (docs/whistle.md).

Departments are resolved against the city's unit table; a name the table does not know is still
summoned, by that name, and a dispatcher reports it in on its behalf.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal
from uuid import UUID

from casekit.access.principal import Principal
from casekit.decider import Decider
from casekit.errors import Forbidden, NotFound, RuleViolation
from cityconfig.units import Unit, Units
from schemas.access import UNIT_STAFF
from schemas.base import Event
from schemas.dispatch import (
    DISPATCH_EVENTS,
    DepartmentLate,
    DepartmentReportedIn,
    SummonedDepartment,
    SummonsIssued,
)
from services.dispatch.domain.access import check_decider, check_visible
from services.dispatch.domain.assignment import Assignment
from services.dispatch.domain.routing import COARSER

Source = Literal["whistle", "dispatcher"]
DEFAULT_LIMIT_MINUTES = 30
"""报到时限: 30 minutes in the Beijing practice (DOMAIN.md); DISPATCH_REPORT_IN_MINUTES sets it."""


@dataclass(frozen=True)
class Department:
    """One summoned department: who it is, and whether and when it reported in."""

    key: str
    unit_code: str | None
    unit_name: str
    """The unit's name, or the department as the whistle named it."""
    reported_in_at: datetime | None = None
    reported_by: str | None = None
    late: bool = False
    """Flagged by the deadline's timer, or reported in after the deadline."""
    flagged_late_at: datetime | None = None


@dataclass(frozen=True)
class Summons:
    """吹哨: departments summoned to the site, each to report in by `due_at`."""

    summons_id: UUID
    source: Source
    community_code: str | None
    departments: tuple[Department, ...]
    limit_minutes: int
    due_at: datetime
    issued_by: str
    issued_at: datetime

    @property
    def complete(self) -> bool:
        """Every department has reported in."""
        return all(d.reported_in_at is not None for d in self.departments)

    def department(self, key: str) -> Department | None:
        return next((d for d in self.departments if d.key == key), None)

    def summons_unit(self, unit_code: str | None) -> bool:
        return unit_code is not None and any(d.unit_code == unit_code for d in self.departments)


@dataclass(frozen=True)
class CaseSummons:
    """Every summons of one case, in the order issued."""

    summonses: tuple[Summons, ...] = ()

    def get(self, summons_id: UUID) -> Summons | None:
        return next((s for s in self.summonses if s.summons_id == summons_id), None)

    def _with(self, summons: Summons) -> CaseSummons:
        return CaseSummons(tuple(summons if s.summons_id == summons.summons_id else s for s in self.summonses))


@dataclass(frozen=True)
class Issue:
    """Summon these departments to the case's site, to report in within `limit_minutes`."""

    case_id: UUID
    summons_id: UUID
    source: Source
    community_code: str | None
    departments: Sequence[SummonedDepartment]
    limit_minutes: int
    by: str
    at: datetime


@dataclass(frozen=True)
class ReportIn:
    """报到: `department` (its key) arrived on site; `by` is who says so."""

    case_id: UUID
    summons_id: UUID
    department: str
    by: str
    at: datetime


def decide_issue(state: CaseSummons, cmd: Issue) -> list[Event]:
    if not cmd.departments:
        raise RuleViolation("a summons needs at least one department")
    if cmd.limit_minutes < 1:
        raise RuleViolation("a summons needs at least a minute to report in")
    if state.get(cmd.summons_id) is not None:
        raise RuleViolation(f"summons {cmd.summons_id} was already issued")
    keys = [d.key for d in cmd.departments]
    twice = sorted({key for key in keys if keys.count(key) > 1})
    if twice:
        raise RuleViolation(f"summoned twice: {', '.join(twice)}")
    return [SummonsIssued(
        case_id=cmd.case_id, summons_id=cmd.summons_id, source=cmd.source, community_code=cmd.community_code,
        departments=list(cmd.departments), limit_minutes=cmd.limit_minutes,
        due_at=cmd.at + timedelta(minutes=cmd.limit_minutes), issued_by=cmd.by, issued_at=cmd.at,
    )]  # fmt: skip


def decide_report_in(state: CaseSummons, cmd: ReportIn) -> list[Event]:
    summons = _summons(state, cmd.summons_id)
    department = summons.department(cmd.department)
    if department is None:
        raise NotFound(f"{cmd.department!r} is not summoned by summons {cmd.summons_id}")
    if department.reported_in_at is not None:
        raise RuleViolation(f"{cmd.department} already reported in at {department.reported_in_at.isoformat()}")
    # Late still counts: it reports in, marked late (as 核实 after its deadline is).
    late = department.late or cmd.at > summons.due_at
    return [DepartmentReportedIn(case_id=cmd.case_id, summons_id=cmd.summons_id, department=cmd.department,
                                 late=late, reported_by=cmd.by, reported_at=cmd.at)]  # fmt: skip


def decide_flag_late(state: CaseSummons, case_id: UUID, summons_id: UUID, at: datetime) -> list[Event]:
    """The deadline's timer: each department not reported in is late, once. The timer is the clock."""
    summons = state.get(summons_id)
    if summons is None:
        return []
    return [DepartmentLate(case_id=case_id, summons_id=summons_id, department=d.key, due_at=summons.due_at,
                           flagged_at=at)
            for d in summons.departments if d.reported_in_at is None and d.flagged_late_at is None]  # fmt: skip


def _summons(state: CaseSummons, summons_id: UUID) -> Summons:
    summons = state.get(summons_id)
    if summons is None:
        raise NotFound(f"no summons {summons_id} on this case")
    return summons


def evolve(state: CaseSummons, event: Event) -> CaseSummons:
    match event:
        case SummonsIssued():
            departments = tuple(Department(d.key, d.unit_code, d.unit_name) for d in event.departments)
            summons = Summons(event.summons_id, event.source, event.community_code, departments, event.limit_minutes,
                              event.due_at, event.issued_by, event.issued_at)  # fmt: skip
            return CaseSummons((*state.summonses, summons))
        case DepartmentReportedIn():
            return _department(state, event.summons_id, event.department, reported_in_at=event.reported_at,
                               reported_by=event.reported_by, late=event.late)  # fmt: skip
        case DepartmentLate():
            return _department(state, event.summons_id, event.department, late=True, flagged_late_at=event.flagged_at)
        case _:
            return state  # the case's other events: the Assignment's


def _department(state: CaseSummons, summons_id: UUID, key: str, **changes: object) -> CaseSummons:
    summons = state.get(summons_id)
    if summons is None:
        return state  # evolve never validates
    departments = tuple(replace(d, **changes) if d.key == key else d for d in summons.departments)  # type: ignore[arg-type]
    return state._with(replace(summons, departments=departments))


DECIDER: Decider[CaseSummons, Event] = Decider(initial=CaseSummons(), evolve=evolve, events=DISPATCH_EVENTS)
"""Folds the case's stream (`assignment.stream_id`), keeping only its summonses."""


# Who the departments are: the city's unit table.


def resolve_departments(names: Iterable[str], units: Units, community_code: str | None) -> list[SummonedDepartment]:
    """A whistle's departments, each resolved once (the first mention wins), in the order given."""
    resolved: dict[str, SummonedDepartment] = {}
    for name in names:
        department = resolve_department(name, units, community_code)
        resolved.setdefault(department.key, department)
    return list(resolved.values())


def resolve_department(name: str, units: Units, community_code: str | None) -> SummonedDepartment:
    """A unit id, a unit's name, or a trade (its id, its name, or a name that starts with it, such as
    城管执法中队 or 市场监管所: the trade's unit covering the community, most local first); anything else
    is summoned by the name as given, with no unit."""
    given = name.strip()
    unit = units.get(given) or next((u for u in units.by_id.values() if u.name == given), None)
    if unit is None:
        trade = given if given in units.trades else _trade_named(units, given)
        unit = _covering(units, trade, community_code) if trade else None
    if unit is None:
        return SummonedDepartment(key=given, unit_code=None, unit_name=given)
    return SummonedDepartment(key=unit.id, unit_code=unit.id, unit_name=unit.name)


def _trade_named(units: Units, given: str) -> str | None:
    """The trade whose name the given name starts with, the longest such name winning (街道办事处 over 街道)."""
    named = [(len(trade_name), trade) for trade, trade_name in units.trades.items() if given.startswith(trade_name)]
    return max(named)[1] if named else None


def _covering(units: Units, trade: str, area_code: str | None) -> Unit | None:
    """The unit of `trade` covering the area, community level first, then street, then district (as routing
    falls back; one unit of a trade and level covers a place)."""
    return next((unit for level in COARSER["community"] if (unit := units.find(trade, level, area_code))), None)


def units_by_id(unit_ids: Iterable[str], units: Units) -> list[SummonedDepartment]:
    """A dispatcher's departments: unit ids of the city's table, each once."""
    resolved: dict[str, SummonedDepartment] = {}
    for unit_id in unit_ids:
        unit = units.get(unit_id)
        if unit is None:
            raise RuleViolation(f"no unit {unit_id!r} in the city's unit table")
        resolved.setdefault(unit.id, SummonedDepartment(key=unit.id, unit_code=unit.id, unit_name=unit.name))
    return list(resolved.values())


# Who may report in, and who may see a case's summonses.


def reporting_department(caller: Principal, case: Assignment, summons: Summons, key: str | None) -> str:
    """The key of the department the caller reports in: a unit's staff for their own summoned unit;
    a dispatcher of the case's area for a department with no unit (on its behalf); the admin for any."""
    own = caller.unit if caller.has(UNIT_STAFF) else None
    key = key or own
    if key is None:
        raise RuleViolation("name the department that reports in (its key in the summons)")
    department = summons.department(key)
    if department is None:
        if key == own:
            raise Forbidden(f"{own} is not summoned by this summons")
        raise NotFound(f"{key!r} is not summoned by summons {summons.summons_id}")
    if caller.is_admin or (own is not None and department.unit_code == own):
        return key
    if department.unit_code is not None:
        raise Forbidden(f"{department.unit_code} reports in itself: only its own staff may")
    check_decider(caller, case)  # a department with no unit: a dispatcher of the area, on its behalf
    return key


def visible_summonses(caller: Principal, case: Assignment, state: CaseSummons) -> tuple[Summons, ...]:
    """All of a case's summonses for whoever may see the case; a summoned unit's staff see those they are in."""
    try:
        check_visible(caller, case)
    except Forbidden:
        own = caller.unit if caller.has(UNIT_STAFF) else None
        mine = tuple(s for s in state.summonses if s.summons_unit(own))
        if not mine:
            raise
        return mine
    return state.summonses
