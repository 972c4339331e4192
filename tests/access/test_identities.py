"""Who are you: tokens from the city's identity provider (JWKS file or URL), refused unless right."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jwt
import pytest

from casekit.access.tokens import BadToken, TokenVerifier
from devstack.issuer import DemoIssuer
from schemas.access import DISPATCHER, SYSTEM
from tests.conftest import ISSUER


def verifier(issuer: DemoIssuer, **overrides: Any) -> TokenVerifier:
    options: dict[str, Any] = {"jwks_file": issuer.jwks_file, **overrides}
    return TokenVerifier(issuer.issuer, issuer.audience, **options)


async def test_a_persons_token_gives_their_roles_unit_and_areas() -> None:
    token = ISSUER.person([DISPATCHER, "not-a-role"], unit="u-1", areas=["320302"], subject="zhang.san")

    principal = await verifier(ISSUER).verify(token)

    assert (principal.kind, principal.subject, principal.actor) == ("person", "zhang.san", "user:zhang.san")
    assert principal.roles == frozenset({DISPATCHER})
    assert (principal.unit, principal.areas) == ("u-1", ("320302",))


async def test_a_client_credentials_token_is_a_system_with_its_scopes() -> None:
    principal = await verifier(ISSUER).verify(ISSUER.system("hotline", ["reports:submit"], ["hotline"]))

    assert (principal.kind, principal.actor, principal.roles) == ("system", "system:hotline", frozenset({SYSTEM}))
    assert principal.scopes == frozenset({"reports:submit"})
    assert principal.channels == frozenset({"hotline"})


def forged(claims: dict[str, Any], **header: Any) -> str:
    # Made when the tests are collected: valid for an hour, so a long run reaches them unexpired.
    now = int(time.time())
    body = {"iss": ISSUER.issuer, "aud": ISSUER.audience, "iat": now, "exp": now + 3600, "sub": "x",
            "roles": [DISPATCHER], **claims}  # fmt: skip
    return jwt.encode(body, ISSUER.private_key, algorithm="ES256", headers={"kid": ISSUER.public_jwk["kid"], **header})


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        pytest.param(forged({"exp": int(time.time()) - 3600}), "expired", id="expired"),
        pytest.param(forged({"iss": "someone-else"}), "issuer", id="wrong-issuer"),
        pytest.param(forged({"aud": "another-system"}), "(?i)audience", id="wrong-audience"),
        pytest.param(forged({"roles": ["mayor"]}), "roles", id="no-known-role"),
        pytest.param(forged({"areas": ["32%"]}), "areas", id="areas-not-codes"),
        pytest.param(forged({"sub": ""}), "sub", id="empty-subject"),
        pytest.param(
            jwt.encode({"sub": "x", "roles": ["admin"]}, "a-shared-secret-of-thirty-two-bytes!", algorithm="HS256"),
            "ES256",
            id="hs256",
        ),
        pytest.param(jwt.encode({"sub": "x", "roles": ["admin"]}, "", algorithm="none"), "ES256", id="alg-none"),
        pytest.param("not.a.jwt", "JWT", id="garbage"),
    ],
)
async def test_tokens_that_are_not_right_are_refused_with_the_reason(token: str, reason: str) -> None:
    with pytest.raises(BadToken, match=reason):
        await verifier(ISSUER).verify(token)


async def test_a_token_signed_by_another_key_under_the_same_kid_is_refused(tmp_path: Path) -> None:
    impostor = DemoIssuer(tmp_path)
    token = jwt.encode(
        {"iss": ISSUER.issuer, "aud": ISSUER.audience, "iat": int(time.time()), "exp": int(time.time()) + 60,
         "sub": "x", "roles": ["admin"]},
        impostor.private_key, algorithm="ES256", headers={"kid": ISSUER.public_jwk["kid"]},
    )  # fmt: skip

    with pytest.raises(BadToken, match="refused"):
        await verifier(ISSUER).verify(token)


async def test_a_new_signing_key_is_picked_up_without_a_restart(tmp_path: Path) -> None:
    old, new = DemoIssuer(tmp_path / "old"), DemoIssuer(tmp_path / "new")
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps(old.jwks))
    trusting = TokenVerifier(ISSUER.issuer, ISSUER.audience, jwks_file=jwks)
    assert (await trusting.verify(old.person(DISPATCHER))).roles == {DISPATCHER}
    with pytest.raises(BadToken, match="unknown key"):
        await trusting.verify(new.person(DISPATCHER))

    jwks.write_text(json.dumps({"keys": [old.public_jwk, new.public_jwk]}))  # the provider rolls its keys
    trusting._loaded_at -= 10  # as if the reload pause had passed

    assert (await trusting.verify(new.person(DISPATCHER))).roles == {DISPATCHER}


@pytest.fixture
def jwks_url() -> Iterator[str]:
    """The issuer's keys served over HTTP, as a city's identity provider publishes them."""
    body = json.dumps(ISSUER.jwks).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200 if self.path == "/.well-known/jwks.json" else 404)
            self.send_header("content-type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/.well-known/jwks.json"
    server.shutdown()


async def test_keys_from_a_jwks_url_verify_tokens(jwks_url: str) -> None:
    trusting = TokenVerifier(ISSUER.issuer, ISSUER.audience, jwks_url=jwks_url)

    principals = await asyncio.gather(*(trusting.verify(ISSUER.person(DISPATCHER)) for _ in range(5)))

    assert {p.roles for p in principals} == {frozenset({DISPATCHER})}


async def test_without_a_jwks_no_token_is_accepted() -> None:
    with pytest.raises(BadToken, match="no JWKS"):
        await TokenVerifier(ISSUER.issuer, ISSUER.audience).verify(ISSUER.person(DISPATCHER))
