"""Real PostgreSQL and real Kafka for every test, started once per session (STYLE.md, Tests)."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import httpx
import pytest
from aiokafka.admin import AIOKafkaAdminClient
from fastapi import FastAPI

from casekit.db import create_pool, migrate
from casekit.dbroles import ServiceRole, ensure_roles, ensure_schemas, role_url
from devstack.issuer import DemoIssuer
from devstack.kafka_acls import provision
from devstack.postgres import EmbeddedPostgres
from devstack.stack import Stack, start_stack
from schemas.access import ADMIN
from schemas.topics import ALL_TOPICS

T = TypeVar("T")
ROOT = Path(__file__).resolve().parent.parent
TEST_PII_KEY = base64.b64encode(b"k" * 32).decode()
SERVICE_ROLES = {
    name: ServiceRole(name, f"{name}-test-password") for name in ("intake", "dispatch", "closure", "analytics")
}
"""Each service's own PostgreSQL role on the tests' server (ADR 0011), its schema in every `database`."""
ISSUER = DemoIssuer(Path(tempfile.mkdtemp(prefix="issuer-")))
"""The tests' identity provider: services under test trust its JWKS file."""


def bearer(role: str | list[str] = ADMIN, **claims: Any) -> dict[str, str]:
    """Headers carrying a person's token: `bearer("unit_staff", unit="sanitation")`."""
    return {"Authorization": f"Bearer {ISSUER.person(role, **claims)}"}


def system_bearer(client: str, scopes: Sequence[str], channels: Sequence[str] = ()) -> dict[str, str]:
    """Headers carrying a system's client-credentials token."""
    return {"Authorization": f"Bearer {ISSUER.system(client, scopes, channels)}"}


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with start_stack(tmp_path_factory.mktemp("stack")) as running:
        asyncio.run(ensure_roles(running.database_url, list(SERVICE_ROLES.values())))
        yield running


def database_url(base: str, name: str) -> str:
    head, _, _ = base.rpartition("/")
    return f"{head}/{name}"


@pytest.fixture
async def database(stack: Stack) -> str:
    """A fresh database of its own for each test, with each service's schema owned by its role.

    The URL is the superuser's; `service_env(…, service)` connects as the service's role.
    """
    return await fresh_database(stack)


async def fresh_database(stack: Stack) -> str:
    """A new database on the stack's server, each service's schema in it owned by its role."""
    url = await create_database(stack)
    await ensure_schemas(stack.database_url, url.rpartition("/")[2], list(SERVICE_ROLES.values()))
    return url


async def create_database(stack: Stack) -> str:
    """A new, empty database on the stack's server (nothing provisioned); its superuser URL."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(stack.database_url)
    try:
        await admin.execute(f"CREATE DATABASE {name}")
    finally:
        await admin.close()
    return database_url(stack.database_url, name)


@pytest.fixture
async def pool(database: str) -> AsyncIterator[asyncpg.Pool]:
    await migrate(database, "casekit_test")
    created = await create_pool(database, "casekit_test", max_size=12)
    yield created
    await created.close()


@pytest.fixture
def prefix() -> str:
    """A topic and group prefix per test, so tests never see each other's messages."""
    return f"t{uuid.uuid4().hex[:10]}."


async def eventually(check: Callable[[], Awaitable[T]], within: float = 20.0) -> T:
    """Poll `check` until it returns without AssertionError; never a bare sleep."""
    deadline = time.monotonic() + within
    while True:
        try:
            return await check()
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.05)


def once_back(query: Callable[[], Awaitable[T]]) -> Callable[[], Awaitable[T]]:
    """`query` for `eventually` while a server restarts: the test's own connections see it go away too."""

    async def attempt() -> T:
        try:
            return await query()
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError) as error:
            raise AssertionError(f"database not back yet: {error!r}") from error

    return attempt


@pytest.fixture
def own_postgres(tmp_path: Path) -> Iterator[EmbeddedPostgres]:
    """A server of this test's own, so restarting it disturbs no other test."""
    server = EmbeddedPostgres(tmp_path / "pg").start()
    yield server
    server.stop()


@contextlib.asynccontextmanager
async def running(app: FastAPI, headers: dict[str, str] | None = None) -> AsyncIterator[httpx.AsyncClient]:
    """A service started through its real lifespan, with an HTTP client on it.

    The client acts as an admin unless `headers` say otherwise (`{}`: no credentials at all).
    """
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        headers = bearer(ADMIN) if headers is None else headers
        async with httpx.AsyncClient(transport=transport, base_url="http://test", headers=headers) as client:
            yield client


def service_env(stack: Stack, database: str, prefix: str, service: str) -> dict[str, Any]:
    """Settings for `service` under test: a fresh database, a private topic prefix, its own
    Kafka user and its own PostgreSQL role (ADR 0010, 0011)."""
    return {
        "DATABASE_URL": role_url(database, SERVICE_ROLES[service]),
        **stack.kafka_user(service).environment(),
        "KAFKA_TOPIC_PREFIX": prefix,
        "INTAKE_PII_KEY": TEST_PII_KEY,
        "ACCESS_JWKS_FILE": str(ISSUER.jwks_file),
        "ACCESS_KEY_CACHE_SECONDS": "0",  # a revoked key is refused at once, so tests need not wait
        "ACCESS_RATE_PER_CALLER": "100000/minute",
        "ACCESS_RATE_PER_ADDRESS": "100000/minute",
    }


@pytest.fixture
async def topics_for(stack: Stack, prefix: str) -> AsyncIterator[str]:
    """Every topic under the test's prefix, and every Kafka user's ACLs on them (ADR 0010); deleted after
    the test (its services are stopped by then), else the one broker runs out of file handles."""
    await provision(stack, ALL_TOPICS, prefix)
    yield prefix
    await delete_topics(stack, prefix)


async def delete_topics(stack: Stack, prefix: str) -> None:
    admin = AIOKafkaAdminClient(**stack.kafka_admin.client_kwargs())
    await admin.start()
    try:
        mine = [name for name in await admin.list_topics() if name.startswith(prefix)]
        if mine:
            await admin.delete_topics(mine)
    finally:
        await admin.close()
