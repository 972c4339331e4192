"""One fixed example of every contract, for the AsyncAPI document and the docs."""

from datetime import UTC, datetime
from uuid import UUID

from pydantic import BaseModel

from schemas.closure import ClosureOpened
from schemas.dispatch import CaseRouted
from schemas.intake import Location, ReceivedLocation, ReportReceived, ReportSubmission
from schemas.legacy import LocationV1, ReportReceivedV1

CASE_ID = UUID("01935d5c-9a2b-7c3e-8f10-2b7d4e5a6c01")
AT = datetime(2026, 11, 24, 9, 30, 5, tzinfo=UTC)

SUBMISSION = ReportSubmission(
    channel="hotline",
    category_code="06010",
    description="12345 来电: 小区门口暴露垃圾多日未清运",
    location=Location(lat=34.2561, lon=117.229, crs="WGS84"),
    external_id="12345-20261124-0001",
)

EXAMPLES: dict[type[BaseModel], BaseModel] = {
    ReportSubmission: SUBMISSION,
    ReportReceived: ReportReceived(
        case_id=CASE_ID,
        channel="hotline",
        category_code="06010",
        description=SUBMISSION.description,
        location=ReceivedLocation(lat=34.2561, lon=117.229, crs="WGS84"),
        external_id="12345-20261124-0001",
        received_at=AT,
    ),
    ReportReceivedV1: ReportReceivedV1(
        case_id=CASE_ID,
        channel="hotline",
        category_code="06010",
        description=SUBMISSION.description,
        location=LocationV1(lat=34.2561, lon=117.229),
        external_id="12345-20261124-0001",
        received_at=AT,
    ),
    CaseRouted: CaseRouted(
        case_id=CASE_ID,
        unit_code="sanitation",
        unit_name="环境卫生管理处",
        category_code="06010",
        rule="category-class",
        routed_at=AT,
    ),
    ClosureOpened: ClosureOpened(case_id=CASE_ID, unit_code="sanitation", opened_at=AT),
}
