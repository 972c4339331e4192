"""接诉即办 over HTTP in Closure: a 12345 work order's progress notes (办理进展) and final reply (办结回复).

Each becomes an event Intake turns into a message to the hotline (ADR 0017). The lead unit's
staff note progress; they, or a dispatcher of the area or a shift lead, send the final reply.
Checked as every step in http_api.py: the case visible first (403), who may (403), then the rule (409).
"""

from __future__ import annotations

from typing import Self

from fastapi import APIRouter
from pydantic import AwareDatetime, BaseModel, Field, model_validator

from casekit.access.guard import Caller
from schemas.hotline import Outcome, ProgressKind, ReplyMethod
from services.closure.adapters.case_views import CaseView
from services.closure.adapters.deps import ClosureDep
from services.closure.adapters.http_api import CaseId, Note, act_on
from services.closure.domain import hotline as hl
from services.closure.domain.access import acting_unit, check_replier

router = APIRouter(tags=["closure"])


class ProgressBody(BaseModel):
    """办理进展: contacted the resident, could not (and why), or on site."""

    progress: ProgressKind = Field(description="contacted 已联系诉求人, not_contacted 未能联系, on_site 已到场")
    note: Note = Field(None, description="说明; for not_contacted, the reason (未联系原因), required")
    staff: str | None = Field(None, min_length=1, max_length=50, pattern=r"\S",
                                       description="联系人员/到场人员: our staff, never the resident")  # fmt: skip
    at: AwareDatetime | None = Field(None, description="首次联系时间/到场时间; now when not given")

    @model_validator(mode="after")
    def _reason_when_not_contacted(self) -> Self:
        if self.progress == "not_contacted" and not (self.note and self.note.strip()):
            raise ValueError("not_contacted (未联系) gives the reason the resident could not be reached (note)")
        return self


class ReplyBody(BaseModel):
    """办结回复: the outcome the hotline ranks us by, the reply's gist, and how the resident was answered."""

    outcome: Outcome = Field(description="办理结果: solved 解决, unsolved 未解决, partly_solved 部分解决, "
                                         "not_handled 不办理/退单")  # fmt: skip
    summary: str = Field(min_length=1, max_length=2000, pattern=r"\S", description="答复要点")
    method: ReplyMethod = Field(description="答复方式: phone 电话, sms 短信, in_person 当面, online 网上")


@router.post("/v1/cases/{case_id}/progress")
async def note_progress(case_id: CaseId, body: ProgressBody, closure: ClosureDep, caller: Caller) -> CaseView:
    """办理进展: the lead unit tells the hotline it contacted the resident (or could not, and why), or is on site."""
    progress = hl.ProgressNote(body.progress, body.at, closure.masked(body.staff))
    return await act_on(closure, case_id, caller, acting_unit, lambda s, c: hl.decide_progress(s, c, progress),
                        body.note)  # fmt: skip


@router.post("/v1/cases/{case_id}/reply")
async def reply(case_id: CaseId, body: ReplyBody, closure: ClosureDep, caller: Caller) -> CaseView:
    """办结回复: the final reply to the 12345 work order, due by the hotline's time; it ends the reply deadline."""
    answer = hl.Reply(body.outcome, closure.masked(body.summary), body.method)
    return await act_on(closure, case_id, caller, check_replier, lambda s, c: hl.decide_reply(s, c, answer))
