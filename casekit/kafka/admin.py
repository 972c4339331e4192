"""Create the topics a deployment needs and keep their retention as declared.

Strimzi's Topic Operator does this in Kubernetes (deploy/topics.yaml); this does it locally, as
the admin principal. A topic that exists already gets the declared retention too, so shortening
a channel topic's retention (KAFKA_CHANNEL_RETENTION_DAYS) reaches topics made before.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import for_code

from casekit.kafka.connection import KafkaConnection
from schemas.topics import Topic

TOPIC_ALREADY_EXISTS = 36


def declared_configs(topic: Topic) -> dict[str, str]:
    return {"retention.ms": str(topic.retention_ms)}


def _raise_for(errors: Iterable[tuple[int, str | None, str]], tolerated: frozenset[int] = frozenset()) -> None:
    for code, message, name in errors:
        if code and code not in tolerated:
            raise for_code(code)(f"{name}: {message or ''}")


async def topic_configs(admin: AIOKafkaAdminClient, names: Iterable[str]) -> dict[str, dict[str, str]]:
    """Each topic's current configuration as the broker reports it (defaults included)."""
    resources = [ConfigResource(ConfigResourceType.TOPIC, name) for name in names]
    configs: dict[str, dict[str, str]] = {}
    for response in await admin.describe_configs(resources):
        for resource in response.to_object()["resources"]:
            _raise_for([(resource["error_code"], resource["error_message"], resource["resource_name"])])
            entries: list[dict[str, Any]] = resource["config_entries"]
            configs[resource["resource_name"]] = {e["config_names"]: e["config_value"] for e in entries}
    return configs


async def _until_listed(admin: AIOKafkaAdminClient, names: set[str], within: float = 30) -> None:
    """The controller has committed new topics; wait until the broker serves them too."""
    deadline = time.monotonic() + within
    while missing := names - set(await admin.list_topics()):
        if time.monotonic() > deadline:
            raise TimeoutError(f"topics not served after {within}s: {sorted(missing)}")
        await asyncio.sleep(0.05)


async def ensure_topics(kafka: KafkaConnection, topics: Iterable[Topic], prefix: str = "") -> None:
    """Every topic exists, is served by the broker and has its declared retention."""
    wanted = {prefix + topic.name: topic for topic in topics}
    admin = AIOKafkaAdminClient(**kafka.client_kwargs())
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        new = [
            NewTopic(name, topic.partitions, 1, topic_configs=declared_configs(topic))
            for name, topic in wanted.items()
            if name not in existing
        ]
        if new:
            created = (await admin.create_topics(new)).to_object()
            errors = [(t["error_code"], t.get("error_message"), t["topic"]) for t in created["topic_errors"]]
            _raise_for(errors, frozenset({TOPIC_ALREADY_EXISTS}))
            # Another replica or test may have been quicker: that topic exists, its config to check.
            existing |= {name for code, _, name in errors if code == TOPIC_ALREADY_EXISTS}
            await _until_listed(admin, set(wanted))
        current = await topic_configs(admin, [name for name in wanted if name in existing])
        drifted = [
            ConfigResource(ConfigResourceType.TOPIC, name, declared_configs(wanted[name]))
            for name, config in current.items()
            if any(config.get(key) != value for key, value in declared_configs(wanted[name]).items())
        ]
        if drifted:
            for response in await admin.alter_configs(drifted):
                answer = response.to_object()["resources"]
                _raise_for([(r["error_code"], r["error_message"], r["resource_name"]) for r in answer])
    finally:
        await admin.close()
