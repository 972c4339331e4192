"""A WHERE clause built one filter at a time, with numbered parameters ($1, $2 …) for asyncpg.

Views that search with optional filters (Intake's reports, the contact-read log) add a clause per
filter given; values always travel as parameters, never in the SQL text.
"""

from __future__ import annotations

from typing import Any


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
