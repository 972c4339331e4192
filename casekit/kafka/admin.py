"""Create the topics a deployment needs (Strimzi does it in Kubernetes; this does it locally)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from schemas.topics import Topic


async def ensure_topics(bootstrap_servers: str, topics: Iterable[Topic], prefix: str = "") -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = [
            NewTopic(prefix + topic.name, topic.partitions, 1, topic_configs={"retention.ms": str(topic.retention_ms)})
            for topic in topics
            if prefix + topic.name not in existing
        ]
        if wanted:
            with contextlib.suppress(TopicAlreadyExistsError):  # another replica was quicker
                await admin.create_topics(wanted)
    finally:
        await admin.close()
