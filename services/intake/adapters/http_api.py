"""Intake's native HTTP API: submit, read and search reports; the service catalogue."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import structlog
from fastapi import APIRouter, Header, Query, Response
from pydantic import BaseModel, Field

from casekit.access.guard import Caller
from casekit.envelope import EventMeta
from casekit.logs import get_logger
from schemas.intake import Channel, ReportSubmission
from services.intake.adapters.deps import IntakeDep
from services.intake.adapters.views import reports
from services.intake.application.commands import get_report, submit_report
from services.intake.application.ports import ReportSummary
from services.intake.domain.access import check_visible, scope_of

log = get_logger("intake")
router = APIRouter(tags=["reports"])
KeyHeader = Annotated[
    str | None,
    Header(alias="Idempotency-Key", max_length=128, description="Retries with the same key return the same case"),
]


class ReportView(BaseModel):
    """A case's public view: where it stands, who has it, what was said last."""

    case_id: UUID
    case_number: str
    channel: str
    category_code: str
    description: str
    lat: float | None
    lon: float | None
    address: str | None
    grid_code: str | None
    community_code: str | None
    external_id: str | None
    photo_urls: list[str]
    needs_confirmation: bool
    received_at: datetime
    linked_to: UUID | None = Field(description="并单: the open case this report was merged into")
    status: str
    status_note: str | None
    unit_name: str | None
    expected_at: datetime | None
    updated_at: datetime


class ReportPage(BaseModel):
    items: list[ReportView]
    next_cursor: str | None


def view(row: ReportSummary) -> ReportView:
    return ReportView.model_validate(row, from_attributes=True)


@router.post(
    "/v1/reports",
    status_code=201,
    response_model=ReportView,
    responses={200: {"description": "An earlier submission, returned"}},
)
async def post_report(
    body: ReportSubmission,
    intake: IntakeDep,
    caller: Caller,
    idempotency_key: KeyHeader = None,
) -> Response:
    """Submit a report (上报): a case is opened, or linked to an open duplicate (并单).

    A retry with the same `Idempotency-Key` returns the same case (200); the same key with a
    different body is refused (422). A key is the caller's own: another caller's never matches.
    """
    meta = EventMeta.traced(caller.actor)
    submitted = await submit_report(
        body, intake, meta, client=caller.actor, idempotency_key=idempotency_key, caller=caller
    )
    with structlog.contextvars.bound_contextvars(case_id=str(submitted.case_id)):
        log.info("report.submitted", created=submitted.created, channel=body.channel, category=body.category_code)
    # Serialised once, here: returned as a model, FastAPI would validate it again (the hot path, ADR 0008).
    return Response(
        view(submitted.view).model_dump_json(),
        status_code=201 if submitted.created else 200,
        media_type="application/json",
        headers={"Location": f"/v1/reports/{submitted.case_id}"},
    )


@router.get("/v1/reports/{case_ref}")
async def read_report(case_ref: str, intake: IntakeDep, caller: Caller) -> ReportView:
    """One report, by case id or case number (案件编号), if it is the caller's to see."""
    found = await get_report(case_ref, intake)
    check_visible(caller, found)
    return view(found)


@router.get("/v1/reports")
async def search_reports(
    intake: IntakeDep,
    caller: Caller,
    channel: Channel | None = None,
    category_code: str | None = None,
    status: str | None = None,
    area_code: Annotated[
        str | None, Query(pattern=r"^\d{6,15}$", description="District, street, community or grid")
    ] = None,
    external_id: str | None = None,
    received_from: datetime | None = None,
    received_to: datetime | None = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ReportPage:
    """Reports the caller may see, newest first, filtered; follow `next_cursor` for the next page."""
    filters = reports.ReportFilter(
        channel, category_code, status, area_code, external_id, received_from, received_to, scope_of(caller)
    )
    rows, next_cursor = await reports.search(intake.store.pool, filters, cursor, limit)
    return ReportPage(items=[view(row) for row in rows], next_cursor=next_cursor)


class CategoryView(BaseModel):
    code: str
    name: str
    name_en: str
    kind: str
    major_code: str
    major_name: str
    urgency: str


@router.get("/v1/categories", tags=["catalogue"])
async def categories(intake: IntakeDep) -> list[CategoryView]:
    """The service catalogue: every category a report can name."""
    return [CategoryView.model_validate(c, from_attributes=True) for c in intake.city.categories.values()]
