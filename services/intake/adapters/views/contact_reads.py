"""个人信息查阅记录 The personal-data access log: every disclosure of a reporter's contact, all its SQL.

`disclose` reads a case's sealed rows (`reporter_contacts`, `sealed_texts`, written with the
submission by adapters/submissions.py) and records the read in `contact_reads` in one
transaction: if the record cannot be written, nothing is shown. `search` is the auditor's query.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar
from uuid import UUID

import asyncpg

from casekit.errors import InvalidInput
from casekit.sql_filters import Filters, page

SEALED = """SELECT c.key_id AS contact_key_id, c.ciphertext AS contact, t.key_id AS text_key_id, t.ciphertext AS text
    FROM (SELECT $1::uuid AS case_id) AS wanted
    LEFT JOIN reporter_contacts c ON c.case_id = wanted.case_id
    LEFT JOIN sealed_texts t ON t.case_id = wanted.case_id"""
RECORD = """INSERT INTO contact_reads (case_id, case_number, actor, roles, purpose, disclosed, trace_id)
    VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id, read_at"""
T = TypeVar("T")
COLUMNS = "id, case_id, case_number, actor, roles, purpose, disclosed, trace_id, read_at"


@dataclass(frozen=True)
class SealedRows:
    """A case's personal data as stored: still encrypted, with the key each was sealed under."""

    contact_key_id: str | None
    contact: bytes | None
    text_key_id: str | None
    text: bytes | None


@dataclass(frozen=True)
class ContactRead:
    """One entry of the access log: who read which case's personal data, when, and why."""

    id: int
    case_id: UUID
    case_number: str
    actor: str
    roles: list[str]
    purpose: str | None
    disclosed: list[str]
    """What the reader was shown: the contact's fields (name, phone) and the free text's (description, ...)."""
    trace_id: str | None
    read_at: datetime


@dataclass(frozen=True)
class Reader:
    """Who reads, as the access log records them."""

    actor: str
    roles: Sequence[str]
    purpose: str | None
    trace_id: str | None


@dataclass(frozen=True)
class Revealed(Generic[T]):
    """What was opened, and the names of the fields in it (the log's `disclosed`)."""

    value: T
    disclosed: list[str]


@dataclass(frozen=True)
class ReadFilter:
    case_id: UUID | None = None
    case_number: str | None = None
    actor: str | None = None
    read_from: datetime | None = None
    read_to: datetime | None = None


async def disclose(
    pool: asyncpg.Pool, case_id: UUID, case_number: str, reader: Reader, reveal: Callable[[SealedRows], Revealed[T]]
) -> tuple[T, ContactRead]:
    """What `reveal` opens of the case's sealed rows, and the log entry of it, in one transaction.

    `reveal` runs inside it and names what it opened, so the entry says exactly what the caller
    is shown; if it fails (a key that cannot open the row), nothing is shown and nothing logged.
    """
    async with pool.acquire() as conn, conn.transaction():
        row = await conn.fetchrow(SEALED, case_id)
        assert row is not None  # the LEFT JOINs from one constant row always give one row
        revealed = reveal(SealedRows(**dict(row)))
        roles = sorted(reader.roles)
        entry = await conn.fetchrow(
            RECORD, case_id, case_number, reader.actor, roles, reader.purpose, revealed.disclosed, reader.trace_id
        )
    assert entry is not None
    logged = ContactRead(
        entry["id"], case_id, case_number, reader.actor, roles, reader.purpose, list(revealed.disclosed),
        reader.trace_id, entry["read_at"],
    )  # fmt: skip
    return revealed.value, logged


async def search(
    pool: asyncpg.Pool, filters: ReadFilter, cursor: str | None, limit: int
) -> tuple[list[ContactRead], str | None]:
    """Entries newest first, filtered, after an opaque cursor; the next cursor if there is more."""
    filtered = Filters()
    add = filtered.add
    if filters.case_id is not None:
        add("case_id = {}", filters.case_id)
    if filters.case_number is not None:
        add("case_number = {}", filters.case_number)
    if filters.actor is not None:
        add("actor = {}", filters.actor)
    if filters.read_from is not None:
        add("read_at >= {}", filters.read_from)
    if filters.read_to is not None:
        add("read_at < {}", filters.read_to)
    if cursor is not None:
        add("id < {}", _decode(cursor))
    sql = f"SELECT {COLUMNS} FROM contact_reads {filtered.where} ORDER BY id DESC LIMIT {filtered.param(limit + 1)}"
    rows = [ContactRead(**dict(row)) for row in await pool.fetch(sql, *filtered.args)]
    return page(rows, limit, lambda last: str(last.id))


def _decode(cursor: str) -> int:
    # Ids are the order of the log; a cursor is the last id of the page before.
    if not cursor.isascii() or not cursor.isdigit() or len(cursor) > 19:
        raise InvalidInput("not a cursor this API gave out", path="/query/cursor", rule="cursor")
    return int(cursor)
