"""历史案件导入, Dispatch's part: an imported case's assignment, routing or void, at their historical instants.

The events are the ones Dispatch records for a case it routed (AssignmentOpened, CaseRouted) or
voided (CaseVoided), by the import's actor, appended to the case's assignment stream: a stream
that exists already (the same case imported before) is left as it is. Reactions skip imported
events, so nothing is routed again and no timer is owed (casekit.imports).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from casekit.eventstore import Connection, EventStore
from casekit.imports import LEGACY_IMPORT, append_history
from cityconfig.city import City
from schemas.base import Event
from schemas.dispatch import AssignmentOpened, CaseRouted, CaseVoided
from schemas.intake import Place
from schemas.legacy_import import LegacyCase
from services.dispatch.domain.assignment import stream_id

IMPORTED_RULE = "历史导入 imported from the legacy system"


def assignment_history(case: LegacyCase, city: City) -> list[tuple[Event, datetime]]:
    found = city.place_of(case.grid_code)
    place = Place(**asdict(found)) if found else None
    history: list[tuple[Event, datetime]] = [
        (
            AssignmentOpened(
                case_id=case.case_id,
                case_number=case.case_number,
                channel=case.channel,
                category_code=case.category_code,
                urgency="normal",
                place=place,
                received_at=case.reported_at,
                opened_at=case.reported_at,
            ),
            case.reported_at,
        )
    ]
    if case.dispatched_at is not None and case.unit_code is not None:
        unit = city.units.get(case.unit_code) if city.units else None
        history.append(
            (
                CaseRouted(
                    case_id=case.case_id,
                    unit_code=case.unit_code,
                    unit_name=unit.name if unit else case.unit_code,
                    category_code=case.category_code,
                    rule=IMPORTED_RULE,
                    routed_at=case.dispatched_at,
                    trade=unit.trade if unit else None,
                ),
                case.dispatched_at,
            )
        )
    elif case.voided_at is not None:
        history.append(
            (
                CaseVoided(
                    case_id=case.case_id,
                    reason="other",
                    note=IMPORTED_RULE,
                    stage="dispatch",
                    voided_by=LEGACY_IMPORT,
                    voided_at=case.voided_at,
                ),
                case.voided_at,
            )
        )
    return history


async def import_assignment(store: EventStore, conn: Connection, case: LegacyCase, city: City) -> bool:
    """False if the case's assignment was imported before."""
    return await append_history(store, conn, stream_id(case.case_id), case.case_id, assignment_history(case, city))
