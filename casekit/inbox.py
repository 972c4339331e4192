"""The inbox: which messages a consumer has handled, recorded with the handling's effects.

The check runs first and the record last so that an event append, if the handler makes
one, stays the transaction's first write (ADR 0002). Two consumers racing on the same
message both pass the check; the second blocks on the primary key and rolls back.
"""

from casekit.eventstore import Connection

SEEN = "SELECT 1 FROM inbox WHERE consumer = $1 AND message_id = $2"
RECORD = "INSERT INTO inbox (consumer, message_id) VALUES ($1, $2)"


async def seen(conn: Connection, consumer: str, message_id: str) -> bool:
    return await conn.fetchval(SEEN, consumer, message_id) is not None


async def record(conn: Connection, consumer: str, message_id: str) -> None:
    await conn.execute(RECORD, consumer, message_id)


SEEN_MANY = (
    "SELECT coalesce(array_agg(message_id), '{}') FROM inbox WHERE consumer = $1 AND message_id = ANY($2::text[])"
)
RECORD_MANY = "INSERT INTO inbox (consumer, message_id) SELECT $1, unnest($2::text[])"


async def seen_among(conn: Connection, consumer: str, message_ids: list[str]) -> set[str]:
    """Which of `message_ids` the consumer has handled: one round trip for a batch."""
    return set(await conn.fetchval(SEEN_MANY, consumer, message_ids))


async def record_many(conn: Connection, consumer: str, message_ids: list[str]) -> None:
    await conn.execute(RECORD_MANY, consumer, message_ids)
