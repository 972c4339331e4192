"""The 12345 platform's call-backs on `callbacks.hotline.v1`, produced as the `hotline` Kafka user
would, into the whole loop (tests/closure/loop_rig.py): recorded on the case named by its number,
once per call-back id; unsatisfied reopens the case and Open311 says so; what can never pass (an
unknown case number, a call-back on an open case) is parked on Closure's dead-letter topic with its
reason. A call-back is dated as the platform says, within the closing and now.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from uuid import UUID

import orjson

from devstack.stack import Stack
from services.closure.application.callbacks import recorded_at
from services.closure.domain.closure import CaseClosure
from tests.casekit.kafka_rig import producer_on, read_topic
from tests.closure.loop_rig import (
    STATION_STAFF,
    VERIFIER,
    Loop,
    loop_fixture,  # noqa: F401 - the fixture `loop`
)
from tests.intake.callbacks_rig import receiver  # noqa: F401 - the loop's callback receiver

KEY = b"12345"
"""One key for every call-back here: one partition, so they are handled in the order sent."""


def submission(callback_id: str, result: str, **case: str) -> dict[str, Any]:
    return {"callback_id": callback_id, "result": result, "note": "市民表示垃圾又堆起来了",
            "called_at": datetime.now(UTC).isoformat(), **case}  # fmt: skip


async def closed_case(loop: Loop) -> tuple[UUID, str]:
    """A grid report taken to closed: routed, signed for, disposed, verified."""
    case_id, number = await loop.report()
    await loop.sign_for(case_id)
    await loop.closure_case(case_id)
    await loop.closure_done(case_id, "disposal", STATION_STAFF, method="service", notes="已清理")
    await loop.closure_done(case_id, "verification", VERIFIER, passed=True)
    await loop.open311(number, "closed", "核查通过，已结案")
    return case_id, number


async def test_a_hotline_call_back_by_case_number_is_recorded_once_and_unsatisfied_reopens_the_case(
    loop: Loop, stack: Stack
) -> None:
    case_id, number = await closed_case(loop)
    topic = f"{loop.prefix}callbacks.hotline.v1"
    unsatisfied = submission("12345-HF-0001", "unsatisfied", case_number=number)
    unknown = submission("12345-HF-0002", "satisfied", case_number="GR-20000101-999999")
    on_open_case = submission("12345-HF-0003", "satisfied", case_id=str(case_id))

    async with producer_on(stack.kafka_user("hotline")) as producer:
        await producer.send_and_wait(topic, orjson.dumps(unsatisfied), key=KEY)
        reopened = await loop.open311(number, "open", "回访不满意，已重新交办")
        after_first = await loop.closure_events(case_id)
        for body in (unsatisfied, unknown, on_open_case):  # the same call-back again, then two that never pass
            await producer.send_and_wait(topic, orjson.dumps(body), key=KEY)
        parked = await read_topic(stack.kafka_admin, f"{loop.prefix}dlq.closure", expected=2)
    after_all = await loop.closure_events(case_id)
    case = await loop.closure_case(case_id)

    recorded, reopening = after_first[-2:]
    assert [kind for kind, _, _ in after_first[-4:]] == [
        "closure.VerificationPassed",
        "closure.CaseClosed",
        "closure.CallbackRecorded",
        "closure.CaseReopened",
    ]
    assert recorded[2] == reopening[2] == "system:hotline"
    assert recorded[1]["source"] == "hotline"
    assert recorded[1]["callback_ref"] == "12345-HF-0001"
    assert recorded[1]["result"] == "unsatisfied"
    assert reopening[1]["cause"] == "unsatisfied"
    assert reopening[1]["unit_code"] == STATION_STAFF.unit
    assert after_all == after_first  # the duplicate changed nothing; the refused ones neither
    assert (case["status"], case["reopen_count"], case["callback_result"]) == ("open", 1, "unsatisfied")
    assert reopened["status"] == "open"
    reasons = [dict(record.headers)["dlq_reason"].decode() for record in parked]
    assert [orjson.loads(record.value) for record in parked] == [unknown, on_open_case]
    assert reasons[0] == "InvalidInput: unknown-case: no case numbered GR-20000101-999999 in Closure at /case_number"
    assert reasons[1].startswith("RuleViolation: ")
    assert "a call-back (回访) is for a closed case" in reasons[1]
    assert dict(parked[0].headers)["dlq_rule"] == b"unknown-case"
    assert {dict(record.headers)["dlq_topic"] for record in parked} == {topic.encode()}
    await loop.deliveries(case_id, ("received", None), ("dispatched", "已派遣至 万通社区工作站·环卫"),
                          ("accepted", "责任单位已签收"), ("disposed", "责任单位已处置，待核查"),
                          ("closed", "核查通过，已结案"), ("reopened", "回访不满意，已重新交办"))  # fmt: skip


async def test_a_hotline_call_back_by_case_id_closes_the_loop_and_an_unreachable_resident_is_called_again(
    loop: Loop, stack: Stack
) -> None:
    case_id, number = await closed_case(loop)
    topic = f"{loop.prefix}callbacks.hotline.v1"

    async with producer_on(stack.kafka_user("hotline")) as producer:
        await producer.send_and_wait(topic, orjson.dumps(submission("HF-1", "unreachable", case_id=str(case_id))),
                                     key=KEY)  # fmt: skip
        await producer.send_and_wait(topic, orjson.dumps(submission("HF-2", "satisfied", case_id=str(case_id))),
                                     key=KEY)  # fmt: skip
        called_back = await loop.open311(number, "closed", "已回访，已结案")
    case = await loop.closure_case(case_id, lambda case: case["callback_done"])
    events = await loop.closure_events(case_id)

    calls = [data for kind, data, _ in events if kind == "closure.CallbackRecorded"]
    assert [(call["result"], call["callback_ref"]) for call in calls] == [
        ("unreachable", "HF-1"),
        ("satisfied", "HF-2"),
    ]
    assert (case["status"], case["callback_result"]) == ("closed", "satisfied")
    assert called_back["status"] == "closed"
    row = await loop.closure_row(case_id)
    assert row is not None
    assert (row.case_number, row.callback_result) == (number, "satisfied")


def test_a_call_back_is_dated_as_the_platform_says_but_never_before_the_closing_nor_after_now() -> None:
    closed_at = datetime(2026, 11, 25, 2, 40, tzinfo=UTC)
    now = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)
    state = CaseClosure(status="closed", closed_at=closed_at)
    beijing = timezone(timedelta(hours=8))

    as_said = recorded_at(state, datetime(2026, 11, 26, 10, 0, tzinfo=beijing), now)
    behind = recorded_at(state, closed_at - timedelta(minutes=5), now)
    ahead = recorded_at(state, now + timedelta(hours=1), now)

    assert as_said == datetime(2026, 11, 26, 2, 0, tzinfo=UTC)
    assert as_said.utcoffset() == timedelta(0)
    assert behind == closed_at  # a reopening is never dated before the closing it undoes
    assert ahead == now
