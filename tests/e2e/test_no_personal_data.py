"""Personal data goes nowhere but where it is sealed (issue 9: "a test consumes every topic and greps").

Reports carrying a reporter's name and phone, and an ID number, an email, a card number and
phones typed into free text, arrive on every way in: the native API, Open311 and the channel
topics. With all four services running, every place the data could leak to is read back:
every topic, every log line, every span, every table of every service, Open311's replies,
the native views and Analytics' API. None of the values may appear, except on the inbound
channel topics themselves and in Intake's dead letters of them (both kept for days, not for
ever: schemas/topics.py), and in the one reply that discloses them to a call taker.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import AsyncIterator, Iterable
from typing import Any

import asyncpg
import httpx
import orjson
from aiokafka import AIOKafkaConsumer, TopicPartition
from fastapi import FastAPI
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from casekit.kafka.connection import KafkaConnection
from casekit.logs import json_formatter
from devstack.stack import Stack
from schemas.access import CALL_TAKER
from schemas.kafka_users import CHANNEL_SYSTEMS
from schemas.topics import ALL_TOPICS, CHANNEL_TOPICS, dead_letter
from services.analytics.main import create_app as analytics_app
from services.analytics.settings import AnalyticsSettings
from services.closure.main import create_app as closure_app
from services.closure.settings import ClosureSettings
from services.dispatch.main import create_app as dispatch_app
from services.dispatch.settings import DispatchSettings
from services.intake.main import create_app as intake_app
from services.intake.settings import IntakeSettings
from tests.casekit.kafka_rig import producer_on
from tests.conftest import bearer, eventually, running, service_env
from tests.intake.conftest import issue_key

# What each way in carries; every value distinct, so a leak says where it came from.
NATIVE = {
    "channel": "hotline",
    "category_code": "01002",
    "description": "楼道堆物，联系人手机13800138000，身份证320302198001011234，"
    "邮箱hanmeimei@example.com，退款卡号6222021234567890128",
    "location": {"lat": 34.2680, "lon": 117.1920, "address": "解放南路 0516-83881234 门口"},
    "reporter": {"name": "韩梅梅", "phone": "13912345678"},
    "external_id": "12345-PII-1",
}
OPEN311 = {
    "service_code": "06010",
    "description": "垃圾满溢 请回电13722223333 或邮件 lilei.open311@example.org 身份证110101199003071234",
    "lat": "34.2618",
    "long": "117.1850",
    "first_name": "Meimei",
    "last_name": "Hanson",
    "phone": "13711112222",
    "email": "meimei.hanson@example.org",
}
GRID = {
    "channel": "grid",
    "category_code": "01001",
    "description": "井盖缺失，居民身份证32030219751231123X，邮箱lilei@example.net",
    "location": {"lat": 34.25, "lon": 117.22},
    "reporter": {"name": "李雷雷", "phone": "13633334444"},
    "external_id": "GRID-PII-1",
}
WHISTLE = {
    "channel": "whistle",
    "category_code": "01003",
    "description": "雨水井盖破损，联系 xiaoming@example.cn",
    "location": {"lat": 34.2650, "lon": 117.1900},
    "reporter": {"name": "王晓明明", "phone": "13544445555"},
    "whistle": {"community_code": "320302006008", "summoned_departments": ["市政处 张科长 13611112222"]},
    "external_id": "WH-PII-1",
}
HOTLINE = {
    "channel": "hotline",
    "category_code": "01004",
    "description": "雨水箅子堵塞，来电人座机0516-85556666",
    "location": {"lat": 34.2700, "lon": 117.2000},
    "reporter": {"name": "赵敏敏", "phone": "13455556666"},
    "external_id": "12345-PII-2",
}
REFUSED = {**HOTLINE, "external_id": "12345-PII-3", "channel": "grid"}
"""A hotline message that names the wrong channel: dead-lettered as it came, with its personal data."""

PERSONAL = {
    "韩梅梅": "native reporter name",
    "13912345678": "native reporter phone",
    "13800138000": "mobile typed into a description",
    "320302198001011234": "ID number typed into a description",
    "hanmeimei@example.com": "email typed into a description",
    "6222021234567890128": "bank card typed into a description",
    "83881234": "landline typed into an address",
    "Hanson": "Open311 last name",
    "13711112222": "Open311 phone",
    "meimei.hanson@example.org": "Open311 email",
    "13722223333": "mobile typed into an Open311 description",
    "lilei.open311@example.org": "email typed into an Open311 description",
    "110101199003071234": "ID number typed into an Open311 description",
    "李雷雷": "grid reporter name",
    "13633334444": "grid reporter phone",
    "32030219751231123X": "ID number typed on the grid topic",
    "lilei@example.net": "email typed on the grid topic",
    "王晓明明": "whistle reporter name",
    "13544445555": "whistle reporter phone",
    "13611112222": "phone typed into a summoned department",
    "xiaoming@example.cn": "email typed on the whistle topic",
    "赵敏敏": "hotline reporter name",
    "13455556666": "hotline reporter phone",
    "85556666": "landline typed on the hotline topic",
}


def plain(raw: bytes | str) -> str:
    """Text as a person would grep it: JSON re-rendered without \\u escapes, anything else decoded."""
    text = raw.decode(errors="replace") if isinstance(raw, bytes) else raw
    try:
        return json.dumps(json.loads(text), ensure_ascii=False)
    except ValueError:
        return text


def leaks(where: str, texts: Iterable[str]) -> list[str]:
    return [f"{what} ({value}) in {where}" for text in texts for value, what in PERSONAL.items() if value in text]


class Lines(logging.Handler):
    """Every log record of every service, rendered as the JSON line the process would write."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(json_formatter())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@contextlib.contextmanager
