"""The 12345 hotline's API (接诉即办, docs/hotline.md): work orders in, decisions, call-backs and notices in,
and what became of each message we owe it. Only the hotline's system calls the writes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Annotated, Any, TypeVar

import structlog
from fastapi import APIRouter, Path, Response
from pydantic import BaseModel, Field

from casekit.access.guard import Caller
from casekit.access.principal import Principal
from casekit.envelope import utc_now
from casekit.errors import Forbidden, NotFound
from casekit.logs import get_logger
from casekit.web.responses import problem_response
from schemas.hotline import ExtensionDecision, HotlineCallback, MessageKind, Notice, ReturnDecision, WorkOrder
from services.intake.adapters import hotline_store
from services.intake.adapters.callbacks_http import AttemptView
from services.intake.adapters.callbacks_store import DeliveryState
from services.intake.adapters.deps import IntakeDep
from services.intake.application.context import Intake
from services.intake.application.hotline import find_work_order, push_work_order, record_from_hotline
from services.intake.domain import hotline
from services.intake.domain.hotline import HotlineEvent, HotlineWorkOrder, WorkOrderRef

log = get_logger("intake")
router = APIRouter(prefix="/hotline/v1", tags=["12345 hotline"])
C = TypeVar("C")
No = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[0-9A-Za-z][0-9A-Za-z_\-]*$", description="工单编号")]
RECORDED: dict[int | str, dict[str, Any]] = {
    200: {"description": "Sent before: recorded once, nothing changed"},
    404: problem_response(404, "无此工单"),
}
DECIDED: dict[int | str, dict[str, Any]] = {
    **RECORDED,
    409: problem_response(409, "Nothing waits for this decision (no request pending)"),
}


class WorkOrderReceipt(BaseModel):
    """受理回执: the case a work order is."""

    case_id: str
    case_number: str | None = Field(description="案件编号")
    work_order_no: str = Field(description="工单编号")


class WorkOrderView(BaseModel):
    """A work order as we hold it: its case, where it stands and what waits on the hotline."""

    work_order_no: str = Field(description="工单编号")
    case_id: str
    case_number: str | None = Field(description="案件编号")
    status: str = Field(description="公开状态: received, dispatched, accepted, …, closed")
    status_note: str | None
    unit_name: str | None = Field(description="承办单位")
    due_at: datetime | None = Field(description="办理截止时间 (the hotline's, moved only by an approved extension)")
    return_pending: bool = Field(description="退单申请 waiting for the hotline's decision")
    extension_pending: bool = Field(description="延期申请 waiting for the hotline's decision")
    replied: bool = Field(description="办结回复 sent")
    messages: int = Field(description="Messages queued so far (the last sequence)")


class DeliveryView(BaseModel):
    queue: str = Field(description="hotline: the signed POST; hotline-kafka: hotline.outbound.v1")
    state: DeliveryState
    created_at: datetime
    finished_at: datetime | None
    next_attempt_at: datetime | None
    attempts: list[AttemptView]


class MessageView(BaseModel):
    sequence: int
    message_id: str
    kind: MessageKind
    created_at: datetime
    body: dict[str, Any]
    deliveries: list[DeliveryView]


def check_hotline(caller: Principal) -> None:
    """The hotline's system, and no other, speaks for the hotline (an admin may read along)."""
    if caller.kind == "system" and "hotline" in caller.channels:
        return
    if caller.kind == "person" and caller.is_admin:
        return
    raise Forbidden("only the 12345 hotline's system may call this")


def check_hotline_system(caller: Principal) -> None:
    if caller.kind != "system" or "hotline" not in caller.channels:
        raise Forbidden("only the 12345 hotline's system may decide or notify for a work order")


def _receipt(ref: WorkOrderRef, created: bool) -> Response:
    body = WorkOrderReceipt(case_id=str(ref.case_id), case_number=ref.case_number, work_order_no=ref.work_order_no)
    return Response(body.model_dump_json(), status_code=201 if created else 200, media_type="application/json")


@router.post("/work-orders", status_code=201, response_model=WorkOrderReceipt, responses=RECORDED)
async def hotline_push_work_order(body: WorkOrder, intake: IntakeDep, caller: Caller) -> Response:
    """派单: a work order becomes a case (201); pushed again, the same case (200), whatever changed since."""
    check_hotline_system(caller)
    submitted = await push_work_order(body, intake, caller)
    with structlog.contextvars.bound_contextvars(case_id=str(submitted.case_id)):
        log.info("hotline.work_order", created=submitted.created, category=body.category_code)
    ref = WorkOrderRef(submitted.case_id, body.work_order_no, submitted.view.case_number)
    response = _receipt(ref, submitted.created)
    response.headers["Location"] = f"/hotline/v1/work-orders/{body.work_order_no}"
    return response


