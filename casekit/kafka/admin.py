"""Create the topics a deployment needs (Strimzi does it in Kubernetes; this does it locally)."""

from __future__ import annotations

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
            NewTopic(prefix + topic.name, topic.partitions, 1,
                     topic_configs={"retention.ms": str(topic.retention_ms)})
            for topic in topics if prefix + topic.name not in existing
        ]
        if wanted:
            try:
                await admin.create_topics(wanted)
            except TopicAlreadyExistsError:  # another replica was quicker
                pass
    finally:
        await admin.close()
