"""Intake's use cases: submit a report (受理/并单), read it back."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import orjson

from casekit.access.principal import Principal
from casekit.envelope import EventMeta, new_id, utc_now
from casekit.errors import InvalidInput, NotFound
from casekit.eventstore import Connection
from casekit.writes import NewEvents
from schemas.intake import Place, ReceivedLocation, ReportLinked, ReportReceived, ReportSubmission
from services.intake.application.context import Intake
from services.intake.application.patrols import check_report_patrol, own_powers_unit
from services.intake.application.ports import IdempotencyKey, KeyTaken, ReportSummary, Sealed
from services.intake.domain.access import check_submit
from services.intake.domain.case_numbers import PREFIXES, case_number
from services.intake.domain.duplicates import find_duplicate, search_box
from services.intake.domain.masking import mask_submission
from services.intake.domain.placing import place_report
from services.intake.domain.report import DECIDER, Duplicate, SubmitReport, decide_submit, finding_of, stream_id


@dataclass(frozen=True)
class Submitted:
    case_id: UUID
    created: bool
    """False when an earlier submission with the same key is returned instead."""
    view: ReportSummary
    """The case's public view, read on the same connection right after."""


def external_key(channel: str, external_id: str) -> str:
    """The key a source's own record claims: one case per channel and external id (a 12345 工单编号)."""
    return f"external:{channel}:{external_id}"


def idempotency_keys(submission: ReportSubmission, client: str, idempotency_key: str | None) -> list[IdempotencyKey]:
    """The keys a submission claims: its source's external id (工单编号) per channel, and the
    client's own Idempotency-Key, scoped to that client so two integrators' keys never meet."""
    fingerprint = hashlib.sha256(submission.model_dump_json().encode()).hexdigest()
    keys = []
    if submission.external_id:
        keys.append(IdempotencyKey(external_key(submission.channel, submission.external_id), fingerprint))
    if idempotency_key:
        keys.append(IdempotencyKey(f"request:{client}:{idempotency_key}", fingerprint))
    return keys


async def submit_report(
    submission: ReportSubmission,
    intake: Intake,
    meta: EventMeta,
    *,
    client: str,
    idempotency_key: str | None = None,
    conn: Connection | None = None,
    caller: Principal | None = None,
) -> Submitted:
    """受理/并单: open a case for a report, link it to an open duplicate, or return the one it repeats.

    `client` is who sent it, as verified by the adapter (an Open311 key's name, a channel
    topic); its Idempotency-Key is its own. Everything runs on one connection, borrowed once:
    the reads, the case number, then the transaction whose first write is the append (ADR
    0002). `conn` is the consumer's transaction when a channel message submits the report.
    `caller`, over HTTP, must be allowed this channel and place (a topic's ACL is its gate).
    """
    location, place = place_report(submission, intake.city)  # refuses before anything is written
    if caller is not None:
        check_submit(caller, submission.channel, place)
    powers_unit = own_powers_unit(submission, intake, meta.actor)  # 权限内自行处理: the officer's unit
    keys = idempotency_keys(submission, client, idempotency_key)
    # Phone and ID numbers typed into free text are masked in everything published or shown;
    # what was typed is sealed (issue 8). Jurisdiction codes are digits too, and never masked.
    masked = mask_submission(submission, intake.city.jurisdictions.keys())
    originals = orjson.dumps(masked.originals) if masked.originals else None
    if conn is not None:
        return await _submit(masked.submission, originals, intake, meta, keys, location, place, powers_unit, conn)
    async with intake.store.pool.acquire() as own:
        return await _submit(masked.submission, originals, intake, meta, keys, location, place, powers_unit, own)


async def _submit(
    submission: ReportSubmission,
    originals: bytes | None,
    intake: Intake,
    meta: EventMeta,
    keys: Sequence[IdempotencyKey],
    location: ReceivedLocation | None,
    place: Place | None,
    powers_unit: str | None,
    conn: Connection,
) -> Submitted:
    if keys and (existing := await _earlier(keys, intake, conn)):
        return existing
    if submission.patrol_id is not None:  # 巡查: only a report filed during a patrol reads it
        await check_report_patrol(submission, intake, meta.actor, conn)
    at = utc_now()
    # A 12345 work order is never merged (并单): the hotline expects its own sign-for and reply.
    duplicate = None if submission.hotline else await _duplicate_of(submission, location, at, intake, conn)
    # Outside a transaction the counter may use this connection; inside one it must not write first.
    counter_conn = None if conn.is_in_transaction() else conn
    day = intake.city.local_date(at)  # case numbers count days in the city's time zone
    sequence = await intake.submissions.next_sequence(PREFIXES[submission.channel], day, counter_conn)
    cmd = SubmitReport(
        case_id=new_id(),
        case_number=case_number(submission.channel, day, sequence),
        submission=submission,
        location=location,
        place=place,
        at=at,
        duplicate_of=duplicate,
        by=meta.actor,
        own_powers_unit=powers_unit,
    )
    return await _record(cmd, originals, keys, intake, meta, conn)


