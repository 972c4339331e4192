"""Intake's native API: accept what is valid, refuse what is not with a clear reason."""

from __future__ import annotations

import asyncio
import base64
from typing import Any

import orjson
import pytest

from services.intake.adapters.crypto import ContactCipher
from tests.conftest import TEST_PII_KEY
from tests.intake.conftest import POINT, IntakeUnderTest, report


@pytest.mark.parametrize(
    ("channel", "extra", "number_prefix", "confirm"),
    [
        ("grid", {}, "GR-", False),
        ("hotline", {"external_id": "12345-0001"}, "HL-", True),
        ("whistle", {"whistle": {"community_code": "320302006008", "summoned_departments": ["市政"]}}, "WH-", False),
        ("public", {}, "PB-", True),
    ],
)
async def test_each_channel_opens_a_case_with_a_case_number(
    intake: IntakeUnderTest, channel: str, extra: dict[str, Any], number_prefix: str, confirm: bool
) -> None:
    reply = await intake.post(report(channel=channel, **extra))

    assert reply.status_code == 201, reply.text
    body = reply.json()
    assert body["case_number"].startswith(number_prefix)
    assert body["status"] == "received"
    assert body["needs_confirmation"] is confirm
    assert body["grid_code"].startswith("320302")
    [(event_type, data)] = await intake.events()
    assert event_type == "intake.ReportReceived"
    assert data["needs_confirmation"] is confirm


@pytest.mark.parametrize(
    ("body", "path", "rule"),
    [
        (report(category_code="99999"), "/body/category_code", "unknown-category"),
        (report(location={"lat": 39.9042, "lon": 116.4074}), "/body/location", "outside-city"),
        (report(location={}), "/body/location", "value_error"),
        (report(description="长" * 2001), "/body/description", "string_too_long"),
        (report(occurred_at="yesterday"), "/body/occurred_at", "datetime_from_date_parsing"),
        (report(occurred_at="2026-11-24T09:00:00"), "/body/occurred_at", "timezone_aware"),
        (report(photo_urls=["ftp://example.org/p.jpg"]), "/body/photo_urls/0", "url_scheme"),
        (report(photo_urls=["not a url"]), "/body/photo_urls/0", "url_parsing"),
        (report(location={**POINT, "crs": "MARS"}), "/body/location/crs", "literal_error"),
        (report(location={**POINT, "grid_code": "320302001001999"}), "/body/location/grid_code", "unknown-grid"),
    ],
)
async def test_invalid_reports_are_refused_naming_the_rule_and_the_path(
    intake: IntakeUnderTest, body: dict[str, Any], path: str, rule: str
) -> None:
    reply = await intake.post(body)

    assert reply.status_code == 422
    assert reply.headers["content-type"] == "application/problem+json"
    assert {"path": path, "rule": rule} in [{"path": e["path"], "rule": e["rule"]} for e in reply.json()["errors"]]
    assert await intake.events() == []


async def test_the_same_external_id_from_the_same_channel_returns_the_original_case(intake: IntakeUnderTest) -> None:
    first = await intake.post(report(channel="hotline", external_id="12345-20261124-0042"))
    again = await intake.post(report(channel="hotline", external_id="12345-20261124-0042", description="再次来电"))
    other_channel = await intake.post(report(channel="grid", external_id="12345-20261124-0042"))

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["case_id"] == first.json()["case_id"]
    assert other_channel.json()["case_id"] != first.json()["case_id"]


async def test_many_concurrent_retries_with_one_idempotency_key_make_one_case(intake: IntakeUnderTest) -> None:
    replies = await asyncio.gather(*(intake.post(report(), **{"Idempotency-Key": "retry-7"}) for _ in range(20)))

    assert {reply.json()["case_id"] for reply in replies} == {replies[0].json()["case_id"]}
    assert sorted(reply.status_code for reply in replies).count(201) == 1
    assert len(await intake.events()) == 1


async def test_a_report_near_an_open_case_of_the_same_category_is_linked_to_it(intake: IntakeUnderTest) -> None:
    first = (await intake.post(report())).json()
    near = await intake.post(report(location={"lat": POINT["lat"] + 0.0002, "lon": POINT["lon"]}))  # ~22 m
    other_category = await intake.post(report(category_code="06010"))
    far = await intake.post(report(location={"lat": POINT["lat"] + 0.003, "lon": POINT["lon"]}))  # ~330 m

    assert near.status_code == 201
    assert near.json()["linked_to"] == first["case_id"]
    assert near.json()["case_number"] != first["case_number"]
    assert other_category.json()["linked_to"] is None
    assert far.json()["linked_to"] is None
    types = [event_type for event_type, _ in await intake.events()]
    assert types == ["intake.ReportReceived", "intake.ReportLinked", "intake.ReportReceived", "intake.ReportReceived"]
    linked = (await intake.events())[1][1]
    assert linked["linked_to_case_id"] == first["case_id"]
    assert 15 < linked["distance_m"] < 30


