"""A synthetic history for Analytics' benchmark: each case's events in the three services' stores.

Every case goes the whole loop (report → assignment → routing → sign-for → disposal →
verification → closing → call-back), its events made from the contracts' own examples with the
case's id, number, grid and times, and appended as `import:legacy` (so no service reacts) through
each service's real event store; each service's real outbox relay then publishes them with the
headers consumers read (ce_time, ce_recordedtime, ce_actor…).
"""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
from aiokafka import AIOKafkaProducer

from casekit.db import create_pool, migrate
from casekit.envelope import EventMeta
from casekit.eventstore import EventStore
from casekit.eventtypes import EventTypes
from casekit.imports import LEGACY_IMPORT
from casekit.kafka.connection import KafkaConnection
from casekit.kafka.producer import create_producer
from casekit.metrics import Metrics
from casekit.outbox import Relay
from cityconfig.city import DEFAULT_CITY, load_city
from schemas import topics
from schemas.base import Event
from schemas.catalog import ALL_EVENTS
from schemas.closure import CallbackRecorded, CaseClosed, ClosureOpened, DisposalReported, VerificationPassed
from schemas.dispatch import AssignmentOpened, CaseRouted, CaseSignedFor
from schemas.examples import EXAMPLES
from schemas.intake import ReportReceived

SERVICES = {"intake": topics.INTAKE_EVENTS, "dispatch": topics.DISPATCH_EVENTS, "closure": topics.CLOSURE_EVENTS}
HISTORY: tuple[tuple[str, type[Event], timedelta], ...] = (
    ("intake", ReportReceived, timedelta()),
    ("dispatch", AssignmentOpened, timedelta(seconds=1)),
    ("dispatch", CaseRouted, timedelta(seconds=2)),
    ("dispatch", CaseSignedFor, timedelta(minutes=20)),
    ("closure", ClosureOpened, timedelta(seconds=3)),
    ("closure", DisposalReported, timedelta(hours=3)),
    ("closure", VerificationPassed, timedelta(hours=4)),
    ("closure", CaseClosed, timedelta(hours=4)),
    ("closure", CallbackRecorded, timedelta(hours=26)),
)
EVENTS_PER_CASE = len(HISTORY)
TIME_FIELDS = ("received_at", "opened_at", "routed_at", "signed_at", "reported_at", "verified_at", "closed_at",
               "called_at", "recorded_at", "disposed_at")  # fmt: skip
SPAN = timedelta(days=90)


def case_events(
    case_id: uuid.UUID, number: int, grid: str, category: str, reported: datetime
) -> dict[str, list[Event]]:
    """One case's history per service, each event an example with this case's facts."""
    per_service: dict[str, list[Event]] = {service: [] for service in SERVICES}
    place = {"district_code": grid[:6], "street_code": grid[:9], "community_code": grid[:12], "grid_code": grid}
    for service, event_class, after in HISTORY:
        example = EXAMPLES[event_class]
        update: dict[str, Any] = {"case_id": case_id}
        for name in TIME_FIELDS:
            if name in event_class.model_fields and getattr(example, name, None) is not None:
                update[name] = reported + after
        if "case_number" in event_class.model_fields:
            update["case_number"] = f"HL-{reported:%Y%m%d}-{number:06d}"
        if "category_code" in event_class.model_fields:
            update["category_code"] = category
        if event_class is ReportReceived:
            update["place"] = example.place.model_copy(update=place)  # type: ignore[attr-defined]
        event = example.model_copy(update=update)
        assert isinstance(event, Event)
        per_service[service].append(event)
    return per_service


async def append_history(url: str, cases: int, seed: int = 12) -> dict[str, int]:
    """`cases` whole histories in each service's schema of the database at `url`; events per service."""
    city = load_city(DEFAULT_CITY)
    grids = sorted(code for code, j in city.jurisdictions.items() if j.level == "grid")
    categories = ["06010", "06011", "06012", "01002", "09001", "08001"]
    rng = random.Random(seed)
    start = datetime(2026, 9, 1, tzinfo=UTC)
    counts = dict.fromkeys(SERVICES, 0)
    pools = {}
    for service in SERVICES:
        await migrate(url, service)
        pools[service] = await create_pool(url, service, max_size=8)
    stores = {service: EventStore(pool, EventTypes(ALL_EVENTS)) for service, pool in pools.items()}
    try:
        semaphore = asyncio.Semaphore(16)

        async def one(n: int) -> None:
            reported = start + SPAN * rng.random()
            case_id = uuid.uuid4()
            history = case_events(case_id, n, rng.choice(grids), rng.choice(categories), reported)
            meta = EventMeta(LEGACY_IMPORT, correlation_id=case_id).at(reported)
            async with semaphore:
                for service, events in history.items():
                    await stores[service].append(f"{service}-{case_id}", events, meta=meta, expected_version=0)
                    counts[service] += len(events)

        await asyncio.gather(*(one(n) for n in range(cases)))
    finally:
        for pool in pools.values():
            await pool.close()
    return counts


async def publish_all(url: str, kafka: KafkaConnection, prefix: str, expected: dict[str, int]) -> None:
    """Each service's real relay publishes its store to its topic; returns once all of it is out."""
    producer: AIOKafkaProducer = create_producer(kafka, "bench-analytics")
    await producer.start()
    pools: list[asyncpg.Pool] = []
    relays: list[Relay] = []
    metrics = Metrics()
    try:
        for service, topic in SERVICES.items():
            pool = await create_pool(url, service, max_size=2)
            pools.append(pool)
            store = EventStore(pool, EventTypes(ALL_EVENTS))
            relays.append(Relay(name=service, store=store, producer=producer, topic=prefix + topic.name,
                                source=f"/city-cases/{service}", metrics=metrics))  # fmt: skip
        tasks = [asyncio.create_task(relay.run()) for relay in relays]
        while True:
            published = {
                service: metrics.events_published.labels(prefix + topic.name)._value.get()
                for service, topic in SERVICES.items()
            }
            if all(published[service] >= count for service, count in expected.items()):
                break
            await asyncio.sleep(0.5)
        for relay in relays:
            await relay.stop()
        await asyncio.gather(*tasks, return_exceptions=True)
    finally:
        await producer.stop()
        for pool in pools:
            await pool.close()


def total(counts: dict[str, int]) -> int:
    return sum(counts.values())


def topics_of(prefix: str) -> Sequence[str]:
    return [prefix + topic.name for topic in SERVICES.values()]
