"""Every consumer, fed malformed messages on every topic it reads, over the real broker.

All four services run on one database and private topics. One real report travels through them
first: its messages are the seeds that hypothesis breaks (tests/fuzz/messages.py). Then each
topic gets FUZZ_MESSAGES malformed messages, and for every consumer group:
- each message it must refuse is in its dead-letter topic, with its reason and origin;
- nothing was retried as if the failure were transient (a retry of garbage never ends);
- no task died, `/readyz` answers 200;
- a good report after all of it still goes from Intake through Dispatch and Closure to Analytics,
  and a good message on a channel topic still opens a case.
The 12345 platform's call-back topic is fuzzed from a call-back of the seed case, which is still
open in Closure: every message there, even one a mutation left valid, is Closure's to park.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.structs import ConsumerRecord
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from casekit.kafka.consumer import Subscription
from casekit.runtime import Runtime
from devstack.stack import Stack
from schemas import topics
from schemas.catalog import ALL_EVENTS, UPCASTERS
from schemas.closure import CallbackSubmission
from schemas.intake import ReportSubmission
from services.analytics.adapters.projections import subscriptions as analytics_subscriptions
from services.closure.adapters.subscriptions import subscriptions as closure_subscriptions
from services.dispatch.adapters.subscriptions import subscriptions as dispatch_subscriptions
from services.intake.adapters.subscriptions import subscriptions as intake_subscriptions
from tests.conftest import eventually, running, service_env
from tests.fuzz.apps import BUILDERS
from tests.fuzz.figures import FIGURES
from tests.fuzz.messages import Malformed, Seed, body_defects, header_defects, old_version_defects

MESSAGES = int(os.environ.get("FUZZ_MESSAGES", "30"))
"""Malformed messages per topic: few in `make test`, many under `make fuzz`."""
SUBSCRIPTIONS: dict[str, Callable[[Runtime, Any], list[Subscription]]] = {
    "intake": intake_subscriptions,
    "dispatch": dispatch_subscriptions,
    "closure": closure_subscriptions,
    "analytics": analytics_subscriptions,
}
ALL_TYPES = frozenset(event.type for event in ALL_EVENTS)
FRESH_ID = b"<fresh>"
"""A seed's ce_id, replaced by a new one per message: the inbox must not take garbage for a redelivery."""
REPORT = {
    "channel": "grid",
    "category_code": "01002",
    "description": "污水井盖破损",
    "location": {"lat": 34.2618, "lon": 117.1850},
}
AFTER = {**REPORT, "category_code": "06010", "description": "暴露垃圾", "location": {"lat": 34.25, "lon": 117.22}}
"""After the fuzz: another kind of problem elsewhere, so Intake does not link it to the seed as a duplicate."""


Done = Callable[[list[ConsumerRecord[bytes, bytes]]], bool]


def kafka_options(stack: Stack) -> dict[str, Any]:
    """What every Kafka client of this module connects with: the one place for credentials.

    The admin's: the fuzzer writes where only the producing service (or a channel's system) may
    (ADR 0010), and reads every dead-letter topic."""
    return stack.kafka_admin.client_kwargs()


@contextlib.asynccontextmanager
async def producer(stack: Stack) -> AsyncIterator[AIOKafkaProducer]:
    made = AIOKafkaProducer(**kafka_options(stack), max_request_size=2**20, enable_idempotence=True)
    await made.start()
    try:
        yield made
    finally:
        await made.stop()


async def read(stack: Stack, topic: str, done: Done, within: float = 60.0) -> list[ConsumerRecord[bytes, bytes]]:
    """A topic from the start, until `done(records)` or `within` seconds; what was read."""
    reader = AIOKafkaConsumer(topic, **kafka_options(stack), auto_offset_reset="earliest", enable_auto_commit=False)
    await reader.start()
    records: list[ConsumerRecord[bytes, bytes]] = []
    try:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(within):
                while not done(records):
                    for batch in (await reader.getmany(timeout_ms=200)).values():
                        records.extend(batch)
    finally:
        await reader.stop()
    return records


