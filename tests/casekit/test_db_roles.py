"""Each service connects as its own role, with a password, and owns only its schema (ADR 0011)."""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import pytest

from casekit.db import migrate
from casekit.dbroles import ServiceRole, database_url, ensure_schemas, provision, role_url
from devstack.pg_roles import provision_dev
from devstack.postgres import PASSWORD_FILE, EmbeddedPostgres
from devstack.stack import Stack
from services.intake.main import create_app
from services.intake.settings import IntakeSettings
from tests.conftest import ROOT, SERVICE_ROLES, create_database, running, service_env

INTAKE, DISPATCH = SERVICE_ROLES["intake"], SERVICE_ROLES["dispatch"]


def without_password(url: str) -> str:
    parts = urlsplit(url)
    user = parts.netloc.rpartition("@")[0].partition(":")[0]
    return parts._replace(netloc=f"{user}@{parts.netloc.rpartition('@')[2]}").geturl()


async def refused(url: str) -> str:
    with pytest.raises(asyncpg.InvalidPasswordError) as error:
        await asyncpg.connect(url)
    return str(error.value)


async def denied(conn: asyncpg.Connection, sql: str) -> str:
    with pytest.raises(asyncpg.InsufficientPrivilegeError) as error:
        await conn.execute(sql)
    return str(error.value)


async def test_no_password_or_a_wrong_one_is_refused_for_the_superuser_and_a_service(database: str) -> None:
    intake = role_url(database, INTAKE)

    assert "password authentication failed" in await refused(without_password(database))
    assert "password authentication failed" in await refused(without_password(intake))
    assert "password authentication failed" in await refused(role_url(database, ServiceRole("intake", "wrong")))
    conn = await asyncpg.connect(intake)
    try:
        assert await conn.fetchval("SELECT current_user") == "intake"
    finally:
        await conn.close()


async def test_the_intake_role_cannot_read_or_write_dispatchs_schema_nor_create_outside_its_own(
    database: str,
) -> None:
    await migrate(role_url(database, DISPATCH), "dispatch")
    conn = await asyncpg.connect(role_url(database, INTAKE))
    try:
        assert "permission denied for schema dispatch" in await denied(conn, "SELECT count(*) FROM dispatch.events")
        assert "permission denied for schema dispatch" in await denied(
            conn, "INSERT INTO dispatch.schema_migrations (name) VALUES ('x')"
        )
        assert "permission denied for schema dispatch" in await denied(conn, "CREATE TABLE dispatch.mine (a int)")
        assert "permission denied for schema public" in await denied(conn, "CREATE TABLE public.mine (a int)")
        assert "permission denied for database" in await denied(conn, "CREATE SCHEMA mine")
        assert "temporary tables" in await denied(conn, "CREATE TEMP TABLE mine (a int)")
        await conn.execute("CREATE TABLE intake.mine (a int)")  # its own schema: allowed
    finally:
        await conn.close()


async def test_a_role_may_not_create_its_schema_when_it_was_not_provisioned(stack: Stack) -> None:
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(stack.database_url)
    try:
        await admin.execute(f"CREATE DATABASE {name}")
        await admin.execute(f"GRANT CONNECT ON DATABASE {name} TO intake")
    finally:
        await admin.close()

    with pytest.raises(PermissionError, match="provision it first"):
        await migrate(role_url(database_url(stack.database_url, name), INTAKE), "intake")


async def test_intake_started_as_its_own_role_migrates_and_serves(stack: Stack, database: str, topics_for: str) -> None:
    app = create_app(IntakeSettings(**service_env(stack, database, topics_for, service="intake")))
    async with running(app) as intake:
        ready = await intake.get("/readyz")
        found = await intake.get("/open311/v2/requests.json")
        user = await app.state.runtime.pool.fetchval("SELECT current_user")

    assert (ready.status_code, found.status_code, found.json(), user) == (200, 200, [], "intake")
    admin = await asyncpg.connect(database)
    try:
        owners = await admin.fetch("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'intake'")
    finally:
        await admin.close()
    assert [row[0] for row in owners] == ["intake"]


async def foreign_objects(admin: asyncpg.Connection, schema: str) -> list[str]:
    """Whatever in `schema` its role does not own: relations, routines, types, the schema."""
    rows = await admin.fetch(
        """
        SELECT 'schema ' || nspname FROM pg_namespace WHERE nspname = $1 AND nspowner <> $1::regrole
        UNION ALL SELECT 'relation ' || relname FROM pg_class
            WHERE relnamespace = $1::regnamespace AND relowner <> $1::regrole
        UNION ALL SELECT 'routine ' || proname FROM pg_proc
            WHERE pronamespace = $1::regnamespace AND proowner <> $1::regrole
        UNION ALL SELECT 'type ' || typname FROM pg_type
            WHERE typnamespace = $1::regnamespace AND typowner <> $1::regrole
        """,
        schema,
    )
    return [row[0] for row in rows]


