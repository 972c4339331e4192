"""Closure's HTTP API for people: work lists (待办, 超期, 即将到期), a case with its history, and each step of the loop.

处置反馈 by the unit, 核查 by someone who did not do the work, 回访 by the call-back team, 复核,
挂账 and 恢复, 作废 and 特殊结案. Every action checks first that the caller may see the case at all
(403 before any other refusal), then who may take the step (403), then the rule (409).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Annotated, Literal, Self
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import AwareDatetime, BaseModel, Field, model_validator

from casekit.access.guard import Caller
from casekit.access.principal import Principal
from casekit.envelope import utc_now
from schemas.base import Event
from schemas.closure import CallbackResult, DisposalMethod
from schemas.intake import PhotoUrl
from services.closure.adapters.case_views import CaseDetail, CasePage, CaseView, detail, view
from services.closure.adapters.deps import ClosureDep
from services.closure.application.commands import Check, act, read_case
from services.closure.application.ports import CaseFilter
from services.closure.domain import lifecycle as life
from services.closure.domain import side_paths as side
from services.closure.domain.access import (
    acting_unit,
    check_caller_back,
    check_decider,
    check_resumer,
    check_reviewer,
    check_shift_lead,
    check_verifier,
    check_visible,
    scope_of,
)
from services.closure.domain.closure import Act, CaseClosure

router = APIRouter(tags=["closure"])
CaseId = Annotated[UUID, "the case id"]
Note = Annotated[str | None, Field(None, max_length=1000, description="备注")]
Reason = Annotated[str, Field(min_length=1, max_length=500, pattern=r"\S")]
Photos = Annotated[list[PhotoUrl], Field(default_factory=list, max_length=9, description="http(s) URLs, at most 9")]
Status = Literal["open", "returned", "disposed", "closed", "in_review", "parked", "voided"]


class NoteBody(BaseModel):
    note: Note = None


class DisposalBody(BaseModel):
    """处置反馈: what the unit did, how (the "721" mix), and the photos."""

    method: DisposalMethod = Field(description="service (服务/劝导), management (管理) or enforcement (执法)")
    notes: str = Field(min_length=1, max_length=2000, pattern=r"\S", description="What was done")
    photo_urls: Photos
    penalty_notice_number: str | None = Field(None, min_length=1, max_length=64,
                                              description="处罚决定书编号: required for an enforcement")  # fmt: skip

    @model_validator(mode="after")
    def _enforcement_names_its_notice(self) -> Self:
        if self.method == "enforcement" and not self.penalty_notice_number:
            raise ValueError("an enforcement (执法) disposal names its penalty notice number (penalty_notice_number)")
        return self


class VerificationBody(BaseModel):
    passed: bool = Field(description="核查通过 closes the case; not passed sends it back for rework (返工)")
    note: Note = Field(None, description="What is still wrong (required when not passed)")
    photo_urls: Photos


class CallbackBody(BaseModel):
    result: CallbackResult
    note: Note = None


class ReviewBody(BaseModel):
    decision: Literal["uphold", "reopen"] = Field(description="uphold the closing, or reopen the case once more")
    note: Note = None


class ReasonBody(BaseModel):
    reason: Reason


class VoidBody(BaseModel):
    reason: Reason
    note: Note = None


def visible(check: Check) -> Check:
    """The case must be one the caller may see before anything else is said about it."""

    def checked(caller: Principal, state: CaseClosure) -> str | None:
        check_visible(caller, state)
        return check(caller, state)

    return checked


async def act_on(
    closure: ClosureDep, case_id: UUID, caller: Caller, check: Check,
    decide: Callable[[CaseClosure, Act], Sequence[Event]], note: str | None = None,
) -> CaseView:  # fmt: skip
    """One step on a case, checked as every route here checks it (the work order's steps too: hotline_http.py)."""
    async with closure.store.pool.acquire() as conn:
        row = await act(closure, conn, case_id, caller, visible(check), decide, note)
    return view(row, closure.city.calendar.timezone)


@router.get("/v1/cases")
async def list_cases(
    closure: ClosureDep,
    caller: Caller,
    unit: Annotated[str | None, Query(description="The responsible unit")] = None,
    status: Status | None = None,
    area_code: Annotated[str | None, Query(pattern=r"^\d{6,15}$")] = None,
    overdue: Annotated[bool | None, Query(description="超期: true, only overdue cases; false, none")] = None,
    due_within_hours: Annotated[float | None, Query(gt=0, le=24 * 365, description="即将到期: due within")] = None,
    due_before: Annotated[AwareDatetime | None, Query(description="… or due before this instant")] = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> CasePage:
    """The cases the caller may see, newest first: a unit's staff their unit's, grid members and dispatchers
    their areas', the city-wide roles every case (or their areas')."""
    soon = [at for at in (due_before, utc_now() + timedelta(hours=due_within_hours) if due_within_hours else None)
            if at is not None]  # fmt: skip
    filters = CaseFilter(unit, status, area_code, overdue, min(soon) if soon else None, scope_of(caller))
    async with closure.store.pool.acquire() as conn:
        rows, next_cursor = await closure.cases.search(conn, filters, cursor, limit)
    zone = closure.city.calendar.timezone
    return CasePage(items=[view(row, zone) for row in rows], next_cursor=next_cursor)


@router.get("/v1/cases/{case_id}")
async def read_case_detail(case_id: CaseId, closure: ClosureDep, caller: Caller) -> CaseDetail:
    """One case: status, unit, deadlines (in +08:00), overdue and escalated stages, counts, and its history."""
    async with closure.store.pool.acquire() as conn:
        state, row, events = await read_case(closure, conn, case_id)
    check_visible(caller, state)
    return detail(row, state, list(events), closure.city.calendar.timezone)


@router.post("/v1/cases/{case_id}/start")
async def start_disposal(case_id: CaseId, body: NoteBody, closure: ClosureDep, caller: Caller) -> CaseView:
    """开始处置: the responsible unit is at work on the case."""
    return await act_on(closure, case_id, caller, acting_unit, life.decide_start, body.note)


@router.post("/v1/cases/{case_id}/disposal")
async def report_disposal(case_id: CaseId, body: DisposalBody, closure: ClosureDep, caller: Caller) -> CaseView:
    """处置反馈: the unit says what it did; verification (核查) by someone else is due."""
    disposal = life.Disposal(body.method, closure.masked(body.notes), tuple(str(url) for url in body.photo_urls),
                             body.penalty_notice_number)  # fmt: skip
    return await act_on(closure, case_id, caller, acting_unit,
                      lambda s, c: life.decide_dispose(s, c, disposal, closure.rules))  # fmt: skip


@router.post("/v1/cases/{case_id}/verification")
async def verify_disposal(case_id: CaseId, body: VerificationBody, closure: ClosureDep, caller: Caller) -> CaseView:
    """核查: a grid member of the area or a supervisor, never whoever did the work; pass closes, fail is rework."""
    verification = life.Verification(body.passed, closure.masked(body.note), tuple(str(url) for url in body.photo_urls))
    return await act_on(closure, case_id, caller, check_verifier,
                      lambda s, c: life.decide_verify(s, c, verification, closure.rules))  # fmt: skip


@router.post("/v1/cases/{case_id}/callback")
async def record_callback(case_id: CaseId, body: CallbackBody, closure: ClosureDep, caller: Caller) -> CaseView:
    """回访: what the resident said; unsatisfied reopens the case once, a second time sends it to review."""
    callback = life.Callback(body.result, "callback_team")
    return await act_on(closure, case_id, caller, check_caller_back,
                      lambda s, c: life.decide_callback(s, c, callback, closure.rules), body.note)  # fmt: skip


@router.post("/v1/cases/{case_id}/review")
async def decide_review(case_id: CaseId, body: ReviewBody, closure: ClosureDep, caller: Caller) -> CaseView:
    """不满意复核: uphold the closing, or reopen the case to its unit."""
    reopen = body.decision == "reopen"
    return await act_on(closure, case_id, caller, check_reviewer,
                      lambda s, c: life.decide_review(s, c, reopen, closure.rules), body.note)  # fmt: skip


@router.post("/v1/cases/{case_id}/park")
async def park_case(case_id: CaseId, body: ReasonBody, closure: ClosureDep, caller: Caller) -> CaseView:
    """挂账: a dispatcher or shift lead parks the case here; its clocks stop until it resumes."""
    return await act_on(closure, case_id, caller, check_decider,
                      lambda s, c: side.decide_park(s, c, "closure"), body.reason)  # fmt: skip


@router.post("/v1/cases/{case_id}/resume")
async def resume_case(case_id: CaseId, body: NoteBody, closure: ClosureDep, caller: Caller) -> CaseView:
    """恢复办理: each deadline gets the time it had left when the case was parked."""
    return await act_on(closure, case_id, caller, check_resumer,
                      lambda s, c: side.decide_resume(s, c, closure.rules), body.note)  # fmt: skip


@router.post("/v1/cases/{case_id}/void")
async def void_case(case_id: CaseId, body: VoidBody, closure: ClosureDep, caller: Caller) -> CaseView:
    """作废: a shift lead voids an invalid case; nothing more is due."""
    return await act_on(closure, case_id, caller, check_shift_lead,
                      lambda s, c: side.decide_void(s, c, "closure", body.note), body.reason)  # fmt: skip


@router.post("/v1/cases/{case_id}/close")
async def close_case(case_id: CaseId, body: ReasonBody, closure: ClosureDep, caller: Caller) -> CaseView:
    """特殊结案: a shift lead closes a parked case, or a disposed one that cannot be verified, as an exception."""
    return await act_on(closure, case_id, caller, check_shift_lead,
                      lambda s, c: life.decide_close_special(s, c, closure.rules), body.reason)  # fmt: skip
