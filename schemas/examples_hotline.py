"""Examples of the 12345 conversation's events (Intake's record, Dispatch's and Closure's new steps), for the
AsyncAPI document and the contract tests.

One work order: pushed on Tuesday 24 November 2026 at 17:40 local time, due in 5 working days
(Tuesday 1 December 17:30 local, 09:30 UTC); signed for, an extension asked and granted to
Thursday 3 December, the resident contacted, the final reply, the call-back, an urge.
"""

from datetime import UTC, datetime, timedelta
from uuid import UUID

from pydantic import BaseModel

from schemas import dispatch as d
from schemas import hotline as h

CASE_ID = UUID("01935d5c-9a2b-7c3e-8f10-2b7d4e5a6c01")
CASE_NUMBER = "HL-20261124-000001"
WORK_ORDER = "12345-20261124-000321"
UNIT = "cm-320303001001-sanitation"
STAFF = "user:staff-zhao"
HOTLINE = "system:hotline"
DUE = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
NEW_DUE = datetime(2026, 12, 3, 9, 30, tzinfo=UTC)
SIGNED = datetime(2026, 11, 25, 0, 40, tzinfo=UTC)
ASKED = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)
REPLIED = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)

_SIGN_FOR = h.OutboundMessage(
    message_id=UUID("5d3c1a7e-2b4f-5c6d-8e9f-0a1b2c3d4e5f"),
    work_order_no=WORK_ORDER,
    case_id=CASE_ID,
    case_number=CASE_NUMBER,
    sequence=1,
    body=h.SignFor(unit_code=UNIT, unit_name="某社区环卫站", signed_at=SIGNED),
    created_at=SIGNED + timedelta(seconds=1),
)

HOTLINE_EXAMPLES: dict[type[BaseModel], BaseModel] = {
    h.OutboundMessage: _SIGN_FOR,
    h.HotlineMessageQueued: h.HotlineMessageQueued(case_id=CASE_ID, message=_SIGN_FOR),
    h.HotlineReturnDecided: h.HotlineReturnDecided(
        case_id=CASE_ID,
        work_order_no=WORK_ORDER,
        approved=False,
        opinion="属于本辖区, 请继续办理",
        decided_at=ASKED + timedelta(hours=1),
        received_at=ASKED + timedelta(hours=1, seconds=2),
    ),
    h.HotlineExtensionDecided: h.HotlineExtensionDecided(
        case_id=CASE_ID,
        work_order_no=WORK_ORDER,
        approved=True,
        new_due_at=NEW_DUE,
        opinion="同意延期",
        decided_at=ASKED + timedelta(hours=2),
        received_at=ASKED + timedelta(hours=2, seconds=2),
    ),
    h.HotlineCallbackReceived: h.HotlineCallbackReceived(
        case_id=CASE_ID,
        work_order_no=WORK_ORDER,
        callback_id="HF-20261201-0007",
        connected=True,
        staff_contacted_citizen=True,
        solved="solved",
        satisfaction="satisfied",
        result="satisfied",
        visited_at=REPLIED + timedelta(days=1),
        received_at=REPLIED + timedelta(days=1, seconds=3),
    ),
    h.HotlineNoticeReceived: h.HotlineNoticeReceived(
        case_id=CASE_ID,
        work_order_no=WORK_ORDER,
        notice_no="CB-20261127-0003",
        kind="urge",
        opinion="市民再次来电催促, 请尽快处理",
        issued_at=ASKED + timedelta(days=1),
        received_at=ASKED + timedelta(days=1, seconds=2),
    ),
    d.ReturnRequested: d.ReturnRequested(
        case_id=CASE_ID,
        unit_code=UNIT,
        reason="not_our_area",
        note="该路段属相邻街道",
        basis="《网格划分方案》第3条",
        returns=1,
        requested_by=STAFF,
        requested_at=ASKED,
    ),
    d.ReturnRefused: d.ReturnRefused(
        case_id=CASE_ID,
        unit_code=UNIT,
        note="属于本辖区, 请继续办理",
        decided_by=HOTLINE,
        decided_at=ASKED + timedelta(hours=1),
    ),
}
