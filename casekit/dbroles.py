"""Service roles (服务数据库角色): each service logs in as its own role and owns only its schema.

An administrator (a superuser) provisions them, every time before the services start
(`make run` does; in Kubernetes a Job, deploy/postgres-roles.yaml); it is idempotent:

- a LOGIN role per service, named like its schema, with a scram-sha-256 password and no
  other attribute (no superuser, no CREATEDB or CREATEROLE, no replication, no RLS bypass);
  an existing role gets the password again, so a new one is a rotation;
- in the given database: the schema `AUTHORIZATION` that role, or, if it exists (made by an
  administrator before roles, ADR 0011), the schema and everything in it handed to the role;
- PUBLIC loses every right on the database (connect, temporary tables) and on schema `public`;
  each role may connect again, and nothing more: no other service's schema, nowhere else to
  create an object.

    DATABASE_ADMIN_URL=postgresql://postgres:…@host/cases INTAKE_DB_PASSWORD=… \\
        python -m casekit.dbroles --database cases intake dispatch closure analytics
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import hmac
import os
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit, urlunsplit

import asyncpg

from casekit.db import check_schema_name

SCRAM_ITERATIONS = 4096  # PostgreSQL's default (scram_iterations)
_LOCK = "casekit.dbroles"


@dataclass(frozen=True)
class ServiceRole:
    """服务角色: one service's LOGIN role, named like the schema it owns."""

    name: str
    password: str = field(repr=False)

    def __post_init__(self) -> None:
        check_schema_name(self.name)


def scram_verifier(password: str, salt: bytes | None = None, iterations: int = SCRAM_ITERATIONS) -> str:
    """What PostgreSQL keeps for a scram-sha-256 password (RFC 5802, RFC 7677).

    Sent instead of the password itself, which so never reaches the server, its logs or
    pg_stat_statements. (SASLprep is the identity for the ASCII passwords we make.)
    """
    salt = salt if salt is not None else secrets.token_bytes(16)
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    client_key = hmac.digest(salted, b"Client Key", "sha256")
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.digest(salted, b"Server Key", "sha256")

    def b64(raw: bytes) -> str:
        return base64.b64encode(raw).decode()

    return f"SCRAM-SHA-256${iterations}:{b64(salt)}${b64(stored_key)}:{b64(server_key)}"


def role_url(url: str, role: ServiceRole, database: str | None = None) -> str:
    """`url` with the role's name and password instead of its user (and `database`, if named)."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    netloc = f"{quote(role.name, safe='')}:{quote(role.password, safe='')}@{host}"
    path = f"/{database}" if database is not None else parts.path
    return urlunsplit((parts.scheme, netloc, path, parts.query, parts.fragment))


def database_url(url: str, database: str) -> str:
    """`url` naming another database of the same server, the same user."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, parts.fragment))


async def ensure_roles(admin_url: str, roles: Sequence[ServiceRole]) -> None:
    """Each role exists, may log in with its password, and has no other attribute."""
    conn = await asyncpg.connect(admin_url)
    try:
        async with conn.transaction():
            # Roles are the cluster's: provisioners of two databases take turns.
            await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", _LOCK)
            for role in roles:
                exists = await conn.fetchval("SELECT EXISTS (SELECT FROM pg_roles WHERE rolname = $1)", role.name)
                verifier = scram_verifier(role.password)  # base64, '$' and ':': nothing to escape
                await conn.execute(
                    f"{'ALTER' if exists else 'CREATE'} ROLE {role.name} WITH LOGIN NOSUPERUSER NOCREATEDB "
                    f"NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD '{verifier}'"
                )
    finally:
        await conn.close()


