"""A 12345 work order through Closure over Kafka and HTTP: the real app on real PostgreSQL and Kafka.

Dispatch's events arrive on `cases.dispatch.v1` as Dispatch's Kafka user publishes them, Intake's
record of the hotline's call-backs and notices on `cases.intake.v1` as Intake's; people act over
HTTP with their own tokens. The reply deadline (the hotline's clock) is there beside the disposal
deadline and due first; progress and the final reply pass or are refused; an unsatisfied call-back
reopens the case; a notice shows once, however often it is sent.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import orjson
from aiokafka import AIOKafkaProducer

from casekit.envelope import utc_now
from devstack.stack import Stack
from schemas.base import Event
from schemas.dispatch import AssignmentOpened, CaseRouted, StageLimits, TimeLimit
from schemas.hotline import HotlineCallbackReceived, HotlineNoticeReceived
from tests.casekit.kafka_rig import producer_on
from tests.closure.api_rig import (
    DISPATCHER,
    OTHER_DISPATCHER,
    OTHER_UNIT,
    STATION,
    UNIT,
    Rig,
    at,
    local,
    reason,
    rig_fixture,  # noqa: F401 - the fixture `rig`
)

WORK_ORDER = "BJ12345-20261202-0007"


async def publish(producer: AIOKafkaProducer, topic: str, event: Event, actor: str, message_id: str = "") -> None:
    """One event as the relay publishes it: binary CloudEvents, keyed by its case."""
    headers = [
        ("ce_specversion", b"1.0"), ("ce_id", (message_id or str(uuid.uuid4())).encode()),
        ("ce_source", f"/city-cases/{actor.removeprefix('system:')}".encode()), ("ce_type", event.type.encode()),
        ("ce_actor", actor.encode()), ("ce_subject", str(event.case_id).encode()),
        ("content-type", b"application/json"),
    ]  # fmt: skip
    body = orjson.dumps(event.model_dump(mode="json"))
    await producer.send_and_wait(topic, body, key=str(event.case_id).encode(), headers=headers)


async def route_work_order(rig: Rig, stack: Stack, reply_due: datetime) -> UUID:
    """Dispatch took the work order in and routed it to the station, on its own topic; the case id."""
    case_id, now = uuid.uuid4(), utc_now()
    opened = AssignmentOpened(case_id=case_id, case_number="HL-20261202-000007", channel="hotline",
                              category_code="06010", urgency="normal", received_at=now, opened_at=now,
                              reply_due_at=reply_due, work_order_no=WORK_ORDER)  # fmt: skip
    routed = CaseRouted(
        case_id=case_id, unit_code=STATION, unit_name="万通社区工作站·环卫", category_code="06010", rule="sanitation",
        routed_at=now, trade="sanitation", reason=reason(), urgency="normal", reply_due_at=reply_due,
        limits=StageLimits(disposal=TimeLimit(amount=8, unit="hours"), verification=TimeLimit(amount=1, unit="hours")),
    )  # fmt: skip
    topic = f"{rig.prefix}cases.dispatch.v1"
    async with producer_on(stack.kafka_user("dispatch")) as producer:
        await publish(producer, topic, opened, "system:dispatch")
        await publish(producer, topic, routed, "system:dispatch")
    return case_id


async def intake_says(stack: Stack, rig: Rig, *events: tuple[Event, str]) -> None:
    """Intake's records on `cases.intake.v1`, each with its message id, in order."""
    async with producer_on(stack.kafka_user("intake")) as producer:
        for event, message_id in events:
            await publish(producer, f"{rig.prefix}cases.intake.v1", event, "system:intake", message_id)


