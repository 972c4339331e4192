"""The Kafka producer every service uses: idempotent, all replicas acknowledge."""

from aiokafka import AIOKafkaProducer


def create_producer(bootstrap_servers: str, client_id: str) -> AIOKafkaProducer:
    # Idempotence keeps a retried batch from landing twice and keeps per-key order.
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers,
        client_id=client_id,
        enable_idempotence=True,
        acks="all",
        linger_ms=5,
        request_timeout_ms=15000,
    )