# Objects in a schema that its role does not own yet. Tables go first: their identity and
# serial sequences follow them (and may not be handed over on their own).
_FOREIGN_RELATIONS = """
SELECT format('ALTER %s %s OWNER TO %I',
              CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE'
                             WHEN 'f' THEN 'FOREIGN TABLE' WHEN 'c' THEN 'TYPE' ELSE 'TABLE' END,
              c.oid::regclass, $2::text)
FROM pg_class c
WHERE c.relnamespace = $1::regnamespace AND c.relowner <> $2::regrole AND c.relkind::text = ANY($3::text[])
"""
_FOREIGN_ROUTINES = """
SELECT format('ALTER ROUTINE %s OWNER TO %I', p.oid::regprocedure, $2::text)
FROM pg_proc p
WHERE p.pronamespace = $1::regnamespace AND p.proowner <> $2::regrole AND p.prokind IN ('f', 'p', 'w')
"""
_FOREIGN_TYPES = """
SELECT format('ALTER TYPE %s OWNER TO %I', t.oid::regtype, $2::text)
FROM pg_type t
WHERE t.typnamespace = $1::regnamespace AND t.typowner <> $2::regrole AND t.typtype IN ('e', 'd', 'r')
"""


async def _hand_over(conn: asyncpg.Connection, schema: str) -> None:
    """The schema and what is in it become its role's: made by an administrator before roles."""
    await conn.execute(f"ALTER SCHEMA {schema} OWNER TO {schema}")
    for query, *kinds in (
        (_FOREIGN_RELATIONS, ["r", "p", "v", "m", "f", "c"]),
        (_FOREIGN_RELATIONS, ["S"]),
        (_FOREIGN_ROUTINES,),
        (_FOREIGN_TYPES,),
    ):
        for (statement,) in await conn.fetch(query, schema, schema, *kinds):
            await conn.execute(statement)


async def ensure_schemas(admin_url: str, database: str, roles: Sequence[ServiceRole]) -> None:
    """In `database`: each role's schema, its own; PUBLIC's rights gone; CONNECT for the roles."""
    database = check_schema_name(database)
    conn = await asyncpg.connect(database_url(admin_url, database))
    try:
        async with conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", f"{_LOCK}:{database}")
            await conn.execute(f"REVOKE ALL ON DATABASE {database} FROM PUBLIC")
            if await conn.fetchval("SELECT EXISTS (SELECT FROM pg_namespace WHERE nspname = 'public')"):
                await conn.execute("REVOKE ALL ON SCHEMA public FROM PUBLIC")
            for role in roles:
                await conn.execute(f"GRANT CONNECT ON DATABASE {database} TO {role.name}")
                if await conn.fetchval("SELECT EXISTS (SELECT FROM pg_namespace WHERE nspname = $1)", role.name):
                    await _hand_over(conn, role.name)
                else:
                    await conn.execute(f"CREATE SCHEMA {role.name} AUTHORIZATION {role.name}")
                await conn.execute(f"REVOKE ALL ON SCHEMA {role.name} FROM PUBLIC")
    finally:
        await conn.close()


async def provision(admin_url: str, database: str, roles: Sequence[ServiceRole]) -> None:
    """The roles, then their schemas in `database`; run as an administrator, as often as you like."""
    # Connected to `database` for the roles too: the admin URL may name none (CNPG's says `*`).
    await ensure_roles(database_url(admin_url, database), roles)
    await ensure_schemas(admin_url, database, roles)


def roles_from_environment(names: Sequence[str], environ: Mapping[str, str] = os.environ) -> list[ServiceRole]:
    """Each name's password from `<NAME>_DB_PASSWORD`; a missing one is an error, never a default."""
    missing = [f"{name.upper()}_DB_PASSWORD" for name in names if not environ.get(f"{name.upper()}_DB_PASSWORD")]
    if missing:
        raise SystemExit(f"no password in {', '.join(missing)}")
    return [ServiceRole(name, environ[f"{name.upper()}_DB_PASSWORD"]) for name in names]


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] = os.environ) -> None:
    parser = argparse.ArgumentParser(description="Create or update the services' roles and schemas.")
    parser.add_argument("--database", required=True, help="the database the services use")
    parser.add_argument("names", nargs="+", help="the services: each one's role and schema")
    args = parser.parse_args(argv)
    admin_url = environ.get("DATABASE_ADMIN_URL")
    if not admin_url:
        raise SystemExit("DATABASE_ADMIN_URL must name an administrator (a superuser)")
    roles = roles_from_environment(args.names, environ)
    asyncio.run(provision(admin_url, args.database, roles))
    print(f"provisioned in {args.database}: {', '.join(role.name for role in roles)}", flush=True)


if __name__ == "__main__":
    main()
