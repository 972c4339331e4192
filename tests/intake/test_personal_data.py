"""Phone and ID numbers typed into free text are masked wherever the report is published or shown."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson

from services.intake.adapters.crypto import ContactCipher
from tests.conftest import TEST_PII_KEY
from tests.intake.conftest import IntakeUnderTest, report

TYPED = "井盖破损，请联系13800138000张先生，身份证320302198001011234"
MASKED = "井盖破损，请联系138****8000张先生，身份证320302********1234"


async def test_numbers_in_the_description_are_masked_in_the_event_and_the_view(intake: IntakeUnderTest) -> None:
    posted = await intake.post(report(description=TYPED, location={"address": "解放南路 0516-83881234 门口"}))
    view = (await intake.client.get(f"/v1/reports/{posted.json()['case_id']}")).json()
    [(kind, event)] = await intake.events()

    assert posted.status_code == 201
    assert kind == "intake.ReportReceived"
    assert event["description"] == MASKED
    assert event["address"] == "解放南路 0516-****1234 门口"
    assert view["description"] == MASKED
    assert "13800138000" not in orjson.dumps([event, view]).decode()


async def test_what_was_typed_stays_sealed_in_intake(intake: IntakeUnderTest) -> None:
    case_id = (await intake.post(report(description=TYPED))).json()["case_id"]
    sealed = await intake.app.state.runtime.pool.fetchval(
        "SELECT ciphertext FROM sealed_texts WHERE case_id = $1", case_id
    )

    opened = orjson.loads(ContactCipher(TEST_PII_KEY).open_bytes(sealed, case_id))

    assert opened == {"description": TYPED}
    assert b"13800138000" not in sealed


async def test_a_description_without_personal_data_seals_nothing(intake: IntakeUnderTest) -> None:
    await intake.post(report(description="路灯不亮，编号 HL-20261124-000123，2026-11-24 07:30"))

    assert await intake.app.state.runtime.pool.fetchval("SELECT count(*) FROM sealed_texts") == 0


async def test_case_numbers_take_the_city_date(intake: IntakeUnderTest) -> None:
    """Between 16:00 and 24:00 UTC the city's date is already tomorrow's (Asia/Shanghai)."""
    city = intake.app.state.context.city
    before = city.local_date(datetime.now(UTC))
    number = (await intake.post(report())).json()["case_number"]
    after = city.local_date(datetime.now(UTC))

    assert number.split("-")[1] in {f"{before:%Y%m%d}", f"{after:%Y%m%d}"}
