"""Dispatch's HTTP API for people: a unit's cases (待办), sign-for, return, requests; a dispatcher's decisions."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from casekit.access.guard import Caller
from schemas.base import Event
from schemas.dispatch import CaseRouted, ReturnReason, VoidReason
from services.dispatch.adapters.deps import DispatchDep
from services.dispatch.adapters.summons_http import SummonsView, summons_of
from services.dispatch.application.commands import Check, act, masked_text, read_assignment
from services.dispatch.application.ports import AssignmentFilter, AssignmentRow
from services.dispatch.domain import assignment as a
from services.dispatch.domain.access import acting_unit, check_confirmer, check_decider, check_visible, scope_of
from services.dispatch.domain.assignment import Act, Assignment

router = APIRouter(tags=["assignments"])
CaseId = Annotated[UUID, "the case id"]
Note = Annotated[str | None, Field(None, max_length=1000, description="备注")]
Reason = Annotated[str, Field(min_length=1, max_length=500, pattern=r"\S")]
Basis = Annotated[str | None, Field(None, min_length=1, max_length=1000, pattern=r"\S", description="依据: the "
                                    "rule or fact it rests on")]  # fmt: skip
UnitCode = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$", description="A unit id of units.yaml")]


class AssignmentView(BaseModel):
    """A case as Dispatch holds it: status, lead (主办) and assisting (协办) units, deadlines, requests."""

    case_id: UUID
    case_number: str | None
    status: str = Field(description="awaiting_confirmation, unroutable, routed, signed_for, returned, in_review, "
                                    "voided or self_disposed")  # fmt: skip
    channel: str
    category_code: str
    urgency: str
    area_code: str | None
    lead_unit: str | None
    lead_name: str | None
    assisting: list[str]
    signed: list[str]
    returns: int
    owner_final: bool = Field(description="责任主体唯一: named by review, the owner may not return it")
    pending_extension: int | None = Field(description="Days of an extension request waiting for a decision")
    pending_park: str | None = Field(description="The reason of a park request waiting for a decision")
    parked: bool
    sign_for_due_at: datetime | None
    confirmation_due_at: datetime | None
    opened_at: datetime
    updated_at: datetime
    work_order_no: str | None = Field(None, description="工单编号: a 12345 work order, whose returns and extensions "
                                                        "the hotline decides")  # fmt: skip
    reply_due_at: datetime | None = Field(None, description="The work order's reply due (办理截止时间), as the "
                                                            "hotline last set it")  # fmt: skip
    pending_return: str | None = Field(None, description="退单申请: the reason of a work order's return request "
                                                         "waiting for the hotline's decision")  # fmt: skip


class HistoryEntry(BaseModel):
    type: str
    at: datetime | None
    data: dict[str, object]


class AssignmentDetail(AssignmentView):
    routing: CaseRouted | None = Field(description="The current routing decision and why (the rule, the area, "
                                                   "the candidates)")  # fmt: skip
    history: list[HistoryEntry]
    summons: list[SummonsView] = Field(default_factory=list, description="吹哨报到: who was summoned, who came")


class AssignmentPage(BaseModel):
    items: list[AssignmentView]
    next_cursor: str | None


class NoteBody(BaseModel):
    note: Note = None


class RejectBody(BaseModel):
    reason: VoidReason = Field(description="Why the report is voided after the site visit")
    note: Note = None


class ReturnBody(BaseModel):
    reason: ReturnReason
    note: Note = None
    basis: Basis = None


class RouteBody(BaseModel):
    unit_code: UnitCode | None = Field(None, description="The unit to route to; absent: by the rules, "
                                                         "without the units that returned the case")  # fmt: skip
    note: Note = None


class UnitBody(BaseModel):
    unit_code: UnitCode
    note: Note = None


class ExtensionBody(BaseModel):
    days: int = Field(ge=1, le=365, description="延期天数: working days")
    reason: Reason
    basis: Basis = None


class ParkBody(BaseModel):
    reason: Reason


class DecisionBody(BaseModel):
    approve: bool
    note: Note = None


def view(row: AssignmentRow) -> AssignmentView:
    return AssignmentView.model_validate(row, from_attributes=True)


async def _act(
    dispatch: DispatchDep, case_id: UUID, caller: Caller, check: Check,
    decide: Callable[[Assignment, Act], Sequence[Event]], note: str | None = None,
) -> AssignmentView:  # fmt: skip
    async with dispatch.store.pool.acquire() as conn:
        return view(await act(dispatch, conn, case_id, caller, check, decide, note))


@router.get("/v1/assignments")
async def list_assignments(
    dispatch: DispatchDep,
    caller: Caller,
    unit: Annotated[str | None, Query(description="Lead or assisting unit")] = None,
    status: str | None = None,
    category_code: Annotated[str | None, Query(pattern=r"^\d{5}$")] = None,
    area_code: Annotated[str | None, Query(pattern=r"^\d{6,15}$")] = None,
    opened_from: datetime | None = None,
    opened_to: datetime | None = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> AssignmentPage:
    """The cases the caller may see, newest first: a unit's staff their unit's, a dispatcher their areas'."""
    filters = AssignmentFilter(unit, status, category_code, area_code, opened_from, opened_to, scope_of(caller))
    async with dispatch.store.pool.acquire() as conn:
        rows, next_cursor = await dispatch.assignments.search(conn, filters, cursor, limit)
    return AssignmentPage(items=[view(row) for row in rows], next_cursor=next_cursor)


