"""Real PostgreSQL and real Kafka for every test, started once per session (STYLE.md, Tests)."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import httpx
import pytest
from fastapi import FastAPI

from casekit.db import create_pool, migrate
from casekit.dbroles import ServiceRole, ensure_roles, ensure_schemas, role_url
from casekit.kafka.admin import ensure_topics
from devstack.stack import Stack, start_stack
from schemas.topics import ALL_TOPICS

T = TypeVar("T")
ROOT = Path(__file__).resolve().parent.parent
TEST_PII_KEY = base64.b64encode(b"k" * 32).decode()
SERVICE_ROLES = {
    name: ServiceRole(name, f"{name}-test-password") for name in ("intake", "dispatch", "closure", "analytics")
}
"""Each service's own PostgreSQL role on the tests' server (ADR 0011), its schema in every `database`."""


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

    The URL is the superuser's; `service_env(..., service=…)` connects as the service's role.
    """
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(stack.database_url)
    try:
        await admin.execute(f"CREATE DATABASE {name}")
    finally:
        await admin.close()
    await ensure_schemas(stack.database_url, name, list(SERVICE_ROLES.values()))
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


@contextlib.asynccontextmanager
async def running(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A service started through its real lifespan, with an HTTP client on it."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


def service_env(stack: Stack, database: str, prefix: str, service: str | None = None) -> dict[str, Any]:
    """Settings shared by every service under test: a fresh database, a private topic prefix.

    With `service`, it connects as that service's own role (as in production), else as the superuser.
    """
    return {
        "DATABASE_URL": role_url(database, SERVICE_ROLES[service]) if service else database,
        "KAFKA_BOOTSTRAP_SERVERS": stack.bootstrap_servers,
        "KAFKA_TOPIC_PREFIX": prefix,
        "INTAKE_PII_KEY": TEST_PII_KEY,
    }


@pytest.fixture
async def topics_for(stack: Stack, prefix: str) -> str:
    await ensure_topics(stack.bootstrap_servers, ALL_TOPICS, prefix)
    return prefix
