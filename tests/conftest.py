"""Real PostgreSQL and real Kafka for every test, started once per session (STYLE.md, Tests)."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import TypeVar

import asyncpg
import pytest

from casekit.db import create_pool, migrate
from devstack.stack import Stack, start_stack

T = TypeVar("T")
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with start_stack(tmp_path_factory.mktemp("stack")) as running:
        yield running


def database_url(base: str, name: str) -> str:
    head, _, _ = base.rpartition("/")
    return f"{head}/{name}"


@pytest.fixture
async def database(stack: Stack) -> AsyncIterator[str]:
    """A fresh database of its own for each test."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(stack.database_url)
    try:
        await admin.execute(f"CREATE DATABASE {name}")
    finally:
        await admin.close()
    yield database_url(stack.database_url, name)


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


async def eventually(check: Callable[[], Awaitable[T]], timeout: float = 20.0) -> T:
    """Poll `check` until it returns without AssertionError; never a bare sleep."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return await check()
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.05)