@router.get("/v1/assignments/{case_id}")
async def read_assignment_detail(case_id: CaseId, dispatch: DispatchDep, caller: Caller) -> AssignmentDetail:
    """One case: where it stands, its current routing decision explained, and its history in Dispatch."""
    async with dispatch.store.pool.acquire() as conn:
        state, row, events = await read_assignment(dispatch, conn, case_id)
    check_visible(caller, state)
    routing = next((e for e in reversed(events) if isinstance(e, CaseRouted)), None)
    history = [HistoryEntry(type=e.type, at=_instant(e), data=e.model_dump(mode="json", exclude={"case_id"}))
               for e in events]  # fmt: skip
    return AssignmentDetail(**view(row).model_dump(), routing=routing, history=history, summons=summons_of(events))


def _instant(event: Event) -> datetime | None:
    return next((v for k, v in event if k.endswith("_at") and isinstance(v, datetime)), None)


@router.post("/v1/assignments/{case_id}/confirm")
async def confirm_case(case_id: CaseId, body: NoteBody, dispatch: DispatchDep, caller: Caller) -> AssignmentView:
    """核实通过: a grid member of the area found the problem on site; the case is routed."""
    return await _act(dispatch, case_id, caller, check_confirmer,
                      lambda s, c: a.decide_confirm(s, c, dispatch.rules), body.note)  # fmt: skip


@router.post("/v1/assignments/{case_id}/reject")
async def reject_case(case_id: CaseId, body: RejectBody, dispatch: DispatchDep, caller: Caller) -> AssignmentView:
    """核实不通过: the problem is not there; the case is voided with the reason."""
    return await _act(dispatch, case_id, caller, check_confirmer,
                      lambda s, c: a.decide_reject(s, c, body.reason), body.note)  # fmt: skip


@router.post("/v1/assignments/{case_id}/sign-for")
async def sign_for(case_id: CaseId, body: NoteBody, dispatch: DispatchDep, caller: Caller) -> AssignmentView:
    """签收: the caller's unit takes the case on (lead), or its part of it (assisting)."""
    return await _act(dispatch, case_id, caller, acting_unit, a.decide_sign_for, body.note)


