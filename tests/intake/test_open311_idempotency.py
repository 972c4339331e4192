"""Open311 clients' Idempotency-Keys: scoped to the client, refused when reused for another request."""

from __future__ import annotations

from typing import Any

import pytest

from tests.intake.conftest import POINT, IntakeUnderTest, issue_key
from tests.intake.test_open311 import KEY, V2, as_json, form


@pytest.fixture(autouse=True)
async def api_keys(intake: IntakeUnderTest) -> None:
    await issue_key(intake.app, "fixmystreet", KEY)
    await issue_key(intake.app, "client", "bare-key")


async def test_idempotency_keys_belong_to_the_client_that_sent_them(intake: IntakeUnderTest) -> None:
    def post_as(api_key: str) -> Any:
        return intake.client.post(f"{V2}/requests.json", data=form(api_key=api_key), headers={"Idempotency-Key": "k-1"})

    first, retried, other_client = await post_as(KEY), await post_as(KEY), await post_as("bare-key")
    native = await intake.post(
        {"channel": "public", "category_code": "01002", "description": "x", "location": POINT},
        **{"Idempotency-Key": "k-1"},
    )

    numbers = [as_json(reply)[0]["service_request_id"] for reply in (first, retried, other_client)]
    assert numbers[0] == numbers[1]
    assert numbers[2] != numbers[0]
    assert native.status_code == 201
    assert native.json()["case_number"] not in numbers


async def test_an_idempotency_key_reused_for_another_request_is_an_open311_error(intake: IntakeUnderTest) -> None:
    headers = {"Idempotency-Key": "k-2"}
    await intake.client.post(f"{V2}/requests.json", data=form(), headers=headers)
    reply = await intake.client.post(f"{V2}/requests.json", data=form(description="另一个问题"), headers=headers)

    assert reply.status_code == 400
    [error] = as_json(reply)
    assert "Idempotency-Key" in error["description"]