@router.get("/work-orders/{work_order_no}", responses={404: problem_response(404, "无此工单")})
async def hotline_work_order(work_order_no: No, intake: IntakeDep, caller: Caller) -> WorkOrderView:
    """A work order's case, status and the requests waiting on the hotline."""
    check_hotline(caller)
    async with intake.store.pool.acquire() as conn:
        found = await find_work_order(intake, conn, work_order_no)
        summary = await intake.reports.summary(conn, found.ref.case_id)
    if summary is None:
        raise NotFound(f"no work order {work_order_no}")
    state, zone = found.state, intake.city.timezone
    return WorkOrderView(
        work_order_no=work_order_no, case_id=str(found.ref.case_id), case_number=found.ref.case_number,
        status=summary.status, status_note=summary.status_note, unit_name=summary.unit_name,
        due_at=summary.expected_at.astimezone(zone) if summary.expected_at else None,
        return_pending=state.return_pending, extension_pending=state.extension_pending, replied=state.replied,
        messages=state.messages,
    )  # fmt: skip


@router.get("/work-orders/{work_order_no}/messages", responses={404: problem_response(404, "无此工单")})
async def hotline_messages(work_order_no: No, intake: IntakeDep, caller: Caller) -> list[MessageView]:
    """Every message we owe the work order, in sequence, with its delivery on each queue and every attempt."""
    check_hotline(caller)
    async with intake.store.pool.acquire() as conn:
        found = await find_work_order(intake, conn, work_order_no)
        listed = await hotline_store.messages(intake.store, conn, found.ref.case_id, work_order_no)
    return [
        MessageView(
            sequence=item.message.sequence, message_id=str(item.message.message_id), kind=item.message.body.kind,
            created_at=item.message.created_at, body=item.message.body.model_dump(mode="json"),
            deliveries=[DeliveryView.model_validate(d, from_attributes=True) for d in item.deliveries],
        )
        for item in listed
    ]  # fmt: skip


async def _record(
    intake: Intake,
    work_order_no: str,
    caller: Principal,
    command: Callable[[WorkOrderRef], C],
    decide: Callable[[HotlineWorkOrder, C], Sequence[HotlineEvent]],
) -> Response:
    check_hotline_system(caller)
    ref, created = await record_from_hotline(intake, work_order_no, command, decide, caller)
    with structlog.contextvars.bound_contextvars(case_id=str(ref.case_id)):
        log.info("hotline.received", decide=decide.__name__, created=created)
    return _receipt(ref, created)


@router.post("/work-orders/{work_order_no}/return-decision", status_code=201, response_model=WorkOrderReceipt,
             responses=DECIDED)  # fmt: skip
async def hotline_return_decision(
    work_order_no: No, body: ReturnDecision, intake: IntakeDep, caller: Caller
) -> Response:
    """退单审核: approved (改派: the case is returned and re-routed) or rejected (驳回: the unit keeps it)."""
    return await _record(
        intake, work_order_no, caller, lambda ref: hotline.DecideReturn(ref, body, utc_now()), hotline.decide_return
    )


@router.post("/work-orders/{work_order_no}/extension-decision", status_code=201, response_model=WorkOrderReceipt,
             responses=DECIDED)  # fmt: skip
async def hotline_extension_decision(
    work_order_no: No, body: ExtensionDecision, intake: IntakeDep, caller: Caller
) -> Response:
    """延期审核: approved until the due time granted, or rejected."""
    return await _record(
        intake, work_order_no, caller, lambda ref: hotline.DecideExtension(ref, body, utc_now()),
        hotline.decide_extension,
    )  # fmt: skip


@router.post("/work-orders/{work_order_no}/callbacks", status_code=201, response_model=WorkOrderReceipt,
             responses=RECORDED)  # fmt: skip
async def hotline_callback(work_order_no: No, body: HotlineCallback, intake: IntakeDep, caller: Caller) -> Response:
    """回访: the resident called back; sent again with the same callback_id, nothing changes (200)."""
    return await _record(
        intake, work_order_no, caller, lambda ref: hotline.ReceiveCallback(ref, body, utc_now()),
        hotline.decide_callback,
    )  # fmt: skip


@router.post("/work-orders/{work_order_no}/notices", status_code=201, response_model=WorkOrderReceipt,
             responses=RECORDED)  # fmt: skip
async def hotline_notice(work_order_no: No, body: Notice, intake: IntakeDep, caller: Caller) -> Response:
    """催办/督办: sent again with the same notice_no, nothing changes (200)."""
    return await _record(
        intake, work_order_no, caller, lambda ref: hotline.ReceiveNotice(ref, body, utc_now()), hotline.decide_notice
    )
