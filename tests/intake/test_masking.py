"""个人信息脱敏: phone and ID-card numbers in free text are masked with a hint; nothing else is touched."""

from __future__ import annotations

import json

import pytest

from casekit.masking import contains_personal_data, find_personal_data, mask_personal_data
from cityconfig import DEFAULT_CITY

MOBILES = [
    ("13800138000", "138****8000"),
    ("请联系13800138000张先生", "请联系138****8000张先生"),
    ("手机：19912345678。", "手机：199****5678。"),
    ("电话138 0013 8000找王女士", "电话138 **** 8000找王女士"),
    ("138-0013-8000", "138-****-8000"),
    ("1380 0138 000", "138* ***8 000"),
    ("+86 138 0013 8000", "+86 138 **** 8000"),
    ("+8613800138000", "+86138****8000"),
    ("8613800138000", "86138****8000"),
    ("0086-138-0013-8000", "0086-138-****-8000"),
    ("(+86)13800138000", "(+86)138****8000"),
    ("１３８００１３８０００", "１３８****８０００"),
    ("手机１３８－００１３－８０００", "手机１３８－****－８０００"),
    ("Tel13800138000", "Tel138****8000"),
    ("call 13800138000.", "call 138****8000."),
    ("13800138000、13900139000", "138****8000、139****9000"),
    ("13800138000/13900139000", "138****8000/139****9000"),
    ("第一行\n14512345678\n第二行", "第一行\n145****5678\n第二行"),
    ("16612345678", "166****5678"),
    ("17012345678", "170****5678"),
]
LANDLINES = [
    ("0516-83881234", "0516-****1234"),
    ("座机051683881234", "座机0516****1234"),
    ("(0516)83881234", "(0516)****1234"),
    ("电话（０５１６）８３８８１２３４", "电话（０５１６）****１２３４"),
    ("0516 8388 1234", "0516 **** 1234"),
    ("0516-8388-1234", "0516-****-1234"),
    ("010-62345678", "010-****5678"),
    ("02162345678", "021****5678"),
    ("0516-8388123", "0516-***8123"),
    ("0516-83881234转123", "0516-****1234转123"),
    ("0516-83881234 分机 8001", "0516-****1234 分机 8001"),
    ("0516-83881234-8001", "0516-****1234-8001"),
    ("0516-83881234 ext. 12", "0516-****1234 ext. 12"),
    ("+86 516 83881234", "+86 516 ****1234"),
    ("+86-10-62345678", "+86-10-****5678"),
]
ID_CARDS = [
    ("320302199001011234", "320302********1234"),
    ("身份证号11010119900307123X，", "身份证号110101********123X，"),
    ("11010119900307123x", "110101********123x"),
    ("身份证320302 19900101 1234", "身份证320302 ******** 1234"),
    ("证件810000199505051234", "证件810000********1234"),  # Hong Kong residence permit
    ("320302200512311234", "320302********1234"),
    ("老身份证320302850101123", "老身份证320302******123"),
    ("３２０３０２１９９００１０１１２３４", "３２０３０２********１２３４"),
]
BANK_CARDS = [
    ("卡号6222021234567890128", "卡号6222***********0128"),
    ("6222 0212 3456 7890 128", "6222 **** **** ***0 128"),
    ("4111-1111-1111-1111", "4111-****-****-1111"),
    ("退款到４１１１１１１１１１１１１１１１。", "退款到４１１１********１１１１。"),
]
EMAILS = [
    ("邮箱hanmeimei@example.com。", "邮箱h********@example.com。"),
    ("13800138000@163.com", "1**********@163.com"),
    ("han.mei+x@mail.example.org.cn 谢谢", "h**.***+*@mail.example.org.cn 谢谢"),
    ("联系ab@qq.com谢谢", "联系a*@qq.com谢谢"),
    ("a@b.cn", "*@b.cn"),
    ("user＠example.com", "u***＠example.com"),
]
NOT_PERSONAL = [
    "HL-20261124-000123",
    "GR-20260101-010234，PB-20261231-999999，WH-20261124-013800",
    "案件HL-20261124-000123已派遣",
    "2026-11-24 07:00",
    "2026年11月24日13时45分",
    "2026-11-24T07:00:00+08:00",
    "20261124",
    "坐标34.2681, 117.1923",
    "(34.268100,117.192300)",
    "34.16772474 117.0254",  # the decimals of a figure are no phone number
    "34.13480429, 117.47507620",
    "2026 11 24 13 45",
    "320302001001001 320302001001002-320302001002001",
    "网格320302001001001，社区320302001001，街道320302001",
    "金额13800元",
    "¥1,380,013.80",
    "罚款1380013800元",
    "中山路138号3栋2单元1302室",
    "拨打12345或110",
    "客服400-820-8820",
    "95588",
    "邮编221000",
    "订单号202611241380013800",
    "类别01002",
    "138001380001",  # twelve digits: no mobile number
    "320302199013011234",  # month 13: no ID number
    "320302001002001",  # 15 digits, a unit grid, though it reads as an old ID of 1900-10-02
    "井盖破损，约30厘米宽，深1.5米",
    "6222021234567890129",  # fails the Luhn check: no card number
    "网格320302001001001 3号楼",  # a grid code and a house number are not one card number
    "https://img.example.org/2.jpg",
    "请@物业 处理",
]


