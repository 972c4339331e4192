"""Messages to the 12345 hotline: Dispatch's and Closure's events of a work order, signed POSTs and
records on hotline.outbound.v1, in order, retried while the hotline is down, never twice."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import orjson
import pytest
from aiokafka import AIOKafkaProducer

from devstack.stack import Stack
from schemas import topics
from schemas.closure import CaseReplied
from schemas.dispatch import CaseSignedFor, ReturnRequested
from tests.casekit.kafka_rig import producer_on, read_topic
from tests.conftest import eventually
from tests.intake.callbacks_rig import SECRET, Receiver, StartIntake
from tests.intake.conftest import IntakeUnderTest
from tests.intake.hotline_rig import HOTLINE, HOTLINE_FAST, publish, with_endpoint, work_order

NO = "BJ2026120100001"
AT = datetime(2026, 12, 1, 2, 30, tzinfo=UTC)  # 10:30 in Beijing


@pytest.fixture
async def producer(stack: Stack) -> AsyncIterator[AIOKafkaProducer]:
    async with producer_on(stack.kafka_admin) as started:
        yield started


def signed_for(case_id: UUID, role: str = "lead") -> CaseSignedFor:
    return CaseSignedFor(case_id=case_id, unit_code="gl-water", role=role, signed_by="user:u1", signed_at=AT)


def return_requested(case_id: UUID) -> ReturnRequested:
    return ReturnRequested(
        case_id=case_id, unit_code="gl-water", reason="not_our_trade", note="属燃气管线", basis="职责清单第 3 条",
        returns=1, requested_by="user:u1", requested_at=AT,
    )  # fmt: skip


def replied(case_id: UUID) -> CaseReplied:
    return CaseReplied(
        case_id=case_id, unit_code="gl-water", outcome="partly_solved", summary="已更换井盖", method="phone",
        late=False, replied_by="user:u1", replied_at=AT,
    )  # fmt: skip


async def pushed(intake: IntakeUnderTest, no: str = NO) -> UUID:
    reply = await intake.client.post("/hotline/v1/work-orders", json=work_order(no), headers=HOTLINE)
    assert reply.status_code == 201, reply.text
    return UUID(reply.json()["case_id"])


async def messages(intake: IntakeUnderTest, no: str = NO) -> list[dict[str, Any]]:
    reply = await intake.client.get(f"/hotline/v1/work-orders/{no}/messages", headers=HOTLINE)
    assert reply.status_code == 200, reply.text
    found: list[dict[str, Any]] = reply.json()
    return found


async def test_a_work_orders_events_reach_the_hotline_signed_and_in_order_over_http_and_kafka(
    start_intake: StartIntake, receiver: Receiver, producer: AIOKafkaProducer, stack: Stack
) -> None:
    async with start_intake(**with_endpoint(receiver)) as intake:
        case_id = await pushed(intake)
        other = await intake.post({"channel": "grid", "category_code": "01002", "description": "井盖",
                                   "location": work_order()["location"]})  # fmt: skip
        await publish(producer, intake.prefix, signed_for(UUID(other.json()["case_id"])))  # not a work order
        for event in (signed_for(case_id, "assist"), signed_for(case_id), return_requested(case_id)):
            await publish(producer, intake.prefix, event)
        # Closure's topic is read beside Dispatch's: its reply comes after them, as a reply does.
        await eventually(lambda: _count(messages(intake), 2))
        await publish(producer, intake.prefix, replied(case_id))

        async def all_delivered() -> list[dict[str, Any]]:
            listed = await messages(intake)
            assert len(listed) == 3
            assert all(d["state"] == "delivered" for m in listed for d in m["deliveries"])
            return listed

        listed = await eventually(all_delivered)
        state = (await intake.client.get(f"/hotline/v1/work-orders/{NO}", headers=HOTLINE)).json()
        records = await read_topic(stack.kafka_user("hotline"), f"{intake.prefix}{topics.HOTLINE_OUTBOUND.name}", 3)

    assert [hit.json["sequence"] for hit in receiver.hits] == [1, 2, 3]
    assert [hit.json["body"]["kind"] for hit in receiver.hits] == ["sign_for", "return_request", "reply"]
    for hit in receiver.hits:
        timestamp = hit.headers["x-citycases-timestamp"]
        expected = hmac.new(SECRET.encode(), f"{timestamp}.".encode() + hit.body, hashlib.sha256).hexdigest()
        assert hmac.compare_digest(hit.headers["x-citycases-signature"], f"sha256={expected}")
        assert hit.json["work_order_no"] == NO
        assert hit.json["case_id"] == str(case_id)
    sign_for, returned, reply = (hit.json["body"] for hit in receiver.hits)
    assert sign_for["signed_at"] == "2026-12-01T10:30:00+08:00"
    assert (returned["reason"], returned["reason_text"], returned["basis"]) == (
        "not_our_trade", "非本部门职责：属燃气管线", "职责清单第 3 条",
    )  # fmt: skip
    assert (reply["outcome"], reply["outcome_code"], reply["method"]) == ("partly_solved", 2, "phone")
    assert [orjson.loads(r.value) for r in records] == [hit.json for hit in receiver.hits]
    assert {r.key for r in records} == {NO.encode()}
    headers = [dict(r.headers) for r in records]
    assert {h["ce_type"] for h in headers} == {b"hotline.OutboundMessage"}
    assert [h["ce_id"].decode() for h in headers] == [m["message_id"] for m in listed]
    assert [m["kind"] for m in listed] == ["sign_for", "return_request", "reply"]
    assert [sorted(d["queue"] for d in m["deliveries"]) for m in listed] == [["hotline", "hotline-kafka"]] * 3
    assert (state["return_pending"], state["replied"], state["messages"]) == (True, True, 3)


async def test_the_hotline_down_for_a_while_gets_every_message_once_in_order(
    start_intake: StartIntake, receiver: Receiver, producer: AIOKafkaProducer
) -> None:
    receiver.failures["/down"] = 3
    async with start_intake(**with_endpoint(receiver, "/down")) as intake:
        case_id = await pushed(intake)
        for event in (signed_for(case_id), return_requested(case_id)):
            await publish(producer, intake.prefix, event)
        await eventually(lambda: _count(messages(intake), 2))
        await publish(producer, intake.prefix, replied(case_id))
        await eventually(lambda: _accepted(receiver, 3))
        listed = await messages(intake)
        pending = intake.app.state.runtime.metrics.registry.get_sample_value("jobs_pending", {"queue": "hotline"})

    accepted = [hit.json["sequence"] for hit in receiver.hits if hit.answered == 204]
    tried = [hit.json["sequence"] for hit in receiver.hits]
    assert accepted == [1, 2, 3]  # nothing lost, nothing twice
    assert tried == sorted(tried)  # nothing later was tried before an earlier one was accepted
    [http] = [d for d in listed[0]["deliveries"] if d["queue"] == "hotline"]
    assert [a["http_status"] for a in http["attempts"]] == [500, 500, 500, 204]
    assert all(a["at"] for a in http["attempts"])
    assert pending is not None


async def test_a_redelivered_event_queues_nothing_twice_and_decisions_follow_the_requests(
    start_intake: StartIntake, producer: AIOKafkaProducer
) -> None:
    async with start_intake(**HOTLINE_FAST) as intake:  # no endpoint: the Kafka topic only
        case_id = await pushed(intake)
        event_id = await publish(producer, intake.prefix, return_requested(case_id))
        await publish(producer, intake.prefix, return_requested(case_id), event_id)

        async def queued() -> list[dict[str, Any]]:
            listed = await messages(intake)
            assert [m["kind"] for m in listed] == ["return_request"]
            assert [d["state"] for d in listed[0]["deliveries"]] == ["delivered"]
            return listed

        listed = await eventually(queued)
        base = f"/hotline/v1/work-orders/{NO}/return-decision"
        approved = {"decision": "approved", "opinion": "同意改派", "decided_at": "2026-12-01T11:00:00+08:00"}
        statuses = [(await intake.client.post(base, json=body, headers=HOTLINE)).status_code
                    for body in (approved, approved, {**approved, "decision": "rejected"})]  # fmt: skip
        await publish(producer, intake.prefix, return_requested(case_id))  # returned by the next unit: a new request
        await eventually(lambda: _count(messages(intake), 2))
        again = await intake.client.post(base, json={**approved, "decision": "rejected"}, headers=HOTLINE)
        events = await intake.events()

    assert [d["queue"] for d in listed[0]["deliveries"]] == ["hotline-kafka"]
    assert statuses == [201, 200, 409]
    assert again.status_code == 201
    decided = [data for kind, data in events if kind == "intake.HotlineReturnDecided"]
    assert [(d["approved"], d["work_order_no"]) for d in decided] == [(True, NO), (False, NO)]
    assert [kind for kind, _ in events].count("intake.HotlineMessageQueued") == 2


async def _accepted(receiver: Receiver, expected: int) -> None:
    assert len([hit for hit in receiver.hits if hit.answered == 204]) == expected


async def _count(listed: Any, expected: int) -> None:
    assert len(await listed) == expected
