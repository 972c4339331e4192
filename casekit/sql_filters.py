"""A WHERE clause built one filter at a time, with numbered parameters ($1, $2 …) for asyncpg.

Views that search with optional filters (Intake's reports, the contact-read log) add a clause per
filter given; values always travel as parameters, never in the SQL text.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

from casekit.errors import InvalidInput

R = TypeVar("R")


class Filters:
    def __init__(self) -> None:
        self.clauses: list[str] = []
        self.args: list[Any] = []

    def param(self, value: Any) -> str:
        """A placeholder for `value`, for SQL outside the WHERE clause (a LIMIT)."""
        self.args.append(value)
        return f"${len(self.args)}"

    def add(self, clause: str, *values: Any) -> None:
        """`clause` with one `{}` per value, e.g. `add("(at, id) < ({}, {})", at, id_)`."""
        self.clauses.append(clause.format(*(self.param(value) for value in values)))

    @property
    def where(self) -> str:
        return f"WHERE {' AND '.join(self.clauses)}" if self.clauses else ""


def encode_cursor(at: datetime, row_id: UUID) -> str:
    """An opaque keyset cursor: the (instant, id) of the last row a page gave."""
    return base64.urlsafe_b64encode(f"{at.isoformat()}|{row_id}".encode()).decode()


def decode_cursor(cursor: str) -> tuple[datetime, UUID]:
    try:
        at, row_id = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        return datetime.fromisoformat(at), UUID(row_id)
    except ValueError:
        raise InvalidInput("not a cursor this API gave out", path="/query/cursor", rule="cursor") from None


def page(rows: Sequence[R], limit: int, cursor_of: Callable[[R], str]) -> tuple[list[R], str | None]:
    """A page of a keyset query that fetched `limit + 1` rows: the first `limit`, and the cursor after them
    if there was more."""
    if len(rows) <= limit:
        return list(rows), None
    return list(rows[:limit]), cursor_of(rows[limit - 1])
