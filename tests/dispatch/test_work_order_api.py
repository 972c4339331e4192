"""A 12345 work order in Dispatch, through Kafka and HTTP: Intake's events (the report with the hotline's
terms, the hotline's decisions) published on `cases.intake.v1` as Intake's relay would, as the `intake`
Kafka user; the units and a dispatcher act over HTTP (ADR 0017)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from casekit.envelope import utc_now
from casekit.kafka.cloudevents import SPEC_VERSION
from devstack.stack import Stack
from schemas import topics
from schemas.base import Event
from schemas.hotline import HotlineExtensionDecided, HotlineReturnDecided
from schemas.intake import HotlineTerms, Place, ReceivedLocation, ReportReceived
from services.dispatch.domain.assignment import stream_id
from services.dispatch.domain.work_order import HOTLINE
from tests.casekit.kafka_rig import producer_on
from tests.conftest import bearer, eventually
from tests.dispatch.city_fixture import COMMUNITY, GRID
from tests.dispatch.rig import DISPATCHER, Flow

BEIJING = timezone(timedelta(hours=8))
WORK_ORDER = "12345-20261124-000042"
REPLY_DUE = datetime(2026, 11, 27, 17, 0, tzinfo=BEIJING)  # a Friday, 17:00 in the city
STATION = "cm-320302001002-sanitation"
DISTRICT = "dt-all-sanitation"
STATION_STAFF = bearer("unit_staff", unit=STATION)
DISTRICT_STAFF = bearer("unit_staff", unit=DISTRICT)
GRID_MEMBER = bearer("grid_member", areas=[COMMUNITY])


def work_order(flow: Flow, case_id: uuid.UUID) -> ReportReceived:
    """Intake's record of a pushed work order: urgent, though its category's urgency is normal."""
    lat, lon = flow.city.representative_point(GRID)
    place = Place(district_code=GRID[:6], street_code=GRID[:9], community_code=GRID[:12], grid_code=GRID)
    terms = HotlineTerms(work_order_no=WORK_ORDER, appeal_kind="complaint", urgency="urgent", time_limit=3,
                         time_unit="working_days", due_at=REPLY_DUE,
                         dispatched_at=REPLY_DUE - timedelta(days=3))  # fmt: skip
    return ReportReceived(case_id=case_id, case_number="HL-20261124-000042", channel="hotline",
                          category_code="06010", description="小区门口垃圾堆积",
                          location=ReceivedLocation(lat=lat, lon=lon), place=place, external_id=WORK_ORDER,
                          needs_confirmation=True, hotline=terms, received_at=utc_now())  # fmt: skip


def return_decided(case_id: uuid.UUID, approved: bool, opinion: str) -> HotlineReturnDecided:
    now = utc_now()
    return HotlineReturnDecided(case_id=case_id, work_order_no=WORK_ORDER, approved=approved, opinion=opinion,
                                decided_at=now, received_at=now)  # fmt: skip


async def publish(stack: Stack, prefix: str, *events: Event) -> None:
    """On Intake's topic, keyed by case and with the CloudEvents headers its relay sets."""
    async with producer_on(stack.kafka_user("intake")) as producer:
        for event in events:
            now = utc_now().isoformat().encode()
            headers = [
                ("ce_specversion", SPEC_VERSION.encode()), ("ce_id", str(uuid.uuid4()).encode()),
                ("ce_source", b"/city-cases/intake"), ("ce_type", event.type.encode()), ("ce_time", now),
                ("ce_recordedtime", now), ("ce_schemaversion", str(event.schema_version).encode()),
                ("ce_actor", HOTLINE.encode()), ("ce_subject", str(event.case_id).encode()),
                ("content-type", b"application/json"),
            ]  # fmt: skip
            await producer.send_and_wait(f"{prefix}{topics.INTAKE_EVENTS.name}", event.model_dump_json().encode(),
                                         key=str(event.case_id).encode(), headers=headers)  # fmt: skip


def types(case: dict[str, Any]) -> list[str]:
    return [entry["type"].removeprefix("dispatch.") for entry in case["history"]]


def last(case: dict[str, Any], kind: str) -> dict[str, Any]:
    data: dict[str, Any] = next(e["data"] for e in reversed(case["history"]) if e["type"] == f"dispatch.{kind}")
    return data