async def _earlier(keys: Sequence[IdempotencyKey], intake: Intake, conn: Connection) -> Submitted | None:
    """The case an earlier submission with one of these keys opened; a key reused for another request is refused."""
    found = await intake.submissions.cases_for_keys(conn, keys)
    if not found:
        return None
    sent = {key.key: key.fingerprint for key in keys}
    for keyed in found:
        # An external id repeats a source's own record (a re-pushed 工单): the original stands.
        # A client's Idempotency-Key promises the same request (the IETF draft, Stripe): 422.
        if keyed.key.startswith("request:") and keyed.fingerprint and keyed.fingerprint != sent[keyed.key]:
            raise InvalidInput(
                "this Idempotency-Key was already used for a different request",
                path="/header/Idempotency-Key",
                rule="idempotency-key-reused",
            )
    summary = await intake.reports.summary(conn, found[0].case_id)
    if summary is None:
        raise NotFound(f"no report {found[0].case_id}")
    return Submitted(found[0].case_id, False, summary)


async def _duplicate_of(
    submission: ReportSubmission, location: ReceivedLocation | None, at: datetime, intake: Intake, conn: Connection
) -> Duplicate | None:
    if location is None:
        return None
    policy = intake.duplicates
    box = search_box(location.lat, policy)
    nearby = await intake.reports.open_cases_near(
        conn, submission.category_code, location.lat, location.lon, box, at - policy.window
    )
    return find_duplicate(nearby, submission.category_code, location.lat, location.lon, at, policy)


async def _record(
    cmd: SubmitReport,
    originals: bytes | None,
    keys: Sequence[IdempotencyKey],
    intake: Intake,
    meta: EventMeta,
    conn: Connection,
) -> Submitted:
    # The case id was just minted: its stream is new, so decide on the initial state, no read.
    events = decide_submit(DECIDER.initial, cmd)
    new = NewEvents(stream_id(cmd.case_id), events, meta.for_case(cmd.case_id))
    sealer, case = intake.sealer, str(cmd.case_id)
    reporter = cmd.submission.reporter
    sealed = Sealed(
        sealer.key_id,
        sealer.seal(reporter, case) if reporter else None,
        sealer.seal_bytes(originals, case) if originals else None,
    )
    view = first_view(events[0], cmd)
    try:
        # Inside a consumer's transaction, a savepoint: a lost race undoes only this.
        if conn.is_in_transaction():
            async with conn.transaction():
                await intake.submissions.record(conn, new, keys, sealed, view)
        else:
            await intake.submissions.record(conn, new, keys, sealed, view)
    except KeyTaken:
        # A concurrent retry with the same key won; answer with its case (or refuse a different request).
        existing = await _earlier(keys, intake, conn)
        if existing is None:
            raise
        return existing
    if view.linked_to is not None:  # a merged report shows its open case's status, as it stands
        view = await intake.reports.summary(conn, cmd.case_id) or view
    return Submitted(cmd.case_id, True, view)


def first_view(event: ReportReceived | ReportLinked, cmd: SubmitReport) -> ReportSummary:
    """The public view of a newly submitted report (a merged one takes its open case's status in SQL)."""
    received = event if isinstance(event, ReportReceived) else None
    place, location = (received.place, received.location) if received else (None, None)
    linked = event.linked_to_case_id if isinstance(event, ReportLinked) else None
    return ReportSummary(
        case_id=event.case_id,
        case_number=cmd.case_number,
        channel=event.channel,
        category_code=event.category_code,
        description=cmd.submission.description,
        lat=location.lat if location else None,
        lon=location.lon if location else None,
        address=received.address if received else None,
        grid_code=place.grid_code if place else None,
        community_code=place.community_code if place else None,
        street_code=place.street_code if place else None,
        district_code=place.district_code if place else None,
        external_id=event.external_id,
        photo_urls=received.photo_urls if received else [],
        needs_confirmation=received.needs_confirmation if received else False,
        received_at=event.received_at,
        linked_to=linked,
        linked_number=None,
        status="received",
        status_note=f"已并入案件 {linked}" if linked else None,
        unit_code=None,
        unit_name=None,
        expected_at=received.source_deadline_at if received else None,
        updated_at=event.received_at,
        patrol_id=cmd.submission.patrol_id,
        finding=finding_of(cmd.submission),
        reported_by=cmd.by,
    )


async def get_report(case_ref: str, intake: Intake) -> ReportSummary:
    """A case's public view, by case id or case number (案件编号)."""
    async with intake.store.pool.acquire() as conn:
        try:
            case_id: UUID | None = UUID(case_ref)
        except ValueError:
            case_id = await intake.reports.case_by_number(conn, case_ref)
        summary = await intake.reports.summary(conn, case_id) if case_id else None
    if summary is None:
        raise NotFound(f"no report {case_ref}")
    return summary
