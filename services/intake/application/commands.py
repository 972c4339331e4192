"""Intake's use cases: submit a report, read it back."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

import asyncpg

from casekit.envelope import EventMeta, new_id, utc_now
from casekit.errors import NotFound
from casekit.eventstore import Connection, EventStore, translated_errors
from cityconfig.city import City
from schemas.intake import Place, ReceivedLocation, ReporterContact, ReportSubmission
from services.intake.application.ports import Reader, ReportRecords
from services.intake.domain.case_numbers import PREFIXES, case_number
from services.intake.domain.duplicates import DuplicatePolicy, find_duplicate, search_box
from services.intake.domain.placing import place_report
from services.intake.domain.report import (
    DECIDER,
    Duplicate,
    SubmitReport,
    decide_submit,
    stream_id,
)


class Sealer(Protocol):
    """Encrypts a reporter's contact (adapters/crypto.py)."""

    key_id: str

    def seal(self, contact: ReporterContact, case_id: str) -> bytes: ...


@dataclass(frozen=True)
class Intake:
    """Everything the use cases need, wired once in main.py."""

    store: EventStore
    records: ReportRecords
    city: City
    sealer: Sealer
    duplicates: DuplicatePolicy


@dataclass(frozen=True)
class Submitted:
    case_id: UUID
    created: bool
    """False when an earlier submission with the same key is returned instead."""
    view: dict[str, Any] | None
    """The case's public view, read on the same connection right after."""


def idempotency_keys(submission: ReportSubmission, idempotency_key: str | None) -> list[str]:
    keys = []
    if submission.external_id:
        keys.append(f"external:{submission.channel}:{submission.external_id}")
    if idempotency_key:
        keys.append(f"request:{idempotency_key}")
    return keys


async def submit_report(
    submission: ReportSubmission,
    intake: Intake,
    meta: EventMeta,
    idempotency_key: str | None = None,
    conn: Connection | None = None,
) -> Submitted:
    """受理/并单: open a case for a report, link it to an open duplicate, or return the one it repeats.

    Everything runs on one connection, borrowed once: the reads, the case number, then the
    transaction whose first write is the append (ADR 0002). `conn` is the consumer's
    transaction when a channel message submits the report.
    """
    location, place = place_report(submission, intake.city)  # refuses before anything is written
    if conn is not None:
        return await _submit(submission, intake, meta, idempotency_key, location, place, conn)
    async with intake.store.pool.acquire() as own:
        return await _submit(submission, intake, meta, idempotency_key, location, place, own)


async def _submit(
    submission: ReportSubmission,
    intake: Intake,
    meta: EventMeta,
    idempotency_key: str | None,
    location: ReceivedLocation | None,
    place: Place | None,
    conn: Connection,
) -> Submitted:
    keys = idempotency_keys(submission, idempotency_key)
    if keys and (existing := await intake.records.case_for_keys(conn, keys)):
        return await _answer(existing, False, intake, conn)
    at = utc_now()
    duplicate = await _duplicate_of(submission, location, at, intake, conn)
    # Outside a transaction the counter may use this connection; inside one it must not write first.
    counter_conn = None if conn.is_in_transaction() else conn
    sequence = await intake.records.next_sequence(PREFIXES[submission.channel], at.date(), counter_conn)
    cmd = SubmitReport(
        case_id=new_id(),
        case_number=case_number(submission.channel, at.date(), sequence),
        submission=submission,
        location=location,
        place=place,
        at=at,
        duplicate_of=duplicate,
    )
    return await _record(cmd, keys, intake, meta, conn)


async def _answer(case_id: UUID, created: bool, intake: Intake, conn: Connection) -> Submitted:
    return Submitted(case_id, created, await intake.records.summary(conn, case_id))


async def _duplicate_of(
    submission: ReportSubmission, location: ReceivedLocation | None, at: datetime, intake: Intake, reader: Reader
) -> Duplicate | None:
    if location is None:
        return None
    policy = intake.duplicates
    box = search_box(location.lat, policy)
    nearby = await intake.records.open_cases_near(
        reader, submission.category_code, location.lat, location.lon, box, at - policy.window
    )
    return find_duplicate(nearby, submission.category_code, location.lat, location.lon, at, policy)


async def _record(
    cmd: SubmitReport, keys: Sequence[str], intake: Intake, meta: EventMeta, conn: Connection
) -> Submitted:
    # The case id was just minted: its stream is new, so decide on the initial state, no read.
    events = decide_submit(DECIDER.initial, cmd)
    append = intake.store.append_arguments(stream_id(cmd.case_id), events, meta.for_case(cmd.case_id), 0)
    reporter = cmd.submission.reporter
    contact = (intake.sealer.key_id, intake.sealer.seal(reporter, str(cmd.case_id))) if reporter else None
    # Inside a consumer's transaction, a savepoint: a lost race undoes only this.
    savepoint: contextlib.AbstractAsyncContextManager[Any] = (
        conn.transaction() if conn.is_in_transaction() else contextlib.nullcontext()
    )
    try:
        async with savepoint:
            with translated_errors(append[0]):
                view = await intake.records.record_submission(
                    conn, append, keys, contact, events[0], cmd.submission.description
                )
    except asyncpg.UniqueViolationError:
        # A concurrent retry with the same key won; answer with its case.
        existing = await intake.records.case_for_keys(conn, keys)
        if existing is None:
            raise
        return await _answer(existing, False, intake, conn)
    intake.store.appended(events)
    return Submitted(cmd.case_id, True, view)


async def get_report(case_ref: str, intake: Intake) -> dict[str, Any]:
    """A case's public view, by case id or case number (案件编号)."""
    async with intake.store.pool.acquire() as conn:
        try:
            case_id: UUID | None = UUID(case_ref)
        except ValueError:
            case_id = await intake.records.case_by_number(conn, case_ref)
        summary = await intake.records.summary(conn, case_id) if case_id else None
    if summary is None:
        raise NotFound(f"no report {case_ref}")
    return summary
