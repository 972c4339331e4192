"""Connection pools and migrations, one PostgreSQL schema per service."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import asyncpg

CASEKIT_SQL = Path(__file__).parent / "sql"
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")


def check_schema_name(schema: str) -> str:
    if not _IDENTIFIER.match(schema):
        raise ValueError(f"not a plain schema name: {schema!r}")
    return schema


async def keep_session(_: asyncpg.Connection) -> None:
    """Skip asyncpg's reset query on release (a round trip each time, a third of a request's).

    Our code changes no session state; the one session-level lock, the relay's lease, is
    released by the relay itself. asyncpg still rolls back a transaction left open.
    """


async def create_pool(url: str, schema: str, *, min_size: int = 1, max_size: int = 10) -> asyncpg.Pool:
    """A pool whose connections see only this service's schema."""
    pool = await asyncpg.create_pool(
        url,
        min_size=min_size,
        max_size=max_size,
        server_settings={"search_path": check_schema_name(schema), "application_name": schema},
        reset=keep_session,
    )
    assert pool is not None
    return pool


async def migrate(url: str, schema: str, directories: Iterable[Path] = ()) -> list[str]:
    """Apply the plumbing's SQL, then the service's, each file once, in name order.

    As the service's own role, the schema must exist and be the role's (provisioned); as a
    superuser (tests, tools), it is created when missing.
    """
    schema = check_schema_name(schema)
    conn = await asyncpg.connect(url)
    applied: list[str] = []
    try:
        async with conn.transaction():
            # Replicas start together; one migrates, the others wait and find nothing to do.
            await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", f"migrate:{schema}")
            # A service's own role owns its schema but may not create one (casekit/dbroles.py):
            # CREATE SCHEMA IF NOT EXISTS checks that right first, so only ask when it is missing.
            if not await conn.fetchval("SELECT EXISTS (SELECT FROM pg_namespace WHERE nspname = $1)", schema):
                try:
                    await conn.execute(f"CREATE SCHEMA {schema}")
                except asyncpg.InsufficientPrivilegeError as denied:
                    raise PermissionError(
                        f"schema {schema} does not exist and this role may not create it: "
                        "provision it first (python -m casekit.dbroles, ADR 0011)"
                    ) from denied
            await conn.execute(f"SET LOCAL search_path = {schema}")
            await conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations "
                "(name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
            )
            done = {row[0] for row in await conn.fetch("SELECT name FROM schema_migrations")}
            for directory in (CASEKIT_SQL, *directories):
                for path in sorted(directory.glob("*.sql")):
                    name = f"{directory.parent.name}/{path.name}"
                    if name in done:
                        continue
                    await conn.execute(path.read_text())
                    await conn.execute("INSERT INTO schema_migrations (name) VALUES ($1)", name)
                    applied.append(name)
    finally:
        await conn.close()
    return applied
