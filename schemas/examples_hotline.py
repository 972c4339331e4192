"""Examples of Intake's record of the 12345 hotline conversation (schemas/hotline.py), for the AsyncAPI document."""

from datetime import UTC, datetime, timedelta, timezone
from uuid import UUID

from pydantic import BaseModel

from schemas.hotline import (
    HotlineCallbackReceived,
    HotlineExtensionDecided,
    HotlineMessageQueued,
    HotlineNoticeReceived,
    HotlineReturnDecided,
    OutboundMessage,
    ReturnRequest,
)

CASE_ID = UUID("01935d5c-9a2b-7c3e-8f10-2b7d4e5a6c01")
WORK_ORDER_NO = "12345-20261124-0001"
AT = datetime(2026, 11, 24, 9, 30, 5, tzinfo=UTC)
BEIJING = timezone(timedelta(hours=8))

HOTLINE_EXAMPLES: dict[type[BaseModel], BaseModel] = {
    HotlineMessageQueued: HotlineMessageQueued(
        case_id=CASE_ID,
        message=OutboundMessage(
            message_id=UUID("5b1f0c2e-8a43-5d6e-9f70-1a2b3c4d5e6f"),
            work_order_no=WORK_ORDER_NO,
            case_id=CASE_ID,
            case_number="HL-20261124-000001",
            sequence=2,
            body=ReturnRequest(
                unit_code="yl-sanitation", reason="not_our_trade", reason_text="非本部门职责：属物业管理范围",
                basis="《徐州市物业管理条例》第 40 条", return_count=1, returned_at=AT.astimezone(BEIJING),
            ),
            created_at=AT.astimezone(BEIJING),
        ),
    ),
    HotlineReturnDecided: HotlineReturnDecided(
        case_id=CASE_ID, work_order_no=WORK_ORDER_NO, approved=True, opinion="同意改派", decided_at=AT, received_at=AT
    ),
    HotlineExtensionDecided: HotlineExtensionDecided(
        case_id=CASE_ID, work_order_no=WORK_ORDER_NO, approved=True, new_due_at=datetime(2026, 11, 28, 9, tzinfo=UTC),
        opinion="同意延期 2 个工作日", decided_at=AT, received_at=AT,
    ),
    HotlineCallbackReceived: HotlineCallbackReceived(
        case_id=CASE_ID, work_order_no=WORK_ORDER_NO, callback_id="HF-20261126-0001", connected=True,
        staff_contacted_citizen=True, solved="solved", satisfaction="satisfied", result="satisfied",
        visited_at=AT, received_at=AT,
    ),
    HotlineNoticeReceived: HotlineNoticeReceived(
        case_id=CASE_ID, work_order_no=WORK_ORDER_NO, notice_no="CB-20261125-0003", kind="urge",
        opinion="请尽快办理并回复", issued_at=AT, received_at=AT,
    ),
}  # fmt: skip
