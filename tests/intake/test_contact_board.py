"""公示牌: a community's contact board lists exactly the officers and grid members fixed to its grids, with
their work contacts, to anyone (no credentials), as JSON and as a printable page; never a resident's data."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from cityconfig import DEFAULT_CITY, load_city
from tests.intake.conftest import IntakeUnderTest, report

WANTONG = "320302001002"  # 黄楼街道 万通社区 of the demo city: grids 001–003
BAIYUN = "320302001003"
UNASSIGNED = "320303001001"  # 云龙区: the demo's duty.yaml fixes no one there
CONTACT_KEYS = {
    "name", "role", "role_name", "unit_code", "unit_name", "brigade_code", "brigade_name", "duties", "work_phone",
    "hours", "grid_codes",
}  # fmt: skip


@pytest.fixture
async def anonymous(intake: IntakeUnderTest) -> AsyncIterator[httpx.AsyncClient]:
    """A client on the running Intake that carries no credentials at all."""
    transport = httpx.ASGITransport(app=intake.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


async def test_the_board_lists_exactly_the_community_s_assignments_to_anyone(
    intake: IntakeUnderTest, anonymous: httpx.AsyncClient
) -> None:
    reply = await anonymous.get(f"/v1/communities/{WANTONG}/contacts")

    assert reply.status_code == 200, reply.text
    board = reply.json()
    assert {k: board[k] for k in ("community_code", "community_name", "street_code", "street_name")} == {
        "community_code": WANTONG,
        "community_name": "万通社区居委会",
        "street_code": "320302001",
        "street_name": "黄楼街道",
    }
    contacts = board["contacts"]
    assert [(c["name"], c["role"], c["role_name"]) for c in contacts] == [
        ("王建军", "officer", "执法队员"),
        ("李明", "officer", "执法队员"),
        ("杨丽", "grid_member", "网格员"),
    ]
    assert all(set(c) == CONTACT_KEYS for c in contacts)  # no subject, no interval, nothing else
    first, second, member = contacts
    assert first == {
        "name": "王建军",
        "role": "officer",
        "role_name": "执法队员",
        "unit_code": "cm-320302001002-enforcement",
        "unit_name": "万通社区工作站·执法",
        "brigade_code": "st-320302001-enforcement",
        "brigade_name": "黄楼街道城管执法中队",
        "duties": ["巡查", "市容秩序", "占道经营", "违规广告"],
        "work_phone": "0516-80000211",
        "hours": ["08:30-12:00", "14:00-17:30"],
        "grid_codes": ["320302001002001", "320302001002002"],
    }
    assert (second["work_phone"], second["grid_codes"]) == ("0516-80000222", ["320302001002003"])
    assert (member["unit_name"], member["brigade_name"]) == ("黄楼街道办事处", None)
    assert member["work_phone"] == "0516-80000290"
    assert member["grid_codes"] == ["320302001002001", "320302001002002", "320302001002003"]
    other = (await anonymous.get(f"/v1/communities/{BAIYUN}/contacts")).json()
    assert [c["name"] for c in other["contacts"]] == ["张伟", "刘洋", "朱敏"]


async def test_no_resident_data_shows_on_the_board(intake: IntakeUnderTest, anonymous: httpx.AsyncClient) -> None:
    lat, lon = load_city(DEFAULT_CITY).representative_point(f"{WANTONG}001")
    resident = {"name": "赵居民", "phone": "13912345678"}
    posted = await intake.post(report(location={"lat": lat, "lon": lon}, reporter=resident))
    assert posted.status_code == 201, posted.text

    board = await anonymous.get(f"/v1/communities/{WANTONG}/contacts")
    page = await anonymous.get(f"/v1/communities/{WANTONG}/contacts.html")

    assert board.status_code == page.status_code == 200
    for text in (board.text, page.text):
        assert "王建军" in text  # the board itself is there
        assert "赵居民" not in text
        assert "13912345678" not in text
        assert "污水井盖" not in text  # nor what residents reported


async def test_the_printable_page_names_each_person_with_their_phone_and_loads_nothing(
    anonymous: httpx.AsyncClient,
) -> None:
    reply = await anonymous.get(f"/v1/communities/{WANTONG}/contacts.html")

    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("text/html")
    page = reply.text
    assert "<h1>社区城管公示牌</h1>" in page
    assert "黄楼街道 · 万通社区居委会" in page
    for name, phone in (("王建军", "0516-80000211"), ("李明", "0516-80000222"), ("杨丽", "0516-80000290")):
        assert name in page
        assert phone in page
    assert "黄楼街道城管执法中队" in page
    assert "万通社区第1网格" in page
    assert page.count("<tr>") == 4  # the heading and three people
    assert "<style>" in page
    assert "<script" not in page
    assert "<link" not in page
    assert "src=" not in page
    assert "@media print" in page
    assert "default-src 'none'" in reply.headers["content-security-policy"]


async def test_a_community_without_assignments_has_an_empty_board(anonymous: httpx.AsyncClient) -> None:
    board = await anonymous.get(f"/v1/communities/{UNASSIGNED}/contacts")
    page = await anonymous.get(f"/v1/communities/{UNASSIGNED}/contacts.html")

    assert board.status_code == 200
    assert board.json()["contacts"] == []
    assert board.json()["street_code"] == "320303001"
    assert "本社区暂无公示人员" in page.text


@pytest.mark.parametrize("suffix", ["contacts", "contacts.html"])
async def test_an_unknown_community_is_404_and_a_code_not_of_12_digits_422(
    anonymous: httpx.AsyncClient, suffix: str
) -> None:
    unknown = await anonymous.get(f"/v1/communities/320302001099/{suffix}")
    malformed = [
        await anonymous.get(f"/v1/communities/{code}/{suffix}")
        for code in ("32030200100", "320302001002001", "32030200100x", "３２０３０２００１００２")
    ]

    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"
    assert "no community 320302001099" in unknown.json()["detail"]
    assert [reply.status_code for reply in malformed] == [422, 422, 422, 422]
    assert all(reply.headers["content-type"] == "application/problem+json" for reply in malformed)
    assert malformed[0].json()["errors"][0]["path"] == "/path/code"
