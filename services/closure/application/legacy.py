"""历史案件导入, Closure's part: an imported case's disposal, reworks, closing, call-back or void.

Only a dispatched case has a closure. Its disposal deadline is the legacy system's (the one its
published figures held the unit to); its disposals, reworks and verification happen when the
export says it was disposed, its closing and call-back when it says it was closed: the export
keeps no finer steps. Appended by the import's actor to the case's closure stream, once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from casekit.eventstore import Connection, EventStore
from casekit.imports import LEGACY_IMPORT, append_history
from cityconfig.city import City
from schemas.base import Event
from schemas.closure import (
    CallbackRecorded,
    CaseClosed,
    ClosureOpened,
    ClosureVoided,
    Deadline,
    DisposalReported,
    ReworkOrdered,
    Stage,
    VerificationPassed,
)
from schemas.legacy_import import LegacyCase
from services.closure.domain.closure import stream_id

NOTE = "历史导入 imported from the legacy system"


def _deadline(stage: Stage, start: datetime, due: datetime) -> Deadline:
    return Deadline(stage=stage, limit=None, started_at=start, warn_at=due, due_at=due)


def closure_history(case: LegacyCase, city: City) -> list[tuple[Event, datetime]]:
    if case.dispatched_at is None or case.unit_code is None or case.disposal_due_at is None:
        return []
    unit = city.units.get(case.unit_code) if city.units else None
    opened, due = case.dispatched_at, case.disposal_due_at
    history: list[tuple[Event, datetime]] = [
        (
            ClosureOpened(
                case_id=case.case_id,
                unit_code=case.unit_code,
                opened_at=opened,
                unit_name=unit.name if unit else None,
                unit_level=unit.level if unit else None,
                case_number=case.case_number,
                category_code=case.category_code,
                area_code=case.grid_code,
                deadlines=[_deadline("disposal", opened, max(due, opened))],
            ),
            opened,
        )
    ]
    if case.disposed_at is not None:
        disposed = case.disposed_at
        verified_by = case.closed_at or disposed
        for round_ in range(1, case.rework_count + 2):
            history.append(
                (
                    DisposalReported(
                        case_id=case.case_id,
                        unit_code=case.unit_code,
                        method=None,
                        notes=NOTE,
                        round=round_,
                        late=disposed > due,
                        verification=_deadline("verification", disposed, verified_by),
                        reported_by=LEGACY_IMPORT,
                        reported_at=disposed,
                    ),
                    disposed,
                )
            )
            if round_ <= case.rework_count:
                history.append(
                    (
                        ReworkOrdered(
                            case_id=case.case_id,
                            unit_code=case.unit_code,
                            rework_count=round_,
                            disposal=_deadline("disposal", disposed, disposed),
                            ordered_at=disposed,
                        ),
                        disposed,
                    )
                )
    if case.closed_at is not None and case.closure_kind is not None:
        closed = case.closed_at
        history.append(
            (
                VerificationPassed(
                    case_id=case.case_id, note=NOTE, late=False, verified_by=LEGACY_IMPORT, verified_at=closed
                ),
                closed,
            )
        )
        history.append(
            (
                CaseClosed(
                    case_id=case.case_id,
                    kind=case.closure_kind,
                    reason=NOTE if case.closure_kind == "special" else None,
                    closed_by=LEGACY_IMPORT,
                    closed_at=closed,
                    callback=_deadline("callback", closed, closed + timedelta(days=1)),
                ),
                closed,
            )
        )
        if case.satisfaction is not None:
            history.append(
                (
                    CallbackRecorded(
                        case_id=case.case_id,
                        result=case.satisfaction,
                        source="callback_team",
                        late=False,
                        called_by=LEGACY_IMPORT,
                        called_at=closed,
                    ),
                    closed,
                )
            )
    elif case.voided_at is not None:
        history.append(
            (
                ClosureVoided(
                    case_id=case.case_id,
                    reason=NOTE,
                    approval="closure",
                    approved_by=LEGACY_IMPORT,
                    voided_at=case.voided_at,
                ),
                case.voided_at,
            )
        )
    return history


async def import_closure(store: EventStore, conn: Connection, case: LegacyCase, city: City) -> bool:
    """False if the case's closure was imported before, or it has none (never dispatched)."""
    return await append_history(store, conn, stream_id(case.case_id), case.case_id, closure_history(case, city))