async def test_gcj02_coordinates_are_stored_in_wgs84_keeping_the_original(intake: IntakeUnderTest) -> None:
    # The same place as POINT, as AMap would report it (GCJ-02 is offset ~500 m here).
    from cityconfig.coords import to_wgs84

    gcj = {"lat": 34.26644, "lon": 117.19792}
    reply = await intake.post(report(location={**gcj, "crs": "GCJ02"}))

    [(_, data)] = await intake.events()
    expected = to_wgs84(gcj["lat"], gcj["lon"], "GCJ02")
    assert reply.status_code == 201
    assert data["location"]["reported"] == {**gcj, "crs": "GCJ02"}
    assert (data["location"]["lat"], data["location"]["lon"]) == pytest.approx(expected, abs=1e-6)
    assert abs(data["location"]["lat"] - gcj["lat"]) + abs(data["location"]["lon"] - gcj["lon"]) > 0.001


async def test_reporter_contact_is_encrypted_and_never_published(
    intake: IntakeUnderTest, capsys: pytest.CaptureFixture[str]
) -> None:
    contact = {"name": "王小明", "phone": "13800138000"}
    reply = await intake.post(report(channel="hotline", reporter=contact))
    case_id = reply.json()["case_id"]
    pool = intake.app.state.runtime.pool

    sealed = await pool.fetchval("SELECT ciphertext FROM reporter_contacts WHERE case_id = $1", reply.json()["case_id"])
    every_event = orjson.dumps(await intake.events()).decode()
    logged = capsys.readouterr().out

    assert reply.status_code == 201
    for secret in contact.values():
        assert secret not in every_event
        assert secret not in reply.text
        assert secret not in logged
        assert secret.encode() not in sealed
    opened = ContactCipher(TEST_PII_KEY).open(sealed, case_id)
    assert (opened.name, opened.phone) == (contact["name"], contact["phone"])
    assert base64.b64decode(TEST_PII_KEY) not in sealed


async def test_a_report_is_found_by_case_number_and_by_filters_page_by_page(intake: IntakeUnderTest) -> None:
    created = []
    for i in range(5):
        body = report(category_code="06010", location={"lat": POINT["lat"] + 0.001 * i, "lon": POINT["lon"]})
        created.append((await intake.post(body)).json())
    await intake.post(report(channel="hotline", category_code="01002"))

    by_number = await intake.client.get(f"/v1/reports/{created[2]['case_number']}")
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"category_code": "06010", "limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = (await intake.client.get("/v1/reports", params=params)).json()
        seen += [item["case_id"] for item in page["items"]]
        if not (cursor := page["next_cursor"]):
            break

    assert by_number.json()["case_id"] == created[2]["case_id"]
    assert seen == [c["case_id"] for c in reversed(created)]
    bad = await intake.client.get("/v1/reports", params={"cursor": "garbage"})
    assert bad.status_code == 422


async def test_the_catalogue_lists_every_category_with_its_urgency(intake: IntakeUnderTest) -> None:
    categories = (await intake.client.get("/v1/categories")).json()

    assert len(categories) == 250
    manhole = next(c for c in categories if c["code"] == "01002")
    assert manhole["name"] == "污水井盖"
    assert manhole["urgency"] in {"urgent", "normal", "low"}


async def test_the_same_idempotency_key_with_a_different_body_is_refused(intake: IntakeUnderTest) -> None:
    first = await intake.post(report(), **{"Idempotency-Key": "order-9"})
    again = await intake.post(report(), **{"Idempotency-Key": "order-9"})
    other = await intake.post(report(description="另一个问题：路灯不亮"), **{"Idempotency-Key": "order-9"})

    assert first.status_code == 201
    assert (again.status_code, again.json()["case_id"]) == (200, first.json()["case_id"])
    assert other.status_code == 422
    assert other.headers["content-type"] == "application/problem+json"
    assert other.json()["errors"][0]["rule"] == "idempotency-key-reused"
    assert [kind for kind, _ in await intake.events()] == ["intake.ReportReceived"]
