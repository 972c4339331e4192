"""The Kafka producer every service uses: idempotent, all replicas acknowledge."""

from aiokafka import AIOKafkaProducer

from casekit.kafka.connection import KafkaConnection


def create_producer(kafka: KafkaConnection, client_id: str) -> AIOKafkaProducer:
    # Idempotence keeps a retried batch from landing twice and keeps per-key order. Since
    # Kafka 3.0 it needs only WRITE on a topic, no cluster-wide IDEMPOTENT_WRITE (KIP-679).
    return AIOKafkaProducer(
        **kafka.client_kwargs(),
        client_id=client_id,
        enable_idempotence=True,
        acks="all",
        linger_ms=5,
        request_timeout_ms=15000,
    )