def stage(case: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(d for d in case["deadlines"] if d["stage"] == name)
    return found


def of_type(case: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [entry for entry in case["history"] if entry["type"] == f"closure.{kind}"]


async def test_a_routed_work_order_is_due_to_the_hotline_before_its_disposal_deadline_and_is_replied_to_once(
    rig: Rig, stack: Stack
) -> None:
    reply_due = (utc_now() + timedelta(hours=2)).replace(microsecond=0)
    case_id = await route_work_order(rig, stack, reply_due)

    case = await rig.eventually_case(case_id, lambda case: True)
    reply, disposal = stage(case, "reply"), stage(case, "disposal")
    assert (case["work_order_no"], at(case["reply_due_at"]), case["next_stage"]) == (WORK_ORDER, reply_due, "reply")
    assert local(case["reply_due_at"])
    assert (at(reply["due_at"]), reply["limit"], reply["running"]) == (reply_due, None, True)
    assert at(reply["due_at"]) < at(disposal["due_at"])
    assert at(reply["started_at"]) < at(reply["warn_at"]) < at(reply["due_at"])
    assert case["case_number"] == "HL-20261202-000007"

    contacted = await rig.post(case_id, "progress", UNIT, progress="contacted", staff="赵师傅")
    refused = {
        "another unit": await rig.post(case_id, "progress", OTHER_UNIT, progress="on_site"),
        "no reason": await rig.post(case_id, "progress", UNIT, progress="not_contacted"),
        "future": await rig.post(
            case_id, "progress", UNIT, progress="on_site", at=(utc_now() + timedelta(hours=1)).isoformat()
        ),
        "solved before disposal": await rig.post(
            case_id, "reply", UNIT, outcome="solved", summary="已清理", method="phone"
        ),
        "a dispatcher elsewhere": await rig.post(
            case_id, "reply", OTHER_DISPATCHER, outcome="not_handled", summary="不属受理范围", method="phone"
        ),
        "no such outcome": await rig.post(case_id, "reply", UNIT, outcome="done", summary="已清理", method="phone"),
    }
    assert contacted.status_code == 200, contacted.text
    assert {why: response.status_code for why, response in refused.items()} == {
        "another unit": 403, "no reason": 422, "future": 409, "solved before disposal": 409,
        "a dispatcher elsewhere": 403, "no such outcome": 422,
    }  # fmt: skip
    assert all(r.headers["content-type"] == "application/problem+json" for r in refused.values())

    await rig.dispose(case_id)
    answered = await rig.ok(case_id, "reply", UNIT, outcome="solved", summary="已清理并电话告知", method="phone")
    again = await rig.post(case_id, "reply", DISPATCHER, outcome="solved", summary="再次答复", method="phone")

    assert (answered["reply_outcome"], answered["work_order_no"]) == ("solved", WORK_ORDER)
    assert again.status_code == 409, again.text
    assert "replied to already" in again.json()["detail"]
    case = await rig.case(case_id)
    assert [d["stage"] for d in case["deadlines"]] == ["verification"]  # the reply met, the disposal reported
    [noted] = of_type(case, "ProgressNoted")
    [replied] = of_type(case, "CaseReplied")
    assert (noted["data"]["progress"], noted["data"]["staff"], noted["data"]["unit_code"]) == (
        "contacted", "赵师傅", STATION,
    )  # fmt: skip
    assert (replied["data"]["outcome"], replied["data"]["method"], replied["data"]["late"]) == (
        "solved",
        "phone",
        False,
    )
    assert replied["data"]["replied_by"] == "user:li-station"


async def test_a_case_that_is_no_work_order_takes_neither_progress_nor_reply(rig: Rig) -> None:
    case_id = await rig.route()

    progress = await rig.post(case_id, "progress", UNIT, progress="contacted")
    reply = await rig.post(case_id, "reply", UNIT, outcome="not_handled", summary="不属受理范围", method="phone")
    unknown = await rig.post(uuid.uuid4(), "reply", UNIT, outcome="not_handled", summary="x", method="phone")

    assert (progress.status_code, reply.status_code, unknown.status_code) == (409, 409, 404)
    assert "not a 12345 work order" in progress.json()["detail"]


async def test_the_hotline_s_unsatisfied_call_back_reopens_and_its_notice_shows_once_even_when_sent_twice(
    rig: Rig, stack: Stack
) -> None:
    case_id = await route_work_order(rig, stack, (utc_now() + timedelta(hours=2)).replace(microsecond=0))
    await rig.eventually_case(case_id, lambda case: True)
    await rig.closed(case_id)
    now = utc_now()
    callback = HotlineCallbackReceived(case_id=case_id, work_order_no=WORK_ORDER, callback_id="HF-0001",
                                       connected=True, solved="unsolved", satisfaction="unsatisfied",
                                       result="unsatisfied", note="垃圾又堆起来了", visited_at=now,
                                       received_at=now)  # fmt: skip
    urged = HotlineNoticeReceived(case_id=case_id, work_order_no=WORK_ORDER, notice_no="CB-0001", kind="urge",
                                  opinion="市民再次来电，请尽快处理", issued_at=now, received_at=now)  # fmt: skip
    supervised = urged.model_copy(update={"notice_no": "DB-0001", "kind": "supervise",
                                          "issued_at": now + timedelta(minutes=5)})  # fmt: skip

    await intake_says(stack, rig, (callback, "m-1"), (callback, "m-2"), (urged, "m-3"), (urged, "m-3"),
                      (urged, "m-4"), (supervised, "m-5"))  # fmt: skip
    case = await rig.eventually_case(case_id, lambda case: case["urge_count"] == 2)

    assert (case["status"], case["reopen_count"], case["callback_result"]) == ("open", 1, "unsatisfied")
    [recorded] = of_type(case, "CallbackRecorded")  # the same call-back id, sent again, changed nothing
    assert (recorded["data"]["source"], recorded["data"]["callback_ref"], recorded["data"]["solved"]) == (
        "hotline", "HF-0001", "unsolved",
    )  # fmt: skip
    assert [u["data"]["notice_no"] for u in of_type(case, "CaseUrged")] == ["CB-0001", "DB-0001"]
    assert (case["last_urge_kind"], at(case["last_urged_at"])) == ("supervise", now + timedelta(minutes=5))
    events = await rig.closure.store.pool.fetch(
        "SELECT type, actor FROM events WHERE stream_id = $1 AND type IN "
        "('closure.CallbackRecorded', 'closure.CaseReopened', 'closure.CaseUrged') ORDER BY version",
        f"closure-{case_id}",
    )
    assert {row["actor"] for row in events} == {"system:hotline"}
    assert len(events) == 4
    listed = await rig.client.get("/v1/cases", headers=UNIT)
    [item] = [item for item in listed.json()["items"] if item["case_id"] == str(case_id)]
    assert (item["urge_count"], item["last_urge_kind"], item["work_order_no"]) == (2, "supervise", WORK_ORDER)
