"""Who may see and act on which case in Dispatch (谁能办谁的案件): the domain's half of authorisation.

The table (schemas/access.py) says who may call an operation; this says on which cases: a unit's
staff on their unit's (lead or assisting), grid members on their areas' confirmations,
dispatchers on their areas' cases; shift leads, supervisors and analysts city-wide unless their
token names areas; the admin everywhere.
"""

from __future__ import annotations

from casekit.access.principal import Principal, within
from casekit.access.scope import Scope
from casekit.access.scope import scope_of as shared_scope_of
from casekit.errors import Forbidden
from schemas.access import ADMIN, ANALYST, DISPATCHER, GRID_MEMBER, SHIFT_LEAD, SUPERVISOR, UNIT_STAFF
from services.dispatch.domain.assignment import Assignment

CITY_WIDE = (ADMIN, SHIFT_LEAD, SUPERVISOR, ANALYST)
AREA_BOUND = (DISPATCHER, GRID_MEMBER)
DECIDERS = (DISPATCHER, SHIFT_LEAD)
"""派遣员 and 值班长: route, reassign, review, and decide extensions and parks."""


def scope_of(caller: Principal) -> Scope:
    return shared_scope_of(caller, CITY_WIDE, AREA_BOUND)


def check_visible(caller: Principal, state: Assignment) -> None:
    if not scope_of(caller).admits(state.units(), state.area_code):
        raise Forbidden("this case is not one this caller may see")


def acting_unit(caller: Principal, state: Assignment) -> str:
    """The unit a unit's staff member acts for, on a case of that unit (a unit acts only on its own cases)."""
    if not caller.has(UNIT_STAFF) or not caller.unit:
        raise Forbidden("only a responsible unit's staff act for a unit (a token with role unit_staff and a unit)")
    if caller.unit not in state.units():
        raise Forbidden(f"case is not assigned to {caller.unit}: a unit acts only on its own cases")
    return caller.unit


def check_decider(caller: Principal, state: Assignment) -> None:
    """A dispatcher (or shift lead) of the case's area, or the admin."""
    if caller.is_admin:
        return
    if not any(caller.has(role) for role in DECIDERS):
        raise Forbidden("only a dispatcher or shift lead decides this")
    areas = caller.areas or (None if caller.has(SHIFT_LEAD) else ())
    if areas is not None and not within(state.area_code, areas):
        raise Forbidden("the case's place is outside the areas this dispatcher works in")


def check_confirmer(caller: Principal, state: Assignment) -> None:
    """核实: a grid member of the case's area, or the admin."""
    if caller.is_admin:
        return
    if not caller.has(GRID_MEMBER) or not within(state.area_code, caller.areas):
        raise Forbidden("only a grid member of the case's area confirms it on site")
