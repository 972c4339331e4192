"""Intake's native HTTP API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import structlog
from fastapi import APIRouter, Header, Response
from pydantic import BaseModel

from casekit.envelope import EventMeta
from casekit.logs import get_logger
from casekit.runtime import RuntimeDep
from schemas.intake import ReportSubmission
from services.intake.application.commands import get_report, submit_report

log = get_logger("intake")
router = APIRouter(prefix="/v1/reports", tags=["reports"])
ActorHeader = Annotated[str | None, Header(alias="X-Actor", description="Who submits: user or system id")]


class ReportCreated(BaseModel):
    case_id: UUID
    status: str = "received"


class ReportView(BaseModel):
    case_id: UUID
    status: str
    channel: str | None
    category_code: str | None
    received_at: datetime | None


@router.post("", status_code=201)
async def post_report(
    body: ReportSubmission, runtime: RuntimeDep, response: Response, actor: ActorHeader = None
) -> ReportCreated:
    """Submit a report (上报); a case is opened for it."""
    case_id = await submit_report(body, runtime.store, EventMeta.traced(actor or f"{body.channel}:http"))
    with structlog.contextvars.bound_contextvars(case_id=str(case_id)):
        log.info("report.received", channel=body.channel, category_code=body.category_code)
    response.headers["Location"] = f"/v1/reports/{case_id}"
    return ReportCreated(case_id=case_id)


@router.get("/{case_id}")
async def read_report(case_id: UUID, runtime: RuntimeDep) -> ReportView:
    report = await get_report(case_id, runtime.store)
    return ReportView(
        case_id=case_id,
        status=report.status,
        channel=report.channel,
        category_code=report.category_code,
        received_at=report.received_at,
    )