async def test_the_hotline_decides_a_work_orders_returns_and_extensions(
    flow: Flow, stack: Stack, topics_for: str
) -> None:
    case_id = uuid.uuid4()
    await publish(stack, topics_for, work_order(flow, case_id))
    waiting = await flow.assignment(case_id, "awaiting_confirmation")
    confirmed = await flow.act(case_id, "confirm", GRID_MEMBER)
    case = await flow.assignment(case_id, "routed")

    # Opened with the hotline's terms; the routing after confirmation carries the reply due (in UTC).
    assert (waiting["work_order_no"], waiting["urgency"]) == (WORK_ORDER, "urgent")
    assert confirmed.json()["reply_due_at"] == "2026-11-27T09:00:00Z"
    assert last(case, "AssignmentOpened")["reply_due_at"] == "2026-11-27T09:00:00Z"
    assert case["routing"]["reply_due_at"] == "2026-11-27T09:00:00Z"
    assert case["lead_unit"] == STATION

    # 退单申请: the unit keeps the case until the hotline decides; a second request meanwhile is refused.
    requested = await flow.act(case_id, "return", STATION_STAFF, reason="not_our_area", note="小区内道路",
                               basis="物业管理条例第二十条")  # fmt: skip
    twice = await flow.act(case_id, "return", STATION_STAFF, reason="not_our_trade")
    assert requested.status_code == 200, requested.text
    assert (requested.json()["status"], requested.json()["lead_unit"]) == ("routed", STATION)
    assert requested.json()["pending_return"] == "not_our_area"
    assert twice.status_code == 409

    # 改派: the hotline approves; the case is returned and re-routed by the rules without the returner.
    await publish(stack, topics_for, return_decided(case_id, True, "同意改派"))

    async def rerouted() -> dict[str, Any]:
        found = await flow.assignment(case_id)
        assert found["lead_unit"] == DISTRICT, found["lead_unit"]
        return found

    case = await eventually(rerouted)
    assert types(case)[-3:] == ["ReturnRequested", "CaseReturned", "CaseRouted"]
    returned = last(case, "CaseReturned")
    assert (returned["basis"], returned["returned_by"].startswith("user:")) == ("物业管理条例第二十条", True)
    assert (case["routing"]["kind"], case["routing"]["routed_by"]) == ("reroute", "system:hotline")
    assert case["routing"]["reason"]["excluded"] == [STATION]
    assert case["routing"]["reply_due_at"] == "2026-11-27T09:00:00Z"
    assert (case["status"], case["pending_return"], case["returns"]) == ("routed", None, 1)

    # 驳回: the district unit asks too; the hotline rejects, and the unit works on. The decision sent
    # again (past the inbox, with a new id) records nothing.
    assert (await flow.act(case_id, "sign-for", DISTRICT_STAFF)).status_code == 200
    assert (await flow.act(case_id, "return", DISTRICT_STAFF, reason="not_our_trade")).status_code == 200
    rejected = return_decided(case_id, False, "属地管理, 请继续办理")
    await publish(stack, topics_for, rejected, rejected)

    # 延期申请: two working days on the reply due, Friday 17:00 to Tuesday 17:00.
    async def refused() -> dict[str, Any]:
        found = await flow.assignment(case_id)
        assert found["pending_return"] is None
        return found

    case = await eventually(refused)
    asked = await flow.act(case_id, "extension", DISTRICT_STAFF, days=2, reason="需协调物业", basis="法定时限")
    assert asked.status_code == 200, asked.text
    case = await flow.assignment(case_id)
    assert (case["status"], case["lead_unit"], case["returns"]) == ("signed_for", DISTRICT, 1)
    assert last(case, "ReturnRefused")["note"] == "属地管理, 请继续办理"
    request = last(case, "ExtensionRequested")
    assert (request["new_due_at"], request["basis"]) == ("2026-12-01T09:00:00Z", "法定时限")

    # A dispatcher cannot decide a work order's extension: the hotline does.
    by_dispatcher = await flow.act(case_id, "extension/decision", DISPATCHER, approve=True)
    assert by_dispatcher.status_code == 409
    assert by_dispatcher.headers["content-type"].startswith("application/problem+json")
    assert "hotline" in by_dispatcher.json()["detail"]

    granted = datetime(2026, 11, 30, 17, 0, tzinfo=BEIJING)
    now = utc_now()
    await publish(stack, topics_for, HotlineExtensionDecided(
        case_id=case_id, work_order_no=WORK_ORDER, approved=True, new_due_at=granted, opinion="同意延期至周一",
        decided_at=now, received_at=now,
    ))  # fmt: skip

    async def extended() -> dict[str, Any]:
        found = await flow.assignment(case_id)
        assert found["pending_extension"] is None
        return found

    case = await eventually(extended)
    approved = last(case, "ExtensionApproved")
    assert (approved["new_reply_due_at"], approved["decided_by"]) == ("2026-11-30T09:00:00Z", "system:hotline")
    assert case["reply_due_at"] == "2026-11-30T09:00:00Z"
    assert datetime.fromisoformat(case["reply_due_at"]) == granted.astimezone(UTC)
    assert types(case).count("ReturnRefused") == 1  # the rejection sent twice was decided once
    assert types(case)[-4:] == ["ReturnRequested", "ReturnRefused", "ExtensionRequested", "ExtensionApproved"]
    recorded = await flow.app.state.context.store.read_recorded(stream_id(case_id))
    by_hotline = [event.type.removeprefix("dispatch.") for event in recorded if event.actor == HOTLINE]
    assert by_hotline == ["CaseReturned", "CaseRouted", "ReturnRefused", "ExtensionApproved"]
