"""Callbacks go only where they should (issue 9): https or an http host the allow-list names, to
public addresses unless a network is allowed, to the address that was checked, never redirected.

The receiver is a real HTTP server on 127.0.0.1: the tests that reach it allow 127.0.0.0/8, the
others show it is refused without that setting.
"""

from __future__ import annotations

import ipaddress
from typing import Any

import httpx
import pydantic
import pytest

from services.intake.adapters import callbacks_urls
from services.intake.adapters.callbacks_urls import IPAddress, NetworkPolicy, RefusedAddress, checked_transport
from services.intake.settings import IntakeSettings
from tests.conftest import eventually
from tests.intake.callbacks_rig import SECRET, Receiver, StartIntake, deliveries, subscribe
from tests.intake.conftest import report

NO_PRIVATE: dict[str, Any] = {"callback_allow_private_networks": []}


async def first_attempt(intake: Any, case_id: str) -> dict[str, Any]:
    async def attempted() -> dict[str, Any]:
        [delivery] = await deliveries(intake, case_id=case_id)
        assert delivery["attempts"]
        return delivery

    delivery: dict[str, Any] = await eventually(attempted)
    return delivery


async def test_a_host_resolving_to_loopback_is_refused_at_delivery_and_nothing_is_sent(
    start_intake: StartIntake, receiver: Receiver
) -> None:
    url = f"http://localhost:{receiver.port}/hook"
    async with start_intake(callback_allowlist=["http://localhost:"], **NO_PRIVATE) as intake:
        await subscribe(intake, url)
        case = (await intake.post(report())).json()
        delivery = await first_attempt(intake, case["case_id"])

    attempt = delivery["attempts"][0]
    assert attempt["http_status"] is None
    assert attempt["error"].startswith("refused: localhost resolves to ")
    assert "loopback" in attempt["error"]
    assert delivery["state"] == "pending"  # retried until the give-up time, as any failure
    assert receiver.hits == []


async def test_the_same_host_is_reached_once_its_network_is_allowed(
    start_intake: StartIntake, receiver: Receiver
) -> None:
    networks = {"callback_allow_private_networks": ["127.0.0.0/8", "::1/128"]}
    async with start_intake(callback_allowlist=["http://localhost:"], **networks) as intake:
        await subscribe(intake, f"http://localhost:{receiver.port}/hook")
        case = (await intake.post(report())).json()
        delivery = await first_attempt(intake, case["case_id"])

    assert [attempt["http_status"] for attempt in delivery["attempts"]] == [204]
    assert len(receiver.hits) == 1


@pytest.mark.parametrize("host", ["10.0.0.8", "169.254.169.254", "[::1]", "127.0.0.1"])
async def test_a_literal_address_outside_the_public_internet_is_refused_at_subscription(
    start_intake: StartIntake, host: str
) -> None:
    async with start_intake(callback_allowlist=[f"http://{host}:"], **NO_PRIVATE) as intake:
        url = f"http://{host}:8080/hook"
        reply = await intake.client.post("/v1/callbacks", json={"channel": "grid", "url": url, "secret": SECRET})

    assert reply.status_code == 422
    assert reply.headers["content-type"] == "application/problem+json"
    assert reply.json()["errors"][0]["rule"] == "not-public"


async def test_plain_http_is_refused_unless_an_entry_names_it(start_intake: StartIntake) -> None:
    async with start_intake(callback_allowlist=["https://hooks.example.org/"]) as intake:
        body = {"channel": "grid", "url": "http://hooks.example.org/hook", "secret": SECRET}
        reply = await intake.client.post("/v1/callbacks", json=body)

    assert reply.status_code == 422
    assert reply.json()["errors"][0]["rule"] == "not-allowed"


@pytest.mark.parametrize("entry", ["https://", "http://", "http:", "hooks.example.org", "ftp://hooks.example.org/"])
def test_an_allow_list_entry_must_name_its_scheme_and_host(entry: str) -> None:
    with pytest.raises(pydantic.ValidationError, match="naming its host"):
        IntakeSettings(
            DATABASE_URL="postgresql://x/y",
            KAFKA_BOOTSTRAP_SERVERS="x:1",
            INTAKE_PII_KEY="k",
            callback_allowlist=[entry],
        )


