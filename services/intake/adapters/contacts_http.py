"""Personal data on request (个人信息查阅): a reporter's contact for those who must call back, and
the access log an auditor reads. Every disclosure is recorded in the transaction that reads it
(adapters/views/contact_reads.py); docs/access.md, "Personal data".

Who may ask is the authorisation table's (`intake.read_contact`: the call taker and the call-back
team, not even the admin; `intake.contact_reads`: the admin); which cases, the domain's
(domain/access.py), as for reading the report itself.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import orjson
from fastapi import APIRouter, Query, Response
from opentelemetry import trace
from pydantic import AwareDatetime, BaseModel, Field

from casekit.access.guard import Caller
from casekit.access.principal import Principal
from casekit.errors import InvalidInput
from casekit.logs import get_logger
from casekit.masking import mask_personal_data
from services.intake.adapters.deps import IntakeDep
from services.intake.adapters.views import contact_reads as access_log
from services.intake.adapters.views.contact_reads import ContactRead, Reader, ReadFilter, Revealed, SealedRows
from services.intake.application.commands import get_report
from services.intake.application.context import Sealer
from services.intake.domain.access import check_visible

log = get_logger("intake")
router = APIRouter(tags=["personal data"])
Purpose = Annotated[
    str | None, Query(max_length=100, description="Why the contact is read, e.g. 回访 (recorded with the read)")
]


class TypedText(BaseModel):
    """Free text as the reporter typed it, before phone, ID and other numbers in it were masked."""

    description: str | None = None
    address: str | None = None
    summoned_departments: list[str] | None = None


class ContactView(BaseModel):
    """A reporter's contact (报告人联系方式), shown only to those who must call back; every read is logged."""

    case_id: UUID
    case_number: str
    name: str | None
    phone: str | None
    typed: TypedText | None = Field(description="The free text before masking; null when nothing in it was masked")
    read_id: int = Field(description="This read's entry in the access log (GET /v1/audit/contact-reads)")


Opened = tuple[dict[str, str | None], TypedText | None]
"""The contact's fields by name, and the typed free text."""


class ContactReadView(BaseModel):
    id: int
    case_id: UUID
    case_number: str
    actor: str = Field(description="Who read: the verified caller")
    roles: list[str]
    purpose: str | None
    disclosed: list[str] = Field(description="What was shown: name, phone, and the free-text fields as typed")
    trace_id: str | None
    read_at: datetime


class ContactReadPage(BaseModel):
    items: list[ContactReadView]
    next_cursor: str | None


def _reveal(cipher: Sealer, case_id: UUID, sealed: SealedRows) -> Revealed[Opened]:
    case = str(case_id)
    contact: dict[str, str | None] = {"name": None, "phone": None}
    if sealed.contact is not None:
        contact = cipher.open(sealed.contact, case).model_dump()
    typed = TypedText.model_validate(orjson.loads(cipher.open_bytes(sealed.text, case))) if sealed.text else None
    shown = [name for name, value in contact.items() if value is not None]
    shown += sorted(typed.model_dump(exclude_none=True)) if typed else []
    return Revealed((contact, typed), shown)


def _reader(caller: Principal, purpose: str | None) -> Reader:
    if purpose is not None and not purpose.strip():
        raise InvalidInput("a purpose, if given, says something", path="/query/purpose", rule="blank")
    # The purpose is free text too: a number typed into it is masked before it is kept.
    said = mask_personal_data(purpose.strip()) if purpose else None
    span = trace.get_current_span().get_span_context()
    trace_id = format(span.trace_id, "032x") if span.is_valid else None
    return Reader(caller.actor, sorted(caller.roles), said, trace_id)


@router.get("/v1/reports/{case_ref}/contact")
async def read_contact(
    case_ref: str, intake: IntakeDep, caller: Caller, response: Response, purpose: Purpose = None
) -> ContactView:
    """The reporter's contact and what they typed before masking, by case id or case number; the read is logged."""
    reader = _reader(caller, purpose)
    found = await get_report(case_ref, intake)
    check_visible(caller, found)
    cipher = intake.sealer
    (contact, typed), entry = await access_log.disclose(
        intake.store.pool,
        found.case_id,
        found.case_number,
        reader,
        lambda sealed: _reveal(cipher, found.case_id, sealed),
    )
    log.info("contact.read", case_id=str(found.case_id), by=caller.actor, read_id=entry.id, disclosed=entry.disclosed)
    response.headers["Cache-Control"] = "no-store"  # personal data: no cache keeps a copy
    return ContactView(
        case_id=found.case_id,
        case_number=found.case_number,
        name=contact["name"],
        phone=contact["phone"],
        typed=typed,
        read_id=entry.id,
    )


@router.get("/v1/audit/contact-reads")
async def contact_reads(
    intake: IntakeDep,
    caller: Caller,
    case_ref: Annotated[str | None, Query(max_length=64, description="A case id or case number")] = None,
    actor: Annotated[str | None, Query(max_length=200, description="Who read, e.g. user:C-0007")] = None,
    read_from: AwareDatetime | None = None,
    read_to: AwareDatetime | None = None,
    cursor: Annotated[str | None, Query(max_length=32)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ContactReadPage:
    """审计: who read which reporter's contact, when and why; newest first, filtered, paged by `next_cursor`."""
    case_id, case_number = _case(case_ref)
    filters = ReadFilter(case_id, case_number, actor, read_from, read_to)
    rows, next_cursor = await access_log.search(intake.store.pool, filters, cursor, limit)
    return ContactReadPage(items=[_entry(row) for row in rows], next_cursor=next_cursor)


def _case(case_ref: str | None) -> tuple[UUID | None, str | None]:
    if case_ref is None:
        return None, None
    try:
        return UUID(case_ref), None
    except ValueError:
        return None, case_ref


def _entry(row: ContactRead) -> ContactReadView:
    return ContactReadView.model_validate(row, from_attributes=True)
