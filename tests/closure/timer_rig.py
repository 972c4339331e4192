"""Closure's timers under test: a closure schema of its own, cases opened by the real reactions to
Dispatch's events, and the real timer worker, started and stopped like an instance.

Time passes by moving a timer's job `due_at` to now: the handlers decide against the case's
state, never the clock, so a timer fired early decides exactly what it would have at its time.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from uuid import UUID

import asyncpg
import orjson
import pytest

from casekit.db import create_pool, migrate
from casekit.dbroles import role_url
from casekit.envelope import EventMeta, utc_now
from casekit.eventstore import Connection, EventStore
from casekit.eventtypes import EventTypes
from casekit.jobs_worker import JobPolicy, JobWorker
from casekit.metrics import Metrics
from cityconfig import City, load_city
from devstack.stack import Stack
from schemas.base import Event
from schemas.closure import CLOSURE_EVENTS
from schemas.dispatch import CaseRouted, RoutingReason, StageLimits, TimeLimit
from services.closure.adapters.timers import timer_worker_on
from services.closure.adapters.views.case_numbers import SqlCaseNumbers
from services.closure.adapters.views.cases import SqlCases
from services.closure.application import reactions
from services.closure.application.commands import run
from services.closure.application.context import Closure
from services.closure.application.timers import QUEUE
from services.closure.domain.closure import CaseClosure, stream_id
from services.closure.domain.deadlines import ClosureRules
from services.closure.main import MIGRATIONS
from tests.conftest import SERVICE_ROLES
from tests.dispatch.city_fixture import GRID, write_city

T = TypeVar("T")
UNIT = "cm-320302001002-sanitation"
IN_MINUTES = StageLimits(disposal=TimeLimit(amount=60, unit="minutes"))
"""Disposal within an hour of clock time: warned at 48 minutes, overdue at 60."""
ESCALATE_AFTER = TimeLimit(amount=30, unit="minutes")
DISPATCH = EventMeta.by("system:dispatch")
Reaction = Callable[[Any, Closure, EventMeta, Connection], Awaitable[None]]


def fast_policy(*, concurrency: int = 8, lease: float = 30.0) -> JobPolicy:
    return JobPolicy(lease=timedelta(seconds=lease), concurrency=concurrency, poll_seconds=0.05,
                     backoff_seconds=0.01, max_backoff_seconds=0.05, stop_grace_seconds=1.0)  # fmt: skip


def routed(case_id: UUID, at: datetime, limits: StageLimits | None = IN_MINUTES, area: str = GRID) -> CaseRouted:
    """Dispatch's 派遣 of a case to a community station (so 督办 goes to its street)."""
    reason = RoutingReason(rule_id="r1", rule="环卫 at the community", category_code="06010", urgency="normal",
                           area_code=area, area_level="grid", lead_trade="sanitation", level="community")  # fmt: skip
    return CaseRouted(case_id=case_id, unit_code=UNIT, unit_name="万通社区工作站·环卫", category_code="06010",
                      rule="r1", routed_at=at, reason=reason, limits=limits, urgency="normal")  # fmt: skip


def closure_of(pool: asyncpg.Pool, city: City) -> Closure:
    rules = ClosureRules(city.calendar, 0.8, ESCALATE_AFTER)
    return Closure(EventStore(pool, EventTypes(list(CLOSURE_EVENTS))), city, rules, SqlCases(), SqlCaseNumbers())


@pytest.fixture(scope="session")
def timer_city(tmp_path_factory: pytest.TempPathFactory) -> City:
    return load_city(write_city(Path(tmp_path_factory.mktemp("timer-city")) / "city"))


