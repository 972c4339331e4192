"""工作日志 The work log API: draft, annotate, sign off, accept, read one officer's log of one city day."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID
from zoneinfo import ZoneInfo

from fastapi import APIRouter
from pydantic import BaseModel

from casekit.access.guard import Caller
from schemas.intake import FindingOutcome
from schemas.patrol import WorkLogLine, WorkLogNote
from services.intake.adapters.deps import IntakeDep
from services.intake.application import work_logs
from services.intake.domain.work_log import WorkLog

router = APIRouter(tags=["patrols"])
PATH = "/v1/work-logs/{officer}/{day}"


class NoteView(BaseModel):
    note: str
    by: str
    at: datetime


class WorkLogView(BaseModel):
    """An officer's log of a city day, its lines in time order and its totals; times in the city's zone."""

    log_id: UUID
    officer: str
    day: date
    status: str
    lines: list[WorkLogLine]
    patrols: int
    seconds: float
    metres: float
    findings: dict[FindingOutcome, int]
    notes: list[NoteView]
    drafted_at: datetime
    signed_by: str | None
    signed_at: datetime | None
    accepted_by: str | None
    accepted_at: datetime | None


def view(log: WorkLog, zone: ZoneInfo) -> WorkLogView:
    drafted = log.drafted
    assert drafted is not None  # a log exists once drafted

    def local(at: datetime | None) -> datetime | None:
        return at.astimezone(zone) if at else None

    return WorkLogView(
        log_id=drafted.case_id, officer=drafted.officer, day=drafted.day, status=log.status,
        lines=[line.model_copy(update={"at": line.at.astimezone(zone)}) for line in drafted.lines],
        patrols=drafted.patrols, seconds=drafted.seconds, metres=drafted.metres, findings=drafted.findings,
        notes=[NoteView(note=n.note, by=n.by, at=n.at.astimezone(zone)) for n in log.notes],
        drafted_at=drafted.drafted_at.astimezone(zone), signed_by=log.signed_by, signed_at=local(log.signed_at),
        accepted_by=log.accepted_by, accepted_at=local(log.accepted_at),
    )  # fmt: skip


@router.post(f"{PATH}/draft")
async def draft_work_log(officer: str, day: date, intake: IntakeDep, caller: Caller) -> WorkLogView:
    """生成: from the day's finished patrols and findings; again while it is a draft."""
    return view(await work_logs.draft(officer, day, intake, caller), intake.city.timezone)


@router.post(f"{PATH}/notes")
async def annotate_work_log(
    officer: str, day: date, body: WorkLogNote, intake: IntakeDep, caller: Caller
) -> WorkLogView:
    """批注: a note by the officer or a supervisor."""
    return view(await work_logs.annotate(officer, day, body.note, intake, caller), intake.city.timezone)


@router.post(f"{PATH}/sign-off")
async def sign_off_work_log(officer: str, day: date, intake: IntakeDep, caller: Caller) -> WorkLogView:
    """签字: the officer signs their log off; it no longer changes."""
    return view(await work_logs.sign_off(officer, day, intake, caller), intake.city.timezone)


@router.post(f"{PATH}/accept")
async def accept_work_log(officer: str, day: date, intake: IntakeDep, caller: Caller) -> WorkLogView:
    """审核通过: a supervisor accepts the signed log."""
    return view(await work_logs.accept(officer, day, intake, caller), intake.city.timezone)


@router.get(PATH)
async def read_work_log(officer: str, day: date, intake: IntakeDep, caller: Caller) -> WorkLogView:
    """The log as it stands."""
    return view(await work_logs.read(officer, day, intake, caller), intake.city.timezone)
