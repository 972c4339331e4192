"""Who may see and act on which case in Closure (谁能办谁的案件): the domain's half of authorisation.

The table (schemas/access.py) says who may call an operation; this says on which cases: a unit's
staff on their unit's; grid members and dispatchers on their areas'; shift leads, supervisors,
the call-back team and analysts city-wide unless their token names areas; the admin everywhere.
Verification (核查) is by the area's grid member or a supervisor, never by whoever did the work.
"""

from __future__ import annotations

from casekit.access.principal import Principal, within
from casekit.access.scope import Scope
from casekit.access.scope import scope_of as shared_scope_of
from casekit.errors import Forbidden
from schemas.access import (
    ADMIN,
    ANALYST,
    CALLBACK_TEAM,
    DISPATCHER,
    GRID_MEMBER,
    SHIFT_LEAD,
    SUPERVISOR,
    UNIT_STAFF,
)
from services.closure.domain.closure import CaseClosure

CITY_WIDE = (ADMIN, SHIFT_LEAD, SUPERVISOR, CALLBACK_TEAM, ANALYST)
AREA_BOUND = (DISPATCHER, GRID_MEMBER)


def scope_of(caller: Principal) -> Scope:
    return shared_scope_of(caller, CITY_WIDE, AREA_BOUND)


def _units(state: CaseClosure) -> tuple[str, ...]:
    return tuple(unit for unit in (state.unit_code, state.disposing_unit) if unit)


def check_visible(caller: Principal, state: CaseClosure) -> None:
    if not scope_of(caller).admits(_units(state), state.area_code):
        raise Forbidden("this case is not one this caller may see")


def acting_unit(caller: Principal, state: CaseClosure) -> str:
    """The unit a unit's staff member acts for, on a case of that unit."""
    if not caller.has(UNIT_STAFF) or not caller.unit:
        raise Forbidden("only a responsible unit's staff act for a unit (a token with role unit_staff and a unit)")
    if caller.unit != state.unit_code:
        raise Forbidden(f"case is not assigned to {caller.unit}: a unit acts only on its own cases")
    return caller.unit


def check_verifier(caller: Principal, state: CaseClosure) -> str | None:
    """核查: a grid member of the case's area, a supervisor (of it, if their token names areas), or the admin."""
    if caller.is_admin:
        return None
    if caller.has(SUPERVISOR) and (not caller.areas or within(state.area_code, caller.areas)):
        return caller.unit
    if caller.has(GRID_MEMBER) and within(state.area_code, caller.areas):
        return caller.unit
    raise Forbidden("only a grid member of the case's area or a supervisor verifies a disposal (核查)")


def _in_areas(caller: Principal, state: CaseClosure, city_wide: bool) -> None:
    areas = caller.areas or (None if city_wide else ())
    if areas is not None and not within(state.area_code, areas):
        raise Forbidden("the case's place is outside the areas this caller works in")


def check_decider(caller: Principal, state: CaseClosure) -> None:
    """挂账, 恢复: a dispatcher of the case's area, a shift lead, or the admin."""
    if caller.is_admin:
        return
    if not (caller.has(DISPATCHER) or caller.has(SHIFT_LEAD)):
        raise Forbidden("only a dispatcher or shift lead decides this")
    _in_areas(caller, state, city_wide=caller.has(SHIFT_LEAD))


def check_resumer(caller: Principal, state: CaseClosure) -> None:
    """恢复办理: the decider, or the responsible unit itself once it can work the case again."""
    if caller.has(UNIT_STAFF) and caller.unit and caller.unit == state.unit_code:
        return
    check_decider(caller, state)


def check_shift_lead(caller: Principal, state: CaseClosure) -> None:
    """作废, 特殊结案: approved by a shift lead (值班长), or the admin."""
    if caller.is_admin:
        return
    if not caller.has(SHIFT_LEAD):
        raise Forbidden("only a shift lead (值班长) approves a void or a special closing")
    _in_areas(caller, state, city_wide=True)


def check_caller_back(caller: Principal, state: CaseClosure) -> None:
    """回访: the call-back team, or the admin."""
    if not (caller.is_admin or caller.has(CALLBACK_TEAM)):
        raise Forbidden("only the call-back team records a call-back (回访)")
    _in_areas(caller, state, city_wide=True)


def check_reviewer(caller: Principal, state: CaseClosure) -> None:
    """不满意复核: a supervisor or shift lead, or the admin."""
    if caller.is_admin:
        return
    if not (caller.has(SUPERVISOR) or caller.has(SHIFT_LEAD)):
        raise Forbidden("only a supervisor or shift lead decides a review")
    _in_areas(caller, state, city_wide=True)


def check_replier(caller: Principal, state: CaseClosure) -> str | None:
    """办结回复: the responsible unit's staff, or a dispatcher of the case's area, a shift lead, the admin."""
    if caller.has(UNIT_STAFF) and caller.unit:
        return acting_unit(caller, state)
    check_decider(caller, state)
    return None
