"""12345 work orders in (派单), and the hotline's decisions, call-backs and notices on them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import orjson

from devstack.stack import Stack
from schemas.access import SUBMIT_REPORTS
from schemas.closure import CaseReplied
from tests.casekit.kafka_rig import producer_on
from tests.conftest import eventually, system_bearer
from tests.intake.conftest import IntakeUnderTest
from tests.intake.hotline_rig import HOTLINE, publish, work_order

PUSH = "/hotline/v1/work-orders"


async def push(intake: IntakeUnderTest, body: dict[str, Any]) -> Any:
    return await intake.client.post(PUSH, json=body, headers=HOTLINE)


async def test_a_work_order_pushed_twice_is_one_case(intake: IntakeUnderTest) -> None:
    first = await push(intake, work_order())
    again = await push(intake, work_order(content="路口污水井盖破损（再次催促）"))
    events = await intake.events()
    view = (await intake.client.get(f"/v1/reports/{first.json()['case_id']}")).json()

    assert (first.status_code, again.status_code) == (201, 200), first.text
    assert first.json() == again.json()
    assert first.json()["work_order_no"] == "BJ2026120100001"
    assert first.json()["case_number"].startswith("HL-")
    assert [kind for kind, _ in events] == ["intake.ReportReceived"]
    [(_, received)] = events
    assert received["channel"] == "hotline"
    assert received["external_id"] == "BJ2026120100001"
    assert received["description"] == "井盖破损：路口污水井盖破损，有安全隐患"
    assert received["source_deadline_at"].startswith("2026-12-04T09:00:00")  # 17:00 in Beijing, UTC inside
    assert received["hotline"]["appeal_kind"] == "complaint"
    assert received["hotline"]["time_unit"] == "working_days"
    assert received["address"] == "鼓楼区中山北路 1 号"
    assert view["external_id"] == "BJ2026120100001"


async def test_the_callers_contact_is_sealed_and_in_no_event(intake: IntakeUnderTest) -> None:
    case = (await push(intake, work_order(content="请联系我 13912345678，井盖破损"))).json()
    published = orjson.dumps(await intake.events()).decode()
    sealed = await intake.app.state.runtime.pool.fetchval(
        "SELECT count(*) FROM reporter_contacts WHERE case_id = $1", case["case_id"]
    )

    for secret in ("13800138000", "王小明", "13912345678"):
        assert secret not in published
    assert sealed == 1


async def test_a_bad_work_order_is_a_422_problem(intake: IntakeUnderTest) -> None:
    late = await push(intake, work_order(due_at="2026-12-01T09:00:00+08:00"))
    nowhere = await push(intake, work_order(address=None, location=None))
    unknown = await push(intake, work_order(category_code="99999"))

    for reply in (late, nowhere, unknown):
        assert reply.status_code == 422, reply.text
        assert reply.headers["content-type"] == "application/problem+json"
    assert "due_at" in late.text
    assert "missing location" in nowhere.text
    assert await intake.events() == []


async def test_only_the_hotlines_system_pushes_and_decides(intake: IntakeUnderTest) -> None:
    grid_app = system_bearer("grid-app", [SUBMIT_REPORTS], ["grid"])
    await push(intake, work_order())
    refused = await intake.client.post(PUSH, json=work_order("BJ2"), headers=grid_app)
    decision = await intake.client.post(
        "/hotline/v1/work-orders/BJ2026120100001/notices",
        json={"notice_no": "CB-1", "kind": "urge", "issued_at": "2026-12-02T10:00:00+08:00"},
        headers=grid_app,
    )
    as_admin = await intake.client.post(PUSH, json=work_order("BJ3"))  # the fixture's client is an admin

    assert (refused.status_code, decision.status_code, as_admin.status_code) == (403, 403, 403)
    assert len(await intake.events()) == 1


async def test_decisions_name_a_known_work_order_and_a_pending_request(intake: IntakeUnderTest) -> None:
    await push(intake, work_order())
    base = "/hotline/v1/work-orders"
    rejected = {"decision": "rejected", "decided_at": "2026-12-02T10:00:00+08:00"}
    unknown = await intake.client.post(f"{base}/NO-SUCH/return-decision", json=rejected, headers=HOTLINE)
    nothing_pending = await intake.client.post(f"{base}/BJ2026120100001/return-decision", json=rejected,
                                               headers=HOTLINE)  # fmt: skip
    no_extension = await intake.client.post(f"{base}/BJ2026120100001/extension-decision", json=rejected,
                                            headers=HOTLINE)  # fmt: skip
    state = (await intake.client.get(f"{base}/BJ2026120100001", headers=HOTLINE)).json()

    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"
    assert (nothing_pending.status_code, no_extension.status_code) == (409, 409)
    assert "no return request" in nothing_pending.json()["detail"]
    assert (state["return_pending"], state["extension_pending"], state["messages"]) == (False, False, 0)
    assert state["due_at"] == "2026-12-04T17:00:00+08:00"


async def test_call_backs_and_notices_are_recorded_once_each(intake: IntakeUnderTest, stack: Stack) -> None:
    case_id = UUID((await push(intake, work_order())).json()["case_id"])
    base = "/hotline/v1/work-orders/BJ2026120100001"
    callback = {"callback_id": "HF-1", "visited_at": "2026-12-05T10:00:00+08:00", "connected": True,
                "solved": "solved", "satisfaction": "understanding"}  # fmt: skip
    early = await intake.client.post(f"{base}/callbacks", json=callback, headers=HOTLINE)
    assert early.status_code == 409, early.text  # 回访 follows our final reply (办结回复)
    assert "no final reply" in early.json()["detail"]
    async with producer_on(stack.kafka_admin) as producer:
        await publish(producer, intake.prefix, CaseReplied(
            case_id=case_id, unit_code="gl-water", outcome="solved", summary="已更换井盖", method="phone",
            late=False, replied_by="user:u1", replied_at=datetime.now(UTC),
        ))  # fmt: skip

    async def replied() -> None:
        listed = await intake.client.get(f"{base}/messages", headers=HOTLINE)
        assert [m["kind"] for m in listed.json()] == ["reply"], listed.text

    await eventually(replied)
    missed = {"callback_id": "HF-2", "visited_at": "2026-12-05T11:00:00+08:00", "connected": False}
    notice = {"notice_no": "CB-1", "kind": "urge", "opinion": "请尽快办理", "issued_at": "2026-12-02T10:00:00+08:00"}
    statuses = [
        (await intake.client.post(f"{base}/{path}", json=body, headers=HOTLINE)).status_code
        for path, body in (("callbacks", callback), ("callbacks", callback), ("callbacks", missed),
                           ("notices", notice), ("notices", notice))
    ]  # fmt: skip
    bad = await intake.client.post(f"{base}/callbacks", json={**callback, "callback_id": "HF-3", "satisfaction": None},
                                   headers=HOTLINE)  # fmt: skip
    events = await intake.events()

    assert statuses == [201, 200, 201, 201, 200]
    assert bad.status_code == 422
    recorded = [
        (kind, data) for kind, data in events if kind not in ("intake.ReportReceived", "intake.HotlineMessageQueued")
    ]
    assert [kind for kind, _ in recorded] == [
        "intake.HotlineCallbackReceived", "intake.HotlineCallbackReceived", "intake.HotlineNoticeReceived",
    ]  # fmt: skip
    assert [(d["callback_id"], d["result"], d["solved"]) for _, d in recorded[:2]] == [
        ("HF-1", "basically_satisfied", "solved"),
        ("HF-2", "unreachable", None),
    ]
    assert recorded[2][1]["kind"] == "urge"
    assert recorded[2][1]["work_order_no"] == "BJ2026120100001"