@dataclass
class Rig:
    """One Closure database; `closure` is an instance's context on `pool`."""

    url: str
    pool: asyncpg.Pool
    closure: Closure

    async def react(self, reaction: Reaction, event: Event) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            await reaction(event, self.closure, DISPATCH, conn)

    async def decide(self, case_id: UUID, decide: Callable[[CaseClosure], Sequence[Event]], actor: str) -> None:
        """A person's decision on the case through the use cases' `run` (timers follow in its transaction)."""
        async with self.pool.acquire() as conn, conn.transaction():
            await run(self.closure, case_id, decide, EventMeta.by(actor), conn)

    async def route(self, at: datetime | None = None, limits: StageLimits | None = IN_MINUTES) -> UUID:
        case_id = uuid.uuid4()
        await self.react(reactions.on_case_routed, routed(case_id, at or utc_now(), limits))
        return case_id

    async def due_now(self, kind: str, case_id: UUID | None = None, stage: str = "disposal") -> int:
        """Time passes: the pending `kind` timers (of one case, or all) are due now; how many."""
        result = await self.pool.execute(
            """UPDATE jobs SET due_at = now() WHERE queue = $1 AND state = 'pending' AND payload->>'kind' = $2
               AND payload->>'stage' = $3 AND ($4::uuid IS NULL OR correlation_id = $4)""",
            QUEUE, kind, stage, case_id,
        )  # fmt: skip
        return int(result.split()[-1])

    async def events(self, case_id: UUID) -> list[Event]:
        return list((await self.closure.store.read_stream(stream_id(case_id))).events)

    async def counts(self, case_id: UUID) -> Counter[str]:
        return Counter(type(event).__name__ for event in await self.events(case_id))

    async def counts_by_case(self) -> dict[UUID, Counter[str]]:
        rows = await self.pool.fetch("SELECT stream_id, type FROM events WHERE stream_id LIKE 'closure-%'")
        found: dict[UUID, Counter[str]] = {}
        for row in rows:
            found.setdefault(UUID(row["stream_id"].removeprefix("closure-")), Counter())[
                row["type"].rpartition(".")[2]
            ] += 1
        return found

    async def timers(self, case_id: UUID, state: str | None = None) -> list[tuple[str, str, datetime, datetime]]:
        """The case's timers as (kind, state, the deadline's due instant, when the job is due), oldest first."""
        rows = await self.pool.fetch(
            "SELECT payload, state, due_at FROM jobs WHERE queue = $1 AND correlation_id = $2"
            " AND ($3::text IS NULL OR state = $3) ORDER BY id",
            QUEUE, case_id, state,
        )  # fmt: skip
        return [(p["kind"], r["state"], datetime.fromisoformat(p["due_at"]), r["due_at"])
                for r in rows for p in [_json(r["payload"])]]  # fmt: skip

    async def states(self) -> Counter[str]:
        rows = await self.pool.fetch("SELECT state, count(*) FROM jobs WHERE queue = $1 GROUP BY state", QUEUE)
        return Counter({row[0]: row[1] for row in rows})


def _json(value: str) -> dict[str, Any]:
    parsed: dict[str, Any] = orjson.loads(value)
    return parsed


async def closure_pool(url: str, max_size: int = 12) -> asyncpg.Pool:
    await migrate(url, "closure", MIGRATIONS)
    return await create_pool(url, "closure", max_size=max_size)


@pytest.fixture
async def rig(stack: Stack, database: str, timer_city: City) -> AsyncIterator[Rig]:
    url = role_url(database, SERVICE_ROLES["closure"])
    pool = await closure_pool(url)
    yield Rig(url, pool, closure_of(pool, timer_city))
    await pool.close()


@contextlib.asynccontextmanager
async def instance(
    rig: Rig, policy: JobPolicy | None = None, pool: asyncpg.Pool | None = None
) -> AsyncIterator[tuple[JobWorker, asyncio.Task[None]]]:
    """A Closure instance's timer worker (on a pool of its own, if given), stopped at the end."""
    on = pool or rig.pool
    worker = timer_worker_on(on, Metrics().registry, closure_of(on, rig.closure.city), policy or fast_policy())
    task = asyncio.create_task(worker.run(), name="closure-timers")
    try:
        yield worker, task
    finally:
        await worker.stop()
        await asyncio.gather(task, return_exceptions=True)
