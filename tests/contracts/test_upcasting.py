"""A v1 event is still read as v2, from the event store (replay) and from Kafka."""

from __future__ import annotations

import contextlib
from uuid import uuid4

import asyncpg
import orjson

from casekit.envelope import EventMeta
from casekit.eventstore import EventStore
from casekit.eventtypes import EventTypes
from devstack.stack import Stack
from schemas.catalog import UPCASTERS
from schemas.examples import AT
from schemas.intake import ReceivedLocation, ReportReceived
from schemas.legacy import LocationV1, ReportReceivedV1
from services.dispatch.main import create_app as dispatch_app
from services.dispatch.settings import DispatchSettings
from services.intake.domain.report import stream_id
from services.intake.main import create_app as intake_app
from services.intake.settings import IntakeSettings
from tests.casekit.kafka_rig import read_topic
from tests.conftest import eventually, running, service_env


def v1_report(case_id: object) -> ReportReceivedV1:
    return ReportReceivedV1(
        case_id=case_id,
        channel="grid",
        category_code="04002",
        description="行道树倒伏",
        location=LocationV1(lat=34.2602, lon=117.2055),
        received_at=AT,
    )


async def test_a_v1_event_in_the_store_replays_as_v2(pool: asyncpg.Pool) -> None:
    store = EventStore(pool, EventTypes([ReportReceived], UPCASTERS))
    case_id = uuid4()
    await store.append(stream_id(case_id), [v1_report(case_id)], meta=EventMeta.by("old-release"), expected_version=0)

    [recorded] = await store.read_recorded(stream_id(case_id))
    [event] = (await store.read_stream(stream_id(case_id))).events

    assert recorded.schema_version == 1
    assert "crs" not in orjson.loads(recorded.data)["location"]
    assert isinstance(event, ReportReceived)
    assert event.location == ReceivedLocation(lat=34.2602, lon=117.2055, crs="WGS84")


async def test_a_v1_event_from_kafka_is_upcast_and_handled_downstream(
    stack: Stack, database: str, topics_for: str
) -> None:
    case_id = uuid4()
    intake = intake_app(IntakeSettings(**service_env(stack, database, topics_for, "intake")))
    dispatch = dispatch_app(DispatchSettings(**service_env(stack, database, topics_for, "dispatch")))
    async with contextlib.AsyncExitStack() as services:
        await services.enter_async_context(running(intake))
        await services.enter_async_context(running(dispatch))
        # An event written by the previous release, still in intake's store, relayed as v1.
        await intake.state.runtime.store.append(
            stream_id(case_id), [v1_report(case_id)], meta=EventMeta("old-release", case_id), expected_version=0
        )
        [published] = await read_topic(stack.kafka_admin, f"{topics_for}cases.intake.v1", expected=1)

        async def routed() -> list[asyncpg.Record]:
            rows: list[asyncpg.Record] = await dispatch.state.runtime.pool.fetch(
                "SELECT type, data FROM events WHERE correlation_id = $1 ORDER BY global_position", case_id
            )
            assert len(rows) == 2
            return rows

        [opened, row] = await eventually(routed)

    assert dict(published.headers)["ce_schemaversion"] == b"1"
    # v1 had no place: Dispatch placed the point itself, and routed by it.
    assert orjson.loads(opened["data"])["place"]["district_code"] == "320303"
    assert row["type"] == "dispatch.CaseRouted"
    assert orjson.loads(row["data"])["trade"] == "landscaping"