@pytest.mark.parametrize(("text", "expected"), MOBILES, ids=[t for t, _ in MOBILES])
def test_a_mobile_number_keeps_its_first_three_and_last_four_digits(text: str, expected: str) -> None:
    assert mask_personal_data(text) == expected


@pytest.mark.parametrize(("text", "expected"), LANDLINES, ids=[t for t, _ in LANDLINES])
def test_a_landline_keeps_its_area_code_last_four_digits_and_extension(text: str, expected: str) -> None:
    assert mask_personal_data(text) == expected


@pytest.mark.parametrize(("text", "expected"), ID_CARDS, ids=[t for t, _ in ID_CARDS])
def test_an_id_card_number_keeps_its_region_and_last_digits(text: str, expected: str) -> None:
    assert mask_personal_data(text) == expected


@pytest.mark.parametrize(("text", "expected"), BANK_CARDS, ids=[t for t, _ in BANK_CARDS])
def test_a_bank_card_number_keeps_its_issuer_and_last_four_digits(text: str, expected: str) -> None:
    assert mask_personal_data(text) == expected


@pytest.mark.parametrize(("text", "expected"), EMAILS, ids=[t for t, _ in EMAILS])
def test_an_email_address_keeps_its_first_character_and_its_domain(text: str, expected: str) -> None:
    assert mask_personal_data(text) == expected


@pytest.mark.parametrize("text", NOT_PERSONAL)
def test_text_without_personal_data_is_left_as_it_is(text: str) -> None:
    assert mask_personal_data(text) == text
    assert not contains_personal_data(text)


def test_no_jurisdiction_code_of_the_demo_city_is_masked() -> None:
    features = json.loads((DEFAULT_CITY / "jurisdictions.geojson").read_text(encoding="utf-8"))["features"]
    codes = [feature["properties"]["code"] for feature in features]
    text = "，".join(f"网格{code}" for code in codes)

    assert len(codes) > 1000
    assert mask_personal_data(text) == text


def test_a_grid_code_that_reads_as_an_old_id_number_is_kept_when_the_city_names_it() -> None:
    # Street 201 (a 乡), community 201: 320321 201201 001 reads as born 1920-12-01.
    grid = "320321201201001"
    text = f"网格{grid}有井盖破损"

    assert mask_personal_data(text) == "网格320321******001有井盖破损"
    assert mask_personal_data(text, keep={grid}) == text


def test_every_kind_in_one_description_is_masked() -> None:
    text = "井盖破损，请联系张先生13800138000或座机0516-83881234，身份证320302199001011234。案件HL-20261124-000123"

    assert mask_personal_data(text) == (
        "井盖破损，请联系张先生138****8000或座机0516-****1234，身份证320302********1234。案件HL-20261124-000123"
    )
    assert [f.kind for f in find_personal_data(text)] == ["mobile", "landline", "id-card"]


def test_a_finding_says_where_the_number_is() -> None:
    (finding,) = find_personal_data("请联系13800138000张先生")

    assert (finding.kind, finding.start, finding.end) == ("mobile", 3, 14)
    assert finding.hidden == (6, 7, 8, 9)


def test_the_digits_of_an_id_number_are_not_also_read_as_a_mobile_number() -> None:
    assert [f.kind for f in find_personal_data("110101 19900307 123X")] == ["id-card"]


@pytest.mark.parametrize("text", [t for t, _ in MOBILES + LANDLINES + ID_CARDS + BANK_CARDS + EMAILS])
def test_masked_text_has_nothing_left_to_mask(text: str) -> None:
    masked = mask_personal_data(text)

    assert contains_personal_data(text)
    assert not contains_personal_data(masked)
    assert mask_personal_data(masked) == masked
    assert len(masked) == len(text)


def test_an_empty_text_stays_empty() -> None:
    assert mask_personal_data("") == ""
