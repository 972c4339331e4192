"""The demo's identity provider: `make token` and the client-credentials endpoint `make run` starts."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from casekit.access.tokens import TokenVerifier
from devstack.credentials import DEMO_PEOPLE, demo_credentials
from devstack.issuer import DemoIssuer, main
from devstack.issuer_http import app_for, demo_clients
from devstack.keys import demo_keys
from schemas.access import READ_ANALYTICS, ROLES


def verifier(issuer: DemoIssuer) -> TokenVerifier:
    return TokenVerifier(issuer.issuer, issuer.audience, jwks_file=issuer.jwks_file)


async def test_make_token_prints_a_verifiable_token_as_its_last_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["--directory", str(tmp_path), "token", "--role", "unit_staff", "--unit", "sanitation", "--areas", "320302"])
    token = capsys.readouterr().out.strip().splitlines()[-1]

    principal = await verifier(DemoIssuer(tmp_path)).verify(token)

    assert (principal.roles, principal.unit, principal.areas) == (frozenset({"unit_staff"}), "sanitation", ("320302",))


async def test_the_demo_credentials_cover_every_role_two_units_and_two_grid_areas(tmp_path: Path) -> None:
    issuer = DemoIssuer(tmp_path / "issuer")
    credentials = demo_credentials(issuer, demo_keys(tmp_path))

    people = [credentials[person.name] for person in DEMO_PEOPLE]
    assert {person["role"] for person in people} == set(ROLES)
    assert len({p["unit"] for p in people if p["role"] == "unit_staff"}) == 2
    assert len({tuple(p["areas"]) for p in people if p["role"] == "grid_member"}) == 2
    assert credentials["open311_api_key"].startswith("cck_") or len(credentials["open311_api_key"]) > 20
    assert credentials["hotline_api_key"].startswith("cck_")
    for person in people:
        verified = await verifier(issuer).verify(person["token"])
        assert verified.roles == {person["role"]}


async def test_a_system_trades_its_secret_for_a_token(tmp_path: Path) -> None:
    issuer = DemoIssuer(tmp_path)
    secret = demo_clients(issuer)["city-ops"]["secret"]
    transport = httpx.ASGITransport(app=app_for(issuer, "http://issuer.test"))
    async with httpx.AsyncClient(transport=transport, base_url="http://issuer.test") as client:
        granted = await client.post("/token", data={"grant_type": "client_credentials", "client_id": "city-ops",
                                                    "client_secret": secret})  # fmt: skip
        wrong = await client.post("/token", data={"grant_type": "client_credentials", "client_id": "city-ops",
                                                  "client_secret": "guess"})  # fmt: skip
        greedy = await client.post("/token", data={"grant_type": "client_credentials", "client_id": "city-ops",
                                                   "client_secret": secret, "scope": "reports:submit"})  # fmt: skip
        config = (await client.get("/.well-known/openid-configuration")).json()

    assert granted.status_code == 200, granted.text
    principal = await verifier(issuer).verify(granted.json()["access_token"])
    assert (principal.kind, principal.subject, principal.scopes) == ("system", "city-ops", frozenset({READ_ANALYTICS}))
    assert (wrong.status_code, greedy.status_code) == (401, 400)
    assert config["jwks_uri"] == "http://issuer.test/.well-known/jwks.json"
