"""Inbound channel topics keep reporters' messages days, not for ever: read back from the broker."""

from __future__ import annotations

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from pydantic import ValidationError

from casekit.kafka.admin import ensure_topics, topic_configs
from casekit.settings import TopicSettings
from devstack.stack import Stack
from schemas.topics import CHANNEL_TOPICS, DAY_MS, DOMAIN_TOPICS, FOREVER, Topic, all_topics
from tests.conftest import eventually


async def retention(stack: Stack, names: list[str]) -> dict[str, int]:
    admin = AIOKafkaAdminClient(**stack.kafka_admin.client_kwargs())
    await admin.start()
    try:
        configs = await topic_configs(admin, names)
    finally:
        await admin.close()
    return {name: int(config["retention.ms"]) for name, config in configs.items()}


def names(prefix: str, topics: object) -> list[str]:
    assert isinstance(topics, tuple | list)
    return [prefix + topic.name for topic in topics]


async def test_channel_topics_are_created_with_the_configured_retention(stack: Stack, prefix: str) -> None:
    await ensure_topics(stack.kafka_admin, all_topics(channel_retention_days=3), prefix)

    kept = await retention(stack, names(prefix, [*CHANNEL_TOPICS.values(), *DOMAIN_TOPICS]))

    channels = {prefix + topic.name for topic in CHANNEL_TOPICS.values()}
    assert {name: ms for name, ms in kept.items() if name in channels} == dict.fromkeys(channels, 3 * DAY_MS)
    assert {ms for name, ms in kept.items() if name not in channels} == {FOREVER}


async def test_a_channel_topic_made_to_keep_everything_gets_the_retention_when_topics_are_ensured(
    stack: Stack, prefix: str
) -> None:
    hotline = CHANNEL_TOPICS["hotline"]
    await ensure_topics(stack.kafka_admin, [Topic(hotline.name, retention_ms=FOREVER)], prefix)  # as before issue 9
    assert await retention(stack, [prefix + hotline.name]) == {prefix + hotline.name: FOREVER}

    await ensure_topics(stack.kafka_admin, all_topics(channel_retention_days=2), prefix)

    async def shortened() -> None:  # the broker applies an altered config a moment after it answers
        assert await retention(stack, [prefix + hotline.name]) == {prefix + hotline.name: 2 * DAY_MS}

    await eventually(shortened)


def test_channel_retention_is_a_week_unless_the_environment_says_otherwise(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KAFKA_CHANNEL_RETENTION_DAYS", raising=False)
    assert TopicSettings().channel_retention_days == 7
    assert {t.retention_ms for t in all_topics(TopicSettings().channel_retention_days)} >= {7 * DAY_MS}

    monkeypatch.setenv("KAFKA_CHANNEL_RETENTION_DAYS", "1.5")
    assert TopicSettings().channel_retention_days == 1.5


@pytest.mark.parametrize("days", ["0", "-1", "forever"])
def test_a_channel_retention_of_no_days_or_for_ever_is_refused(monkeypatch: pytest.MonkeyPatch, days: str) -> None:
    monkeypatch.setenv("KAFKA_CHANNEL_RETENTION_DAYS", days)
    with pytest.raises(ValidationError):
        TopicSettings()