async def test_a_redirect_is_not_followed_but_recorded_as_a_failed_attempt(
    start_intake: StartIntake, receiver: Receiver
) -> None:
    receiver.redirects["/moved"] = receiver.url("/elsewhere")
    async with start_intake() as intake:  # 127.0.0.0/8 allowed
        await subscribe(intake, receiver.url("/moved"))
        case = (await intake.post(report())).json()
        delivery = await first_attempt(intake, case["case_id"])

    assert delivery["attempts"][0]["http_status"] == 302
    assert delivery["state"] == "pending"
    assert {hit.path for hit in receiver.hits} == {"/moved"}


async def test_a_url_dropped_from_the_allow_list_is_refused_at_delivery(
    start_intake: StartIntake, receiver: Receiver
) -> None:
    async with start_intake() as intake:
        await subscribe(intake, receiver.url("/hook"))
        receiver.hanging.add("/hook")  # nothing delivered before the restart
    receiver.hits.clear()
    async with start_intake(callback_allowlist=["https://hooks.example.org/"]) as intake:
        case = (await intake.post(report())).json()
        delivery = await first_attempt(intake, case["case_id"])

    assert delivery["attempts"][0]["error"] == "refused: the URL is no longer in the callback allow-list"
    assert receiver.hits == []


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),
        ("10.1.2.3", "private"),
        ("192.168.1.1", "private"),
        ("172.16.0.1", "private"),
        ("fc00::1", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("224.0.0.1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("240.0.0.1", "reserved"),
        ("100.64.0.1", "not a public"),
    ],
)
def test_the_policy_refuses_every_range_outside_the_public_internet(address: str, kind: str) -> None:
    refusal = NetworkPolicy().refusal(ipaddress.ip_address(address))

    assert refusal is not None
    assert kind in refusal


def test_the_policy_allows_public_addresses_and_the_networks_named() -> None:
    allowing = NetworkPolicy.of(["10.20.0.0/16"])

    assert NetworkPolicy().refusal(ipaddress.ip_address("203.0.114.1")) is None  # not TEST-NET-3 (203.0.113/24)
    assert allowing.refusal(ipaddress.ip_address("10.20.3.4")) is None
    assert allowing.refusal(ipaddress.ip_address("10.21.3.4")) is not None


async def test_a_name_with_any_refused_address_is_refused_before_connecting(monkeypatch: pytest.MonkeyPatch) -> None:
    # A stand-in resolver: the one part of this path a test cannot point at a name of its own.
    async def resolve(host: str, port: int) -> list[IPAddress]:
        return [ipaddress.ip_address("203.0.114.1"), ipaddress.ip_address("10.0.0.8")]

    monkeypatch.setattr(callbacks_urls, "resolve", resolve)
    transport = checked_transport(NetworkPolicy(), httpx.Limits(max_connections=1))
    async with httpx.AsyncClient(transport=transport) as client:
        with pytest.raises(RefusedAddress, match=r"mixed\.test resolves to 10\.0\.0\.8 is a private address"):
            await client.post("http://mixed.test/hook", content=b"{}")


async def test_a_delivery_connects_to_the_address_checked_without_a_second_lookup(
    monkeypatch: pytest.MonkeyPatch, receiver: Receiver
) -> None:
    lookups: list[str] = []

    async def resolve(host: str, port: int) -> list[IPAddress]:
        lookups.append(host)  # a rebinding server would answer the next lookup with another address
        return [ipaddress.ip_address("127.0.0.1")]

    monkeypatch.setattr(callbacks_urls, "resolve", resolve)
    transport = checked_transport(NetworkPolicy.of(["127.0.0.0/8"]), httpx.Limits(max_connections=1))
    async with httpx.AsyncClient(transport=transport) as client:
        reply = await client.post(f"http://rebind.test:{receiver.port}/hook", content=b"{}")

    assert reply.status_code == 204
    assert lookups == ["rebind.test"]
    assert receiver.hits[0].headers["host"] == f"rebind.test:{receiver.port}"