def examples(strategy: st.SearchStrategy[Malformed], count: int) -> list[Malformed]:
    """`count` (or fewer, if the strategy has fewer) distinct draws, without running anything per draw."""
    drawn: list[Malformed] = []

    @settings(
        max_examples=count,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(message: Malformed) -> None:
        drawn.append(message)

    collect()
    return drawn


@dataclass(frozen=True)
class Sent:
    key: bytes
    topic: str
    message: Malformed


def refused_by(sub: Subscription, sent: Sent) -> bool:
    """Whether this group must park the message: it reads the topic and cannot skip it unread.

    A domain event of a type the group knows but does not act on is skipped without reading its
    body (a tolerant reader: the contract is the producer's to keep, checked in tests/contracts);
    every other message on a topic it reads is decoded, and refused if it does not decode.
    """
    if sent.topic in sub.messages:
        return True
    if sent.topic not in sub.event_topics:
        return False
    if not sent.message.utf8_headers:
        return True
    event_type = sent.message.header("ce_type") or ""
    return event_type in sub.handlers or event_type not in sub.types


async def seeds(stack: Stack, prefix: str, intake: httpx.AsyncClient, analytics: httpx.AsyncClient) -> dict[str, Seed]:
    """A real report through all four services; the messages it left on each topic, as seeds."""
    created = await intake.post("/v1/reports", json=REPORT)
    assert created.status_code == 201, created.text
    case_id = created.json()["case_id"]

    async def traced() -> None:
        reply = await analytics.get(f"/v1/cases/{case_id}/trace")
        assert reply.status_code == 200
        assert len(reply.json()["events"]) == 4

    await eventually(traced, within=60)
    found: dict[str, Seed] = {}
    # Dispatch publishes AssignmentOpened, then CaseRouted: the seed is the last, the one Closure acts on.
    counts = {topics.INTAKE_EVENTS: 1, topics.DISPATCH_EVENTS: 2, topics.CLOSURE_EVENTS: 1}
    for topic, count in counts.items():
        *_, record = await read(stack, prefix + topic.name, functools.partial(at_least, count))
        headers = tuple((key, FRESH_ID if key == "ce_id" else value) for key, value in record.headers)
        event_type = dict(record.headers)["ce_type"].decode()
        model = next(event for event in ALL_EVENTS if event.type == event_type)
        found[prefix + topic.name] = Seed(headers, orjson.loads(record.value), model, event=True)
    for channel, topic in topics.CHANNEL_TOPICS.items():
        body = {**REPORT, "channel": channel, "external_id": f"fuzz-{channel}"}
        if channel == "whistle":
            body["whistle"] = {"community_code": "320311008007"}
        found[prefix + topic.name] = Seed((), body, ReportSubmission, event=False)
    # A call-back of the seed case, still open in Closure: even a mutation that stays valid is refused.
    callback = {"callback_id": "12345-HF-fuzz", "case_id": case_id, "result": "satisfied",
                "called_at": "2026-11-24T10:00:00+08:00"}  # fmt: skip
    found[prefix + topics.CALLBACKS_HOTLINE.name] = Seed((), callback, CallbackSubmission, event=False)
    return found


def at_least(count: int, records: list[ConsumerRecord[bytes, bytes]]) -> bool:
    return len(records) >= count


def malformed(seed: Seed, count: int) -> list[Malformed]:
    strategies = [body_defects(seed), header_defects(seed, ALL_TYPES)]
    event_type = dict(seed.headers).get("ce_type", b"").decode()
    old = sorted(version for kind, version in UPCASTERS if kind == event_type)
    if old:
        strategies.append(old_version_defects(seed, old))
    return examples(st.one_of(strategies), count)


async def produce(stack: Stack, prefix: str, plan: dict[str, list[Malformed]]) -> list[Sent]:
    sent: list[Sent] = []
    async with producer(stack) as made:
        for topic, messages in plan.items():
            for message in messages:
                key = f"fuzz-{uuid.uuid4().hex}".encode()
                headers = [(name, uuid.uuid4().hex.encode() if value == FRESH_ID else value)
                           for name, value in message.headers]  # fmt: skip
                await made.send_and_wait(topic, message.value, key=key, headers=headers)
                sent.append(Sent(key, topic, message))
                FIGURES.messages[topic.removeprefix(prefix)] += 1
    return sent


async def test_every_consumer_parks_every_malformed_message_with_its_reason_and_carries_on(
    stack: Stack, database: str, topics_for: str
) -> None:
    prefix = topics_for
    async with contextlib.AsyncExitStack() as started:
        apps = {name: build(service_env(stack, database, prefix, name)) for name, build in BUILDERS.items()}
        clients = {name: await started.enter_async_context(running(app)) for name, app in apps.items()}
        found = await seeds(stack, prefix, clients["intake"], clients["analytics"])
        plan = {topic: malformed(seed, MESSAGES) for topic, seed in found.items()}
        sent = await produce(stack, prefix, plan)

        for name, app in apps.items():
            for sub in SUBSCRIPTIONS[name](app.state.runtime, app.state.context):
                await every_refusal_parked(stack, sub, [item for item in sent if refused_by(sub, item)])
            retries = app.state.runtime.metrics.handler_retries
            retried = sum(sample.value for metric in retries.collect() for sample in metric.samples
                          if sample.name.endswith("_total"))  # fmt: skip
            assert retried == 0, f"{name} retried garbage as if the failure were transient"

        for name, client in clients.items():
            assert apps[name].state.runtime.failed == {}
            assert (await client.get("/readyz")).status_code == 200, name

        await a_good_report_still_flows(stack, prefix, clients, apps["intake"])


async def every_refusal_parked(stack: Stack, sub: Subscription, refused: list[Sent]) -> None:
    """Each message `sub` must refuse is in its dead-letter topic, with why and where from."""
    expected = {item.key: item for item in refused}
    parked = await read(stack, sub.dead_letter_topic, lambda records: expected.keys() <= _keys(records))
    missing = [f"{item.topic}: {item.message.defect}" for key, item in expected.items() if key not in _keys(parked)]
    assert not missing, f"{sub.group} did not dead-letter {len(missing)}: {missing[:10]}"
    for record in parked:
        if record.key in expected:
            headers = dict(record.headers)
            assert headers["dlq_reason"], record
            assert headers["dlq_topic"].decode() == expected[record.key].topic
            assert headers["dlq_consumer"].decode() == sub.group
            FIGURES.dead_lettered[sub.group] += 1


async def a_good_report_still_flows(
    stack: Stack, prefix: str, clients: dict[str, httpx.AsyncClient], intake: FastAPI
) -> None:
    async with producer(stack) as made:
        hotline = {
            **AFTER,
            "channel": "hotline",
            "external_id": "12345-after-fuzz",
            "location": {"lat": 34.27, "lon": 117.19},
        }
        await made.send_and_wait(prefix + topics.REPORTS_HOTLINE.name, orjson.dumps(hotline), key=b"good")
    created = await clients["intake"].post("/v1/reports", json=AFTER)
    assert created.status_code == 201
    case_id = created.json()["case_id"]

    async def all_the_way() -> None:
        reply = await clients["analytics"].get(f"/v1/cases/{case_id}/trace")
        assert reply.status_code == 200
        assert [event["type"] for event in reply.json()["events"]] == [
            "intake.ReportReceived",
            "dispatch.AssignmentOpened",
            "dispatch.CaseRouted",
            "closure.ClosureOpened",
        ]
        opened = "SELECT count(*) FROM events WHERE type = 'intake.ReportReceived' AND data->>'external_id' = $1"
        assert await intake.state.runtime.pool.fetchval(opened, "12345-after-fuzz") == 1

    await eventually(all_the_way, within=60)


def _keys(records: list[ConsumerRecord[bytes, bytes]]) -> set[bytes]:
    return {record.key for record in records if record.key is not None}
