"""Examples of Dispatch's events, for the AsyncAPI document and the contract tests."""

from datetime import UTC, datetime, timedelta
from uuid import UUID

from pydantic import BaseModel

from schemas import dispatch as d
from schemas.intake import Place, ReceivedLocation

CASE_ID = UUID("01935d5c-9a2b-7c3e-8f10-2b7d4e5a6c01")
SUMMONS_ID = UUID("01935d5e-1111-7c3e-8f10-2b7d4e5a6c03")
AT = datetime(2026, 11, 24, 9, 30, 5, tzinfo=UTC)
LATER = AT + timedelta(minutes=20)
GRID = "320303001001001"
PLACE = Place(district_code=GRID[:6], street_code=GRID[:9], community_code=GRID[:12], grid_code=GRID)
STATION = "cm-320303001001-sanitation"
BY = "user:dispatcher-wang"
LIMITS = d.StageLimits(
    sign_for=d.TimeLimit(amount=30, unit="minutes"),
    confirmation=d.TimeLimit(amount=1, unit="hours"),
    disposal=d.TimeLimit(amount=4, unit="working_hours"),
    verification=d.TimeLimit(amount=1, unit="hours"),
)
REASON = d.RoutingReason(
    rule_id="sanitation",
    rule="市容环境: categories 03, 06 → sanitation at the community (社区) level",
    category_code="06010",
    urgency="normal",
    area_code=GRID,
    area_level="grid",
    lead_trade="sanitation",
    level="community",
    candidates=[
        d.Candidate(
            unit_code=STATION,
            unit_name="某社区工作站·环卫",
            trade="sanitation",
            level="community",
            covers=GRID[:12],
            chosen=True,
            why=f"covers {GRID[:12]} at the community level",
        ),
    ],
)

DISPATCH_EXAMPLES: dict[type[BaseModel], BaseModel] = {
    d.AssignmentOpened: d.AssignmentOpened(
        case_id=CASE_ID,
        case_number="HL-20261124-000001",
        channel="hotline",
        category_code="06010",
        urgency="normal",
        place=PLACE,
        location=ReceivedLocation(lat=34.2561, lon=117.229),
        received_at=AT,
        opened_at=AT,
    ),
    d.ConfirmationRequested: d.ConfirmationRequested(
        case_id=CASE_ID,
        area_code=GRID,
        limit=d.TimeLimit(amount=1, unit="hours"),
        due_at=AT + timedelta(hours=1),
        requested_at=AT,
    ),
    d.CaseConfirmed: d.CaseConfirmed(
        case_id=CASE_ID, confirmed_by="user:grid-li", note="现场属实", late=False, confirmed_at=LATER
    ),
    d.ConfirmationOverdue: d.ConfirmationOverdue(case_id=CASE_ID, area_code=GRID, due_at=AT, flagged_at=LATER),
    d.CaseVoided: d.CaseVoided(
        case_id=CASE_ID,
        reason="not_found_on_site",
        note="现场无此问题",
        stage="confirmation",
        voided_by="user:grid-li",
        voided_at=LATER,
    ),
    d.CaseRouted: d.CaseRouted(
        case_id=CASE_ID,
        unit_code=STATION,
        unit_name="某社区工作站·环卫",
        category_code="06010",
        rule="sanitation",
        routed_at=LATER,
        trade="sanitation",
        reason=REASON,
        limits=LIMITS,
        urgency="normal",
        sign_for_due_at=LATER + timedelta(minutes=30),
    ),
    d.CaseUnroutable: d.CaseUnroutable(
        case_id=CASE_ID,
        reason="no unit of trade water covers 320303001001001",
        category_code="01001",
        area_code=GRID,
        flagged_at=AT,
    ),
    d.CaseSignedFor: d.CaseSignedFor(
        case_id=CASE_ID, unit_code=STATION, role="lead", signed_by="user:staff-zhao", signed_at=LATER
    ),
    d.CaseReturned: d.CaseReturned(
        case_id=CASE_ID,
        unit_code=STATION,
        reason="not_our_area",
        note="属物业管理区域",
        returns=1,
        returned_by="user:staff-zhao",
        returned_at=LATER,
    ),
    d.ReviewOpened: d.ReviewOpened(
        case_id=CASE_ID, returns=2, returned_by_units=[STATION, "dt-320303-sanitation"], opened_at=LATER
    ),
    d.AssistReported: d.AssistReported(
        case_id=CASE_ID,
        unit_code="st-320303001-enforcement",
        note="已劝离",
        reported_by="user:officer-sun",
        reported_at=LATER,
    ),
    d.ExtensionRequested: d.ExtensionRequested(
        case_id=CASE_ID,
        unit_code=STATION,
        days=3,
        reason="需协调物业",
        requested_by="user:staff-zhao",
        requested_at=LATER,
    ),
    d.ExtensionApproved: d.ExtensionApproved(
        case_id=CASE_ID, unit_code=STATION, days=3, decided_by=BY, decided_at=LATER
    ),
    d.ExtensionRefused: d.ExtensionRefused(
        case_id=CASE_ID, unit_code=STATION, days=3, note="时限内可完成", decided_by=BY, decided_at=LATER
    ),
    d.ParkRequested: d.ParkRequested(
        case_id=CASE_ID, unit_code=STATION, reason="待冬季后施工", requested_by="user:staff-zhao", requested_at=LATER
    ),
    d.ParkApproved: d.ParkApproved(
        case_id=CASE_ID, unit_code=STATION, reason="待冬季后施工", decided_by=BY, decided_at=LATER
    ),
    d.ParkRefused: d.ParkRefused(
        case_id=CASE_ID, unit_code=STATION, reason="待冬季后施工", decided_by=BY, decided_at=LATER
    ),
    d.ParkEnded: d.ParkEnded(case_id=CASE_ID, unit_code=STATION, resumed_by="user:staff-zhao", resumed_at=LATER),
    d.SelfDisposalRecorded: d.SelfDisposalRecorded(
        case_id=CASE_ID, area_code=GRID, photo_url="https://photos.example.org/after.jpg", recorded_at=AT
    ),
    d.SummonsIssued: d.SummonsIssued(
        case_id=CASE_ID,
        summons_id=SUMMONS_ID,
        source="whistle",
        community_code=GRID[:12],
        departments=[
            d.SummonedDepartment(
                key="st-320303001-enforcement",
                unit_code="st-320303001-enforcement",
                unit_name="某街道城管执法中队",
            )
        ],
        limit_minutes=30,
        due_at=AT + timedelta(minutes=30),
        issued_by="system:dispatch",
        issued_at=AT,
    ),
    d.DepartmentReportedIn: d.DepartmentReportedIn(
        case_id=CASE_ID,
        summons_id=SUMMONS_ID,
        department="st-320303001-enforcement",
        late=False,
        reported_by="user:officer-sun",
        reported_at=LATER,
    ),
    d.DepartmentLate: d.DepartmentLate(
        case_id=CASE_ID,
        summons_id=SUMMONS_ID,
        department="市场监管所",
        due_at=AT + timedelta(minutes=30),
        flagged_at=AT + timedelta(minutes=31),
    ),
}
