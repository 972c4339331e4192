"""One fixed example of every contract, for the AsyncAPI document and the docs."""

from datetime import UTC, datetime
from uuid import UUID

from pydantic import BaseModel

from schemas.examples_closure import CLOSURE_EXAMPLES
from schemas.examples_dispatch import DISPATCH_EXAMPLES
from schemas.examples_hotline import HOTLINE_EXAMPLES
from schemas.examples_patrol import PATROL_EXAMPLES
from schemas.intake import (
    Location,
    Place,
    ReceivedLocation,
    ReportedLocation,
    ReportLinked,
    ReportReceived,
    ReportSubmission,
)
from schemas.legacy import LocationV1, ReceivedLocationV2, ReportReceivedV1, ReportReceivedV2

CASE_ID = UUID("01935d5c-9a2b-7c3e-8f10-2b7d4e5a6c01")
LINKED_CASE_ID = UUID("01935d5d-0000-7c3e-8f10-2b7d4e5a6c02")
AT = datetime(2026, 11, 24, 9, 30, 5, tzinfo=UTC)

SUBMISSION = ReportSubmission(
    channel="hotline",
    category_code="06010",
    description="12345 来电: 小区门口暴露垃圾多日未清运",
    location=Location(lat=34.25439, lon=117.23506, crs="GCJ02", address="云龙区 和平路 某小区南门"),
    occurred_at=AT,
    external_id="12345-20261124-0001",
    deadline_at=datetime(2026, 11, 26, 9, 30, tzinfo=UTC),
)

EXAMPLES: dict[type[BaseModel], BaseModel] = {
    ReportSubmission: SUBMISSION,
    ReportReceived: ReportReceived(
        case_id=CASE_ID,
        case_number="HL-20261124-000001",
        channel="hotline",
        category_code="06010",
        description=SUBMISSION.description,
        location=ReceivedLocation(
            lat=34.2561, lon=117.229, reported=ReportedLocation(lat=34.25439, lon=117.23506, crs="GCJ02")
        ),
        address="云龙区 和平路 某小区南门",
        place=Place(
            district_code="320303",
            street_code="320303001",
            community_code="320303001001",
            grid_code="320303001001001",
        ),
        occurred_at=AT,
        external_id="12345-20261124-0001",
        source_deadline_at=datetime(2026, 11, 26, 9, 30, tzinfo=UTC),
        needs_confirmation=True,
        received_at=AT,
    ),
    ReportLinked: ReportLinked(
        case_id=LINKED_CASE_ID,
        case_number="HL-20261124-000002",
        linked_to_case_id=CASE_ID,
        channel="hotline",
        category_code="06010",
        distance_m=35.2,
        external_id="12345-20261124-0002",
        received_at=AT,
    ),
    ReportReceivedV2: ReportReceivedV2(
        case_id=CASE_ID,
        channel="hotline",
        category_code="06010",
        description=SUBMISSION.description,
        location=ReceivedLocationV2(lat=34.2561, lon=117.229, crs="WGS84"),
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
    **DISPATCH_EXAMPLES,
    **CLOSURE_EXAMPLES,
    **HOTLINE_EXAMPLES,
    **PATROL_EXAMPLES,
}
