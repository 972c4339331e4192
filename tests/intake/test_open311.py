"""Open311 GeoReport v2 on Intake: what an unchanged third-party client sends and reads back."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlencode

import httpx
import orjson
import pytest

from services.intake.adapters.projections import change_status
from services.intake.domain.public_status import StatusChange
from tests.intake.conftest import POINT, IntakeUnderTest, issue_key

V2 = "/open311/v2"
KEY = "fms-secret"
W3C_SECONDS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$")
FORM = "application/x-www-form-urlencoded; charset=utf-8"
CST = timezone(timedelta(hours=8))


@pytest.fixture(autouse=True)
async def api_keys(intake: IntakeUnderTest) -> None:
    await issue_key(intake.app, "fixmystreet", KEY)
    await issue_key(intake.app, "client", "bare-key")


def form(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "api_key": KEY,
        "service_code": "01002",
        "lat": str(POINT["lat"]),
        "long": str(POINT["lon"]),
        "description": "污水井盖破损，有人差点踩空",
    }
    body.update(overrides)
    return {name: value for name, value in body.items() if value is not None}


def as_xml(reply: httpx.Response) -> ET.Element:
    assert reply.headers["content-type"] == "text/xml; charset=utf-8"
    assert reply.text.startswith('<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(reply.content)


def as_json(reply: httpx.Response) -> Any:
    assert reply.headers["content-type"] == "application/json; charset=utf-8"
    return reply.json()


async def post(intake: IntakeUnderTest, fmt: str = "json", **overrides: Any) -> httpx.Response:
    return await intake.client.post(f"{V2}/requests.{fmt}", data=form(**overrides))


async def case_number(intake: IntakeUnderTest, **overrides: Any) -> str:
    reply = await post(intake, **overrides)
    assert reply.status_code == 200, reply.text
    number: str = as_json(reply)[0]["service_request_id"]
    return number


async def set_status(intake: IntakeUnderTest, number: str, status: str, note: str, still_open: bool) -> None:
    case_id = (await intake.client.get(f"/v1/reports/{number}")).json()["case_id"]
    unit_code, unit_name = ("sanitation", "环境卫生管理处") if still_open else (None, None)
    async with intake.app.state.runtime.pool.acquire() as conn:
        await change_status(conn, case_id, StatusChange(status, note, unit_code, unit_name))  # type: ignore[arg-type]


async def test_discovery_names_the_endpoint_and_both_formats(intake: IntakeUnderTest) -> None:
    as_object = as_json(await intake.client.get(f"{V2}/discovery.json"))
    root = as_xml(await intake.client.get(f"{V2}/discovery.xml"))

    [endpoint] = as_object["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://test/open311/v2/"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert {"changeset", "contact", "key_service"} <= as_object.keys()
    assert root.tag == "discovery"
    assert root.findtext("endpoints/endpoint/url") == "http://test/open311/v2/"
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == ["text/xml", "application/json"]
    assert W3C_SECONDS.match(root.findtext("changeset") or "")


async def test_the_service_list_is_the_city_catalogue_in_both_formats(intake: IntakeUnderTest) -> None:
    services = as_json(await intake.client.get(f"{V2}/services.json"))
    root = as_xml(await intake.client.get(f"{V2}/services.xml", params={"jurisdiction_id": "anything"}))

    assert len(services) == len(root.findall("service")) == 250
    manhole = next(s for s in services if s["service_code"] == "01002")
    assert manhole == {
        "service_code": "01002",
        "service_name": "污水井盖",
        "description": "Sewage manhole cover",
        "metadata": True,
        "type": "realtime",
        "keywords": manhole["keywords"],
        "group": "市政公用设施",
    }
    assert root.tag == "services"
    first = root.find("service")
    assert first is not None
    assert [child.tag for child in first] == list(manhole)
    assert first.findtext("metadata") == "true"


async def test_a_service_definition_lists_its_attributes_in_both_formats(intake: IntakeUnderTest) -> None:
    definition = as_json(await intake.client.get(f"{V2}/services/01002.json"))
    root = as_xml(await intake.client.get(f"{V2}/services/01002.xml"))

    assert definition["service_code"] == "01002"
    codes = [a["code"] for a in definition["attributes"]]
    assert codes == ["occurred_at", "grid_code", "coordinate_system"]
    assert [a["order"] for a in definition["attributes"]] == [1, 2, 3]
    assert not any(a["required"] for a in definition["attributes"])
    assert root.tag == "service_definition"
    assert [a.findtext("code") for a in root.findall("attributes/attribute")] == codes
    assert [v.findtext("key") for v in root.findall("attributes/attribute/values/value")] == [
        "WGS84",
        "GCJ02",
        "BD09",
        "CGCS2000",
    ]


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_an_unknown_service_code_is_404_in_the_spec_error_format(intake: IntakeUnderTest, fmt: str) -> None:
    reply = await intake.client.get(f"{V2}/services/99999.{fmt}")

    assert reply.status_code == 404
    if fmt == "json":
        assert as_json(reply) == [{"code": 404, "description": "service_code 99999 not found"}]
    else:
        root = as_xml(reply)
        assert (root.tag, root.findtext("error/code")) == ("errors", "404")


async def test_a_posted_form_opens_a_public_case_keeping_personal_data_out(intake: IntakeUnderTest) -> None:
    personal = {"first_name": "小明", "last_name": "王", "phone": "13800138000", "email": "wxm@example.org"}
    as_json_reply = await post(intake, "json", **personal, media_url="https://img.example.org/1.jpg")
    as_xml_reply = await post(intake, "xml", service_code="06010", lat=str(POINT["lat"] + 0.003))

    [created] = as_json(as_json_reply)
    root = as_xml(as_xml_reply)
    xml_number = root.findtext("request/service_request_id") or ""
    native = (await intake.client.get(f"/v1/reports/{created['service_request_id']}")).json()
    every_event = orjson.dumps(await intake.events()).decode()

    assert as_json_reply.status_code == as_xml_reply.status_code == 200
    assert re.match(r"^PB-\d{8}-\d{6}$", created["service_request_id"])
    assert created["service_notice"]
    assert (root.tag, xml_number[:3]) == ("service_requests", "PB-")
    assert (native["channel"], native["needs_confirmation"]) == ("public", True)
    assert native["photo_urls"] == ["https://img.example.org/1.jpg"]
    assert (await intake.client.get(f"/v1/reports/{xml_number}")).json()["category_code"] == "06010"
    for secret in personal.values():
        assert secret not in every_event
        assert secret not in as_json_reply.text
    actors = await intake.app.state.runtime.pool.fetch("SELECT DISTINCT actor FROM events")
    assert [row["actor"] for row in actors] == ["system:fixmystreet"]


@pytest.mark.parametrize("api_key", [None, "", "wrong", "fixmystreet"])
async def test_a_post_without_a_valid_api_key_is_403(intake: IntakeUnderTest, api_key: str | None) -> None:
    reply = await post(intake, api_key=api_key)

    assert reply.status_code == 403
    assert as_json(reply)[0]["code"] == 403
    assert await intake.events() == []


async def test_a_bare_key_is_accepted_as_the_client_named_client(intake: IntakeUnderTest) -> None:
    reply = await post(intake, api_key="bare-key")

    assert reply.status_code == 200


@pytest.mark.parametrize(
    ("overrides", "status", "says"),
    [
        ({"service_code": "99999"}, 404, "service_code 99999 not found"),
        ({"service_code": None}, 400, "service_code: not provided"),
        ({"lat": "39.9042", "long": "116.4074"}, 400, "outside"),
        ({"lat": None, "long": None}, 400, "location: required"),
        ({"long": None}, 400, "lat and long come together"),
        ({"lat": "north"}, 400, "lat: "),
        ({"description": "长" * 2001}, 400, "at most 2000"),
        ({"media_url": "ftp://example.org/p.jpg"}, 400, "media_url: "),
        ({"attribute[occurred_at]": "2026-11-24T09:00:00"}, 400, "attribute[occurred_at]"),
        ({"attribute[grid_code]": "320302001001999"}, 400, "attribute[grid_code]: unknown unit grid"),
    ],
)
async def test_a_refused_post_says_why_in_the_clients_terms(
    intake: IntakeUnderTest, overrides: dict[str, Any], status: int, says: str
) -> None:
    reply = await post(intake, "xml", **overrides)

    root = as_xml(reply)
    assert reply.status_code == status
    assert root.findtext("error/code") == str(status)
    assert says in (root.findtext("error/description") or "")
    assert await intake.events() == []


async def test_an_address_alone_locates_a_report(intake: IntakeUnderTest) -> None:
    number = await case_number(intake, lat=None, long=None, address_string="鼓楼区中山北路 12 号")

    [record] = as_json(await intake.client.get(f"{V2}/requests/{number}.json"))
    # Publicly, an address typed alone shows nothing: it may be someone's home (docs/access.md).
    assert (record["address"], record["lat"], record["long"]) == (None, None, None)


async def test_a_fixmystreet_shaped_request_is_accepted(intake: IntakeUnderTest) -> None:
    # As FixMyStreet's perllib/Open311.pm builds it: extended description, split name, email,
    # truncated coordinates, its own attributes, several media_url, and an empty jurisdiction_id.
    description = "title: 井盖破损\n\ndetail: 污水井盖破了一角\n\nurl: https://fms.example.org/report/42\n\n"
    fields = [
        ("jurisdiction_id", ""),
        ("api_key", KEY),
        ("description", description + "Submitted via FixMyStreet\n"),
        ("service_code", "01002"),
        ("first_name", "Xiaoming"),
        ("last_name", "Wang"),
        ("phone", "(0516) 8380-1234"),
        ("email", "xiaoming@example.org"),
        ("lat", "34.268000"),
        ("long", "117.192000"),
        ("media_url", "https://fms.example.org/photo/42.0.full.jpeg"),
        ("media_url", "https://fms.example.org/photo/42.1.full.jpeg"),
        ("attribute[fixmystreet_id]", "42"),
        ("attribute[title]", "井盖破损"),
        ("attribute[report_url]", "https://fms.example.org/report/42"),
    ]
    reply = await intake.client.post(
        f"{V2}/requests.xml", content=urlencode(fields).encode(), headers={"content-type": FORM}
    )

    root = as_xml(reply)
    number = root.findtext("request/service_request_id") or ""
    native = (await intake.client.get(f"/v1/reports/{number}")).json()
    every_event = orjson.dumps(await intake.events()).decode()
    assert reply.status_code == 200, reply.text
    assert native["photo_urls"] == [fields[10][1], fields[11][1]]
    assert native["description"].startswith("title: 井盖破损")
    assert "Xiaoming" not in every_event
    assert "8380" not in every_event


async def test_requests_are_found_by_code_status_dates_and_id(intake: IntakeUnderTest) -> None:
    manhole = await case_number(intake)
    closed = await case_number(intake, service_code="06010", lat=str(POINT["lat"] + 0.003))
    await set_status(intake, closed, "closed", "已结案", still_open=False)
    now = datetime.now(CST)

    async def ids(fmt: str = "json", **params: str) -> list[str]:
        reply = await intake.client.get(f"{V2}/requests.{fmt}", params=params)
        assert reply.status_code == 200, reply.text
        if fmt == "xml":
            return [r.findtext("service_request_id") or "" for r in as_xml(reply).findall("request")]
        return [record["service_request_id"] for record in as_json(reply)]

    assert await ids() == [closed, manhole]
    assert await ids("xml") == [closed, manhole]
    assert await ids(service_code="01002") == [manhole]
    assert await ids(service_code="01002,06010", status="closed") == [closed]
    assert await ids(status="open") == [manhole]
    assert await ids(status="open,closed", page_size="1", page="2") == [manhole]
    assert await ids(page="3", page_size="1") == []
    assert await ids(end_date=(now - timedelta(days=1)).isoformat()) == []
    # A `+` sent unencoded arrives as a space; Z and offsets both work.
    yesterday = (now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S+08:00")
    assert await ids(start_date=yesterday.replace("+", " ")) == [closed, manhole]
    an_hour_ago = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert await ids(start_date=an_hour_ago) == [closed, manhole]
    assert await ids(service_request_id=f"{manhole},{closed}", service_code="99999") == [closed, manhole]
    assert await ids("xml", service_request_id=manhole) == [manhole]


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"start_date": "2026-01-01T00:00:00+08:00", "end_date": "2026-06-01T00:00:00+08:00"}, 400),
        ({"start_date": "2026-11-24T09:00:00"}, 400),
        ({"end_date": "2026-02-30T09:00:00Z"}, 400),
        ({"status": "pending"}, 400),
        ({"service_code": "99999"}, 404),
        ({"page_size": "5000"}, 400),
    ],
)
async def test_bad_filters_are_refused(intake: IntakeUnderTest, params: dict[str, str], status: int) -> None:
    reply = await intake.client.get(f"{V2}/requests.json", params=params)

    assert reply.status_code == status
    assert as_json(reply)[0]["code"] == status


async def test_a_record_shows_status_notes_agency_and_dates_in_china_time(intake: IntakeUnderTest) -> None:
    number = await case_number(intake, media_url="https://img.example.org/2.jpg")
    received = as_json(await intake.client.get(f"{V2}/requests/{number}.json"))[0]
    await set_status(intake, number, "dispatched", "已派遣至 环境卫生管理处", still_open=True)

    [record] = as_json(await intake.client.get(f"{V2}/requests/{number}.json"))
    root = as_xml(await intake.client.get(f"{V2}/requests/{number}.xml"))

    assert received["service_notice"] == "工作人员将先到现场核实，再派遣处置单位"
    assert record["status"] == "open"
    assert record["status_notes"] == "已派遣至 环境卫生管理处"
    assert record["agency_responsible"] == "环境卫生管理处"
    assert (record["service_name"], record["service_code"]) == ("污水井盖", "01002")
    assert record["media_url"] == "https://img.example.org/2.jpg"
    assert W3C_SECONDS.match(record["requested_datetime"])
    assert W3C_SECONDS.match(record["updated_datetime"])
    assert record["expected_datetime"] is None
    [request] = root.findall("request")
    assert request.findtext("status") == "open"
    assert request.findtext("agency_responsible") == "环境卫生管理处"
    assert request.find("zipcode") is not None
    assert W3C_SECONDS.match(request.findtext("requested_datetime") or "")


async def test_a_report_merged_into_an_open_case_says_so(intake: IntakeUnderTest) -> None:
    first = await case_number(intake)
    again = as_json(await post(intake, lat=str(POINT["lat"] + 0.0001)))[0]  # ~11 m away: 并单

    assert again["service_request_id"] != first
    assert again["service_notice"] == f"与案件 {first} 为同一问题，已并单处理"


async def test_a_closed_or_voided_case_is_closed(intake: IntakeUnderTest) -> None:
    number = await case_number(intake)
    await set_status(intake, number, "voided", "重复上报，已作废", still_open=False)

    [record] = as_json(await intake.client.get(f"{V2}/requests/{number}.json"))
    assert (record["status"], record["status_notes"]) == ("closed", "重复上报，已作废")


async def test_an_unknown_request_or_token_or_format_is_404(intake: IntakeUnderTest) -> None:
    unknown = await intake.client.get(f"{V2}/requests/PB-20260101-999999.json")
    bad_token = await intake.client.get(f"{V2}/tokens/abc.xml")
    html = await intake.client.get(f"{V2}/services.html")

    assert unknown.status_code == bad_token.status_code == html.status_code == 404
    assert as_json(unknown)[0]["description"] == "service_request_id PB-20260101-999999 not found"
    assert as_xml(bad_token).findtext("error/code") == "404"
    assert as_xml(html).tag == "errors"


async def test_a_case_number_is_accepted_as_its_own_token(intake: IntakeUnderTest) -> None:
    number = await case_number(intake)

    root = as_xml(await intake.client.get(f"{V2}/tokens/{number}.xml"))
    assert root.findtext("request/service_request_id") == root.findtext("request/token") == number
