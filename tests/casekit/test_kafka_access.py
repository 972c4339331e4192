"""Kafka is no open door (ADR 0010): SASL/SCRAM users, and ACLs that allow each only its own topics.

On the session's broker, started as `make run` starts it; `topics_for` grants the ACLs of
schemas/kafka_users.py for the test's prefix.
"""

from __future__ import annotations

import asyncio

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import (
    ClusterAuthorizationFailedError,
    GroupAuthorizationFailedError,
    KafkaConnectionError,
    TopicAuthorizationFailedError,
)
from pydantic import SecretStr

from casekit.kafka.admin import ensure_topics
from casekit.kafka.connection import KafkaConnection
from casekit.kafka.producer import create_producer
from devstack.stack import Stack
from schemas.topics import REPORTS_HOTLINE
from tests.casekit.kafka_rig import read_topic


async def produced(kafka: KafkaConnection, topic: str, value: bytes = b"{}") -> None:
    """Send one message as `kafka`'s user, with the producer every service uses."""
    producer = create_producer(kafka, "test")
    await producer.start()
    try:
        await producer.send_and_wait(topic, value)
    finally:
        await producer.stop()


async def consumed(kafka: KafkaConnection, topic: str, group: str) -> None:
    """Poll `topic` in `group` until the broker answers something other than 'nothing yet'."""
    consumer = AIOKafkaConsumer(topic, **kafka.client_kwargs(), group_id=group, auto_offset_reset="earliest")
    try:
        await consumer.start()
        async with asyncio.timeout(20):
            while not await consumer.getmany(timeout_ms=200):
                pass
    finally:
        await consumer.stop()


async def test_a_client_without_credentials_is_refused(stack: Stack) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=stack.bootstrap_servers, request_timeout_ms=5000)
    try:
        with pytest.raises(KafkaConnectionError):
            await producer.start()
    finally:
        await producer.stop()


async def test_a_wrong_password_is_refused(stack: Stack) -> None:
    hotline = stack.kafka_user("hotline")
    guess = KafkaConnection(hotline.bootstrap_servers, "SASL_PLAINTEXT", "SCRAM-SHA-512", "hotline", SecretStr("guess"))
    with pytest.raises(KafkaConnectionError):
        await produced(guess, "reports.hotline.v1")


async def test_the_hotline_produces_into_its_topic_and_intake_reads_it(stack: Stack, topics_for: str) -> None:
    topic = f"{topics_for}reports.hotline.v1"
    await produced(stack.kafka_user("hotline"), topic, b'{"from": "12345"}')

    await consumed(stack.kafka_user("intake"), topic, f"{topics_for}intake")
    [record] = await read_topic(stack.kafka_admin, topic, expected=1)
    assert record.value == b'{"from": "12345"}'


@pytest.mark.parametrize(
    ("system", "topic"),
    [("hotline", "reports.grid.v1"), ("grid-app", "reports.hotline.v1"), ("whistle-app", "cases.intake.v1")],
)
async def test_a_channel_system_cannot_produce_into_another_topic(
    stack: Stack, topics_for: str, system: str, topic: str
) -> None:
    with pytest.raises(TopicAuthorizationFailedError):
        await produced(stack.kafka_user(system), topics_for + topic)


async def test_the_hotline_cannot_read_a_domain_topic(stack: Stack, topics_for: str) -> None:
    with pytest.raises(TopicAuthorizationFailedError):
        await consumed(stack.kafka_user("hotline"), f"{topics_for}cases.intake.v1", f"{topics_for}hotline")


@pytest.mark.parametrize("service", ["intake", "dispatch", "closure", "analytics"])
async def test_no_service_can_produce_into_the_hotline_topic(stack: Stack, topics_for: str, service: str) -> None:
    with pytest.raises(TopicAuthorizationFailedError):
        await produced(stack.kafka_user(service), f"{topics_for}reports.hotline.v1")


@pytest.mark.parametrize(
    ("service", "topic"),
    [
        ("dispatch", "callbacks.hotline.v1"),  # it reads Closure's events (a resume ends its park), not the call-backs
        ("dispatch", "reports.hotline.v1"),
        ("closure", "reports.hotline.v1"),  # Intake's record of the hotline, never its raw work orders
        ("analytics", "reports.grid.v1"),
        ("intake", "dlq.dispatch"),
    ],
)
async def test_a_service_cannot_read_another_services_topic(
    stack: Stack, topics_for: str, service: str, topic: str
) -> None:
    with pytest.raises(TopicAuthorizationFailedError):
        await consumed(stack.kafka_user(service), topics_for + topic, topics_for + service)


async def test_a_service_cannot_join_another_services_group(stack: Stack, topics_for: str) -> None:
    with pytest.raises(GroupAuthorizationFailedError):
        await consumed(stack.kafka_user("dispatch"), f"{topics_for}cases.intake.v1", f"{topics_for}analytics")


async def test_a_service_cannot_write_into_another_services_domain_topic(stack: Stack, topics_for: str) -> None:
    with pytest.raises(TopicAuthorizationFailedError):
        await produced(stack.kafka_user("closure"), f"{topics_for}cases.dispatch.v1")


async def test_city_ops_reads_the_domain_topics_and_writes_nothing(stack: Stack, topics_for: str) -> None:
    await produced(stack.kafka_user("intake"), f"{topics_for}cases.intake.v1")
    await consumed(stack.kafka_user("city-ops"), f"{topics_for}cases.intake.v1", f"{topics_for}city-ops.printer")

    # Not even an idempotent producer's id: it may write no topic at all.
    with pytest.raises(ClusterAuthorizationFailedError):
        await produced(stack.kafka_user("city-ops"), f"{topics_for}cases.intake.v1")


async def test_a_prefix_grants_nothing_on_another_prefix(stack: Stack, topics_for: str) -> None:
    """ACLs name the prefix: the hotline may write `<its prefix>reports.hotline.v1`, no other."""
    elsewhere = f"{topics_for}other."
    await ensure_topics(stack.kafka_admin, [REPORTS_HOTLINE], elsewhere)  # the topic exists, no ACL for it

    with pytest.raises(TopicAuthorizationFailedError):
        await produced(stack.kafka_user("hotline"), f"{elsewhere}reports.hotline.v1")


def test_the_local_brokers_passwords_are_readable_by_their_owner_only(stack: Stack) -> None:
    assert stack.kafka is not None, "the session's broker is our own"
    for name in ("credentials.json", "server.properties"):
        assert (stack.kafka.work_dir / name).stat().st_mode & 0o777 == 0o600
    assert stack.kafka.passwords.keys() >= {"admin", "intake", "hotline", "city-ops"}
    assert len(set(stack.kafka.passwords.values())) == len(stack.kafka.passwords)