async def test_a_schema_the_superuser_made_before_roles_is_handed_over_whole(stack: Stack) -> None:
    url = await create_database(stack)
    await migrate(url, "intake")  # as the superuser, as every run did before roles
    admin = await asyncpg.connect(url)
    try:
        await admin.execute("CREATE TABLE intake.numbered (n bigint GENERATED ALWAYS AS IDENTITY, s serial)")
        await admin.execute("CREATE TYPE intake.mood AS ENUM ('calm')")
        before = await foreign_objects(admin, "intake")

        await ensure_schemas(stack.database_url, url.rpartition("/")[2], [INTAKE])
        after = await foreign_objects(admin, "intake")
    finally:
        await admin.close()

    assert {"schema intake", "relation events", "routine append_events", "type mood"} <= set(before)
    assert after == []
    assert await migrate(role_url(url, INTAKE), "intake") == []  # nothing left to do, and allowed to look


async def test_provisioning_again_rotates_the_password_and_keeps_the_schema(stack: Stack, database: str) -> None:
    name = urlsplit(database).path.lstrip("/")
    await migrate(role_url(database, INTAKE), "intake")
    rotated = ServiceRole("intake", "a-new-test-password")
    try:
        await provision(stack.database_url, name, [rotated])

        assert "password authentication failed" in await refused(role_url(database, INTAKE))
        conn = await asyncpg.connect(role_url(database, rotated))
        try:
            assert await conn.fetchval("SELECT count(*) FROM intake.schema_migrations") > 0
        finally:
            await conn.close()
    finally:
        await provision(stack.database_url, name, [INTAKE])  # the other tests' password again


async def test_the_provisioning_command_needs_every_password(stack: Stack, database: str) -> None:
    name = urlsplit(database).path.lstrip("/")
    env = {**os.environ, "DATABASE_ADMIN_URL": stack.database_url, "INTAKE_DB_PASSWORD": INTAKE.password}
    command = [sys.executable, "-m", "casekit.dbroles", "--database", name]

    async def run(*names: str) -> tuple[int, str]:
        process = await asyncio.create_subprocess_exec(
            *command, *names, env=env, cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
        )
        out, _ = await process.communicate()
        return process.returncode or 0, out.decode()

    assert await run("intake", "dispatch") == (1, "no password in DISPATCH_DB_PASSWORD\n")
    assert await run("intake") == (0, f"provisioned in {name}: intake\n")


async def test_a_data_directory_from_a_trust_run_gets_a_password_and_keeps_its_data(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    server = EmbeddedPostgres(tmp_path / "pg").start()
    try:
        admin = await asyncpg.connect(server.url)
        await admin.execute("CREATE TABLE kept (a int)")
        await admin.execute("ALTER ROLE postgres PASSWORD NULL")  # as initdb --auth=trust left it
        await admin.close()
    finally:
        server.stop()
    (server.data_dir / PASSWORD_FILE).unlink()
    (server.data_dir / "data" / "pg_hba.conf").write_text("local all all trust\nhost all all 127.0.0.1/32 trust\n")

    again = EmbeddedPostgres(server.data_dir).start()
    try:
        assert "had no superuser password" in capfd.readouterr().err
        assert (server.data_dir / PASSWORD_FILE).stat().st_mode & 0o777 == 0o600
        assert "password authentication failed" in await refused(without_password(again.url))
        with pytest.raises(asyncpg.InvalidPasswordError):  # the Unix socket too
            await asyncpg.connect(host=str(again.data_dir), port=again.port, user="postgres", database="postgres")
        admin = await asyncpg.connect(again.url)
        try:
            assert await admin.fetchval("SELECT count(*) FROM kept") == 0
        finally:
            await admin.close()
    finally:
        again.stop()


def file_modes(folder: Path) -> dict[str, int]:
    return {path.name: path.stat().st_mode & 0o777 for path in folder.iterdir()}


async def test_make_run_gives_each_service_its_own_role_and_keeps_the_passwords_0600(
    database: str, tmp_path: Path
) -> None:
    urls = await provision_dev(database, ["intake", "closure"], run_dir=tmp_path)
    again = await provision_dev(database, ["intake", "closure"], run_dir=tmp_path)
    try:
        users = {}
        for name, url in urls.items():
            conn = await asyncpg.connect(url)
            try:
                users[name] = await conn.fetchval("SELECT current_user")
            finally:
                await conn.close()
        modes = file_modes(tmp_path)
    finally:
        await provision(database, urlsplit(database).path.lstrip("/"), [INTAKE, SERVICE_ROLES["closure"]])

    assert users == {"intake": "intake", "closure": "closure"}
    assert again == urls  # the same passwords on the next run
    assert modes == {"pg-intake.password": 0o600, "pg-closure.password": 0o600}
