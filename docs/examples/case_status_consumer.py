"""Print each case's status changes from the platform's domain topics.

A minimal, runnable consumer for the city operations platform (城市运管服平台) and other
departments; see docs/consumers.md. Needs only aiokafka:

    pip install aiokafka
    python case_status_consumer.py --bootstrap-servers kafka:9092 --group city-ops.status \
        --username city-ops --password "$KAFKA_PASSWORD"

The broker wants SASL/SCRAM-SHA-512 and lets a user read only what its ACLs allow: the
`city-ops` user reads the three domain topics with groups named `city-ops…` (ADR 0010).
"""

from __future__ import annotations

import argparse
import asyncio
import json
from typing import Any

from aiokafka import AIOKafkaConsumer

TOPICS = ("cases.intake.v1", "cases.dispatch.v1", "cases.closure.v1")


def status_line(event_type: str, data: dict[str, Any]) -> str | None:
    """A human line for the events we know; None for types this consumer ignores (tolerant reader)."""
    case = data.get("case_id")
    if event_type == "intake.ReportReceived":
        return f"{case} received via {data['channel']}: {data['category_code']} {data['description']}"
    if event_type == "dispatch.CaseRouted":
        return f"{case} routed to {data['unit_name']} ({data['unit_code']})"
    if event_type == "dispatch.CaseSignedFor" and data.get("role") == "lead":
        return f"{case} signed for by {data['unit_code']}"
    if event_type == "dispatch.CaseReturned":
        return f"{case} returned by {data['unit_code']}: {data['reason']}"
    if event_type == "closure.ClosureOpened":
        return f"{case} opened for disposal by {data['unit_code']}"
    return None


async def run(
    bootstrap_servers: str, group: str, prefix: str = "", max_messages: int | None = None, **security: Any
) -> int:
    """`security`: aiokafka's security_protocol, sasl_mechanism, sasl_plain_username and _password."""
    consumer = AIOKafkaConsumer(
        *(prefix + topic for topic in TOPICS),
        bootstrap_servers=bootstrap_servers,
        **security,
        group_id=group,
        auto_offset_reset="earliest",  # a new group replays every topic from the beginning
        enable_auto_commit=False,
    )
    await consumer.start()
    seen: set[str] = set()  # delivery is at-least-once: deduplicate by ce_id (keep this durable in production)
    handled = 0
    try:
        async for record in consumer:
            headers = {key: value.decode() for key, value in record.headers}
            if headers["ce_id"] not in seen:
                seen.add(headers["ce_id"])
                line = status_line(headers["ce_type"], json.loads(record.value or b"{}"))
                if line:
                    print(line, flush=True)
            await consumer.commit()
            handled += 1
            if max_messages is not None and handled >= max_messages:
                break
    finally:
        await consumer.stop()
    return handled


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap-servers", default="127.0.0.1:9092")
    parser.add_argument("--group", default="city-ops.case-status-printer")
    parser.add_argument("--username", help="SCRAM user (no SASL without one)")
    parser.add_argument("--password")
    parser.add_argument("--topic-prefix", default="")
    parser.add_argument("--max-messages", type=int)
    args = parser.parse_args()
    security: dict[str, Any] = {}
    if args.username:
        security = {
            "security_protocol": "SASL_PLAINTEXT",
            "sasl_mechanism": "SCRAM-SHA-512",
            "sasl_plain_username": args.username,
            "sasl_plain_password": args.password,
        }
    asyncio.run(run(args.bootstrap_servers, args.group, args.topic_prefix, args.max_messages, **security))


if __name__ == "__main__":
    main()