def captured_logs() -> Any:
    handler = Lines()
    logging.getLogger().addHandler(handler)  # after create_app: its setup_logging resets the root
    try:
        yield handler
    finally:
        logging.getLogger().removeHandler(handler)


@contextlib.contextmanager
def captured_spans() -> Any:
    provider = trace.get_tracer_provider()  # casekit.tracing installs the SDK's, once per process
    assert isinstance(provider, TracerProvider)
    exporter = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    try:
        yield exporter
    finally:
        exporter.shutdown()  # the provider keeps the processor; a shut exporter stores nothing more


async def every_record(kafka: KafkaConnection, prefix: str) -> dict[str, list[str]]:
    """Every record (key, value, headers) of every topic the system has, from the start to its end now.

    As the admin: no service's user may read every topic, which is the point of the ACLs."""
    reader = AIOKafkaConsumer(**kafka.client_kwargs(), enable_auto_commit=False)
    await reader.start()
    found: dict[str, list[str]] = {f"{prefix}{topic.name}": [] for topic in ALL_TOPICS}
    try:
        # Partitions as schemas/topics.py declares them, which is how the topics were created.
        partitions = [TopicPartition(f"{prefix}{t.name}", number) for t in ALL_TOPICS for number in range(t.partitions)]
        reader.assign(partitions)
        await reader.seek_to_beginning(*partitions)
        ends = await reader.end_offsets(partitions)
        while [tp for tp in partitions if await reader.position(tp) < ends[tp]]:
            for tp, batch in (await reader.getmany(timeout_ms=500)).items():
                for record in batch:
                    headers = " ".join(f"{name}={plain(value)}" for name, value in record.headers)
                    found[tp.topic].append(f"{plain(record.key or b'')} {plain(record.value or b'')} {headers}")
    finally:
        await reader.stop()
    return found


async def every_row(database: str) -> dict[str, list[str]]:
    """Every row of every table of every service's schema, as JSON."""
    conn = await asyncpg.connect(database)
    try:
        tables = await conn.fetch(
            "SELECT table_schema, table_name FROM information_schema.tables"
            " WHERE table_schema IN ('intake', 'dispatch', 'closure', 'analytics') AND table_type = 'BASE TABLE'"
        )
        found = {}
        for schema, table in tables:
            rows = await conn.fetch(f'SELECT to_jsonb(t)::text FROM "{schema}"."{table}" t')
            found[f"{schema}.{table}"] = [row[0] for row in rows]
    finally:
        await conn.close()
    assert {"intake.events", "dispatch.events", "closure.events"} <= set(found)
    return found


def four_apps(stack: Stack, database: str, prefix: str) -> list[FastAPI]:
    """Intake, Dispatch, Closure and Analytics, built (logging and tracing set up), not started."""

    def env(service: str) -> dict[str, Any]:
        return service_env(stack, database, prefix, service)

    return [
        intake_app(IntakeSettings(**env("intake"))),
        dispatch_app(DispatchSettings(**env("dispatch"))),
        closure_app(ClosureSettings(**env("closure"))),
        analytics_app(AnalyticsSettings(**env("analytics"))),
    ]


@contextlib.asynccontextmanager
async def four_services(
    apps: list[FastAPI],
) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient, httpx.AsyncClient]]:
    async with contextlib.AsyncExitStack() as services:
        clients = [await services.enter_async_context(running(app)) for app in apps]
        yield clients[0], clients[1], clients[3]