@router.post("/v1/assignments/{case_id}/return")
async def return_case(case_id: CaseId, body: ReturnBody, dispatch: DispatchDep, caller: Caller) -> AssignmentView:
    """退单: the lead unit says the case is not its own; the second return sends it to review. A 12345 work
    order's return is a request (退单申请) the hotline decides; the unit keeps the case meanwhile."""
    basis = masked_text(dispatch, body.basis)
    return await _act(dispatch, case_id, caller, acting_unit,
                      lambda s, c: a.decide_return(s, c, body.reason, basis), body.note)  # fmt: skip


@router.post("/v1/assignments/{case_id}/assist-report")
async def report_assist(case_id: CaseId, body: NoteBody, dispatch: DispatchDep, caller: Caller) -> AssignmentView:
    """协办反馈: an assisting unit reports its part done."""
    return await _act(dispatch, case_id, caller, acting_unit, a.decide_report_assist, body.note)


@router.post("/v1/assignments/{case_id}/extension")
async def request_extension(
    case_id: CaseId, body: ExtensionBody, dispatch: DispatchDep, caller: Caller
) -> AssignmentView:
    """延期申请: the lead unit asks for more working days; a dispatcher decides, the hotline for a work order
    (whose request says the reply due it asks for)."""
    basis = masked_text(dispatch, body.basis)
    return await _act(dispatch, case_id, caller, acting_unit,
                      lambda s, c: a.decide_request_extension(s, c, body.days, dispatch.rules, basis),
                      body.reason)  # fmt: skip


@router.post("/v1/assignments/{case_id}/park")
async def request_park(case_id: CaseId, body: ParkBody, dispatch: DispatchDep, caller: Caller) -> AssignmentView:
    """挂账申请: the lead unit asks to park a case that cannot be solved now."""
    return await _act(dispatch, case_id, caller, acting_unit, a.decide_request_park, body.reason)


@router.post("/v1/assignments/{case_id}/route")
async def route_case(case_id: CaseId, body: RouteBody, dispatch: DispatchDep, caller: Caller) -> AssignmentView:
    """重新派遣: a dispatcher routes a returned or unroutable case, to a named unit or by the rules."""
    return await _act(dispatch, case_id, caller, check_decider,
                      lambda s, c: a.decide_reroute(s, c, dispatch.rules, body.unit_code), body.note)  # fmt: skip


@router.post("/v1/assignments/{case_id}/reassign")
async def reassign_case(case_id: CaseId, body: UnitBody, dispatch: DispatchDep, caller: Caller) -> AssignmentView:
    """改派: a dispatcher gives the case to another unit, at any time."""
    return await _act(dispatch, case_id, caller, check_decider,
                      lambda s, c: a.decide_reassign(s, c, dispatch.rules, body.unit_code), body.note)  # fmt: skip


@router.post("/v1/assignments/{case_id}/review")
async def decide_review(case_id: CaseId, body: UnitBody, dispatch: DispatchDep, caller: Caller) -> AssignmentView:
    """争议裁定: after two returns a dispatcher names the single owner (责任主体唯一), who may not return it."""
    return await _act(dispatch, case_id, caller, check_decider,
                      lambda s, c: a.decide_review(s, c, dispatch.rules, body.unit_code), body.note)  # fmt: skip


@router.post("/v1/assignments/{case_id}/extension/decision")
async def decide_extension(
    case_id: CaseId, body: DecisionBody, dispatch: DispatchDep, caller: Caller
) -> AssignmentView:
    """延期审批: approve or refuse the waiting extension request (not a work order's: the hotline decides it)."""
    return await _act(dispatch, case_id, caller, check_decider,
                      lambda s, c: a.decide_extension(s, c, body.approve), body.note)  # fmt: skip


@router.post("/v1/assignments/{case_id}/park/decision")
async def decide_park(case_id: CaseId, body: DecisionBody, dispatch: DispatchDep, caller: Caller) -> AssignmentView:
    """挂账审批: approve or refuse the waiting park request."""
    return await _act(dispatch, case_id, caller, check_decider,
                      lambda s, c: a.decide_park(s, c, body.approve), body.note)  # fmt: skip
