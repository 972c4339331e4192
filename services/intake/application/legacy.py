"""历史案件导入, Intake's part: an imported case's report, recorded as Intake records any report.

The report goes through Intake's own write (`Submissions.record`: the event, its idempotency key
and the public summary in one transaction) at its historical instant, by the import's actor, with
the key `legacy:<case number>`: importing the same case again finds the key and changes nothing.
The legacy export carries no reporter contact, so nothing is sealed.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict

from casekit.envelope import EventMeta
from casekit.eventstore import Connection
from casekit.imports import LEGACY_IMPORT
from casekit.writes import NewEvents
from cityconfig.city import City
from schemas.intake import Location, Place, ReceivedLocation, ReportReceived, ReportSubmission, Whistle
from schemas.legacy_import import LegacyCase
from services.intake.application.commands import first_view
from services.intake.application.ports import IdempotencyKey, KeyTaken, Sealed, Submissions
from services.intake.domain.report import SubmitReport, stream_id

NO_KEY = "none"
"""The sealed row's key id when there is nothing to seal."""


def legacy_key(case: LegacyCase) -> IdempotencyKey:
    return IdempotencyKey(f"legacy:{case.case_number}", hashlib.sha256(case.model_dump_json().encode()).hexdigest())


def report_of(case: LegacyCase, city: City) -> ReportReceived:
    """The report as Intake would have received it: placed at its unit grid, the only place the export names."""
    found = city.place_of(case.grid_code)
    lat, lon = city.representative_point(case.grid_code)
    place = Place(**asdict(found)) if found else None
    return ReportReceived(
        case_id=case.case_id,
        case_number=case.case_number,
        channel=case.channel,
        category_code=case.category_code,
        description=case.description,
        location=ReceivedLocation(lat=lat, lon=lon),
        place=place,
        whistle=_whistle(case, place),
        received_at=case.reported_at,
    )


def _whistle(case: LegacyCase, place: Place | None) -> Whistle | None:
    """A whistle names its community (社区吹哨); the export knows no summoned departments."""
    community = place.community_code if place else None
    return Whistle(community_code=community) if case.channel == "whistle" and community else None


async def import_report(conn: Connection, submissions: Submissions, case: LegacyCase, city: City) -> bool:
    """Record the case's report at its historical instant; False if an earlier import already did."""
    key = legacy_key(case)
    if await submissions.cases_for_keys(conn, [key]):
        return False
    event = report_of(case, city)
    meta = EventMeta(LEGACY_IMPORT, correlation_id=case.case_id).at(case.reported_at)
    submission = ReportSubmission(
        channel=case.channel,
        category_code=case.category_code,
        description=case.description,
        location=Location(grid_code=case.grid_code),
        whistle=event.whistle,
    )
    cmd = SubmitReport(case.case_id, case.case_number, submission, event.location, event.place, case.reported_at)
    try:
        await submissions.record(
            conn,
            NewEvents(stream_id(case.case_id), [event], meta),
            [key],
            Sealed(NO_KEY, None, None),
            first_view(event, cmd),
        )
    except KeyTaken:
        return False  # a concurrent import of the same file
    return True