async def test_personal_data_appears_nowhere_but_the_inbound_topics_and_the_call_takers_reply(
    stack: Stack, database: str, topics_for: str
) -> None:
    prefix = topics_for
    apps = four_apps(stack, database, prefix)
    with captured_logs() as logs, captured_spans() as spans:
        async with four_services(apps) as (intake, dispatch, analytics):
            key = await issue_key(apps[0], "fixmystreet")
            replies: list[httpx.Response] = [
                await intake.post("/v1/reports", json=NATIVE, headers=bearer(CALL_TAKER)),
                await intake.post("/open311/v2/requests.json", data={**OPEN311, "api_key": key}, headers={}),
            ]
            assert [reply.status_code for reply in replies] == [201, 200], [reply.text for reply in replies]
            for body in (GRID, WHISTLE, HOTLINE, REFUSED):
                channel = "hotline" if body is REFUSED else str(body["channel"])
                # Each message as its channel's system sends it, with its own Kafka user (ADR 0010).
                async with producer_on(stack.kafka_user(CHANNEL_SYSTEMS[channel])) as producer:
                    await producer.send_and_wait(
                        f"{prefix}{CHANNEL_TOPICS[channel].name}", orjson.dumps(body), key=b"k"
                    )

            async def every_case_routed_and_opened_in_closure() -> list[str]:
                listed = (await intake.get("/v1/reports", params={"limit": 50})).json()["items"]
                assert len(listed) == 5
                for case in listed:
                    trace_reply = await analytics.get(f"/v1/cases/{case['case_id']}/trace")
                    assert trace_reply.status_code == 200
                    types = {event["type"] for event in trace_reply.json()["events"]}
                    if "dispatch.ConfirmationRequested" in types and "dispatch.CaseConfirmed" not in types:
                        # Hotline and public reports are confirmed on site first (核实): as the admin, here.
                        await dispatch.post(f"/v1/assignments/{case['case_id']}/confirm", json={})
                    assert "closure.ClosureOpened" in types
                return [case["case_id"] for case in listed]

            case_ids = await eventually(every_case_routed_and_opened_in_closure, within=60)
            # Refusals name the failed rule, never the value: the reply, the logs and spans neither.
            refused = [
                await intake.post(
                    "/v1/reports", json={**NATIVE, "reporter": {"name": "韩梅梅", "phone": "韩梅梅 13912345678"}}
                ),
                await intake.post(
                    "/open311/v2/requests.json", data={**OPEN311, "api_key": key, "last_name": "Hanson" * 9}
                ),
            ]
            assert [reply.status_code for reply in refused] == [422, 400], [reply.text for reply in refused]
            numbers = [(await intake.get(f"/v1/reports/{case_id}")).json()["case_number"] for case_id in case_ids]
            for path in ("/open311/v2/requests.json", "/open311/v2/requests.xml"):
                replies.append(await intake.get(path, headers={}))
            for number in numbers:
                replies += [
                    await intake.get(f"/open311/v2/requests/{number}.{fmt}", headers={}) for fmt in ("json", "xml")
                ]
            replies.append(await intake.get("/v1/reports", params={"limit": 50}))
            for case_id in case_ids:
                replies.append(await intake.get(f"/v1/reports/{case_id}"))
                replies.append(await analytics.get(f"/v1/cases/{case_id}/trace"))
            replies.append(await analytics.get("/v1/reports/counts"))
            replies.append(await intake.get("/v1/audit/contact-reads"))
            replies.append(await intake.get("/metrics", headers={}))
            # The one disclosure: to a call taker, on record; it must leave no copy behind either.
            native_case = replies[0].json()["case_id"]
            disclosed = await intake.get(
                f"/v1/reports/{native_case}/contact", params={"purpose": "回访"}, headers=bearer(CALL_TAKER)
            )

            rows = await every_row(database)
        records = await every_record(stack.kafka_admin, prefix)
        lines, span_texts = list(logs.lines), [span.to_json() for span in spans.get_finished_spans()]

    inbound = {f"{prefix}{topic.name}" for topic in CHANNEL_TOPICS.values()} | {f"{prefix}{dead_letter('intake').name}"}
    found = leaks("the logs", map(plain, lines)) + leaks("the spans", map(plain, span_texts))
    for topic, texts in records.items():
        if topic not in inbound:
            found += leaks(f"topic {topic}", texts)
    for table, texts in rows.items():
        found += leaks(f"table {table}", texts)
    for reply in replies:
        assert reply.status_code in (200, 201), reply.text
    for reply in replies + refused:
        found += leaks(f"{reply.request.method} {reply.request.url.path}", [plain(reply.content)])
    assert found == [], "\n".join(found)
    # The checks can see what they look for: the channel topics hold it as it was sent, the
    # dead letter too, the call taker's reply discloses it, and every place checked has content.
    channel_texts = " ".join(text for topic in inbound for text in records[topic])
    assert {"李雷雷", "王晓明明", "赵敏敏", "lilei@example.net", "13611112222"} <= {
        value for value in PERSONAL if value in channel_texts
    }
    assert len(records[f"{prefix}{dead_letter('intake').name}"]) == 1
    assert disclosed.status_code == 200, disclosed.text
    assert (disclosed.json()["name"], disclosed.json()["phone"]) == ("韩梅梅", "13912345678")
    assert "hanmeimei@example.com" in disclosed.json()["typed"]["description"]
    assert len(records[f"{prefix}cases.intake.v1"]) == 5
    assert len(records[f"{prefix}cases.closure.v1"]) >= 5
    assert any("report.submitted" in line for line in lines)
    assert any("contact.read" in line for line in lines)
    assert len(span_texts) > 10
    assert sum(len(texts) for table, texts in rows.items() if table.startswith("analytics.")) >= 15
