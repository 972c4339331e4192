"""Intake's inbound channel topics, on a real broker."""

from __future__ import annotations

from typing import Any

import orjson

from devstack.stack import Stack
from services.intake.main import create_app
from services.intake.settings import IntakeSettings
from tests.casekit.kafka_rig import producer_on, read_topic
from tests.conftest import eventually, running, service_env

REPORT = {
    "channel": "hotline",
    "category_code": "06010",
    "description": "12345: 暴露垃圾",
    "location": {"lat": 34.25, "lon": 117.22},
    "external_id": "12345-20261124-0009",
}


async def test_a_report_on_a_channel_topic_opens_a_case_once_even_if_redelivered(
    stack: Stack, database: str, topics_for: str
) -> None:
    prefix = topics_for
    app = create_app(IntakeSettings(**service_env(stack, database, prefix, "intake")))
    async with running(app), producer_on(stack.kafka_user("hotline")) as producer:
        headers = [("ce_id", b"hotline-msg-1"), ("ce_actor", b"hotline:12345")]
        for _ in range(2):
            await producer.send_and_wait(f"{prefix}reports.hotline.v1", orjson.dumps(REPORT), headers=headers)

        published = await read_topic(stack.kafka_admin, f"{prefix}cases.intake.v1", expected=1)
        runtime = app.state.runtime

        async def handled_twice_appended_once() -> None:
            consumed = runtime.metrics.messages_consumed
            assert consumed.labels(f"{prefix}reports.hotline.v1", "duplicate")._value.get() == 1
            assert await runtime.pool.fetchval("SELECT count(*) FROM events") == 1

        await eventually(handled_twice_appended_once)

    event: dict[str, Any] = orjson.loads(published[0].value)
    assert event["external_id"] == "12345-20261124-0009"
    assert dict(published[0].headers)["ce_actor"] == b"hotline:12345"


async def test_an_invalid_channel_message_is_dead_lettered_with_the_failed_rule_and_path(
    stack: Stack, database: str, topics_for: str
) -> None:
    prefix = topics_for
    bad = {**REPORT, "location": {"lat": 95.0, "lon": 117.22}}
    wrong_channel = {**REPORT, "channel": "grid"}
    async with (
        running(create_app(IntakeSettings(**service_env(stack, database, prefix, "intake")))),
        producer_on(stack.kafka_user("hotline")) as producer,
    ):
        for body in (bad, wrong_channel):
            await producer.send_and_wait(f"{prefix}reports.hotline.v1", orjson.dumps(body), key=b"k")
        parked = await read_topic(stack.kafka_admin, f"{prefix}dlq.intake", expected=2)

    reasons = [dict(m.headers)["dlq_reason"].decode() for m in parked]
    assert dict(parked[0].headers)["dlq_rule"] == b"less_than_equal"
    assert dict(parked[0].headers)["dlq_path"] == b"/location/lat"
    assert "a grid report on the hotline channel topic" in reasons[1]
    assert [orjson.loads(m.value) for m in parked] == [bad, wrong_channel]


async def test_a_channel_message_with_a_nul_character_is_dead_lettered_and_the_next_one_handled(
    stack: Stack, database: str, topics_for: str
) -> None:
    prefix = topics_for
    poisoned = {**REPORT, "description": "暴露垃圾\u0000", "external_id": "12345-nul"}
    app = create_app(IntakeSettings(**service_env(stack, database, prefix, "intake")))
    async with running(app), producer_on(stack.kafka_user("hotline")) as producer:
        for body in (poisoned, REPORT):
            await producer.send_and_wait(f"{prefix}reports.hotline.v1", orjson.dumps(body), key=b"k")
        [parked] = await read_topic(stack.kafka_admin, f"{prefix}dlq.intake", expected=1)

        async def next_one_handled() -> None:
            assert await app.state.runtime.pool.fetchval("SELECT count(*) FROM events") == 1

        await eventually(next_one_handled)

    assert dict(parked.headers)["dlq_rule"] == b"nul-character"
    assert orjson.loads(parked.value) == poisoned
