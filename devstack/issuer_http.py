"""The demo issuer over HTTP, as a city's identity provider serves it (`make run` starts it):
its OpenID configuration, its JWKS, and an OAuth2 client-credentials token endpoint for systems.

`python -m devstack.issuer_http --port 8009`. Demo clients and their secrets are in
.run/issuer/clients.json (0600), made once.
"""

from __future__ import annotations

import argparse
import hmac
import json
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import uvicorn
from fastapi import FastAPI, HTTPException, Request

from devstack.issuer import DemoIssuer
from devstack.private_files import made_once
from schemas.access import READ_ANALYTICS, SCOPES

TOKEN_SECONDS = 3600
DEMO_CLIENTS = {"city-ops": {"scopes": [READ_ANALYTICS], "channels": []}}
"""城市运管服平台: the city operations platform reads Analytics' views with a client-credentials token."""


def demo_clients(issuer: DemoIssuer) -> dict[str, dict[str, Any]]:
    def make() -> str:
        made = {name: {**client, "secret": secrets.token_urlsafe(24)} for name, client in DEMO_CLIENTS.items()}
        return json.dumps(made, indent=2)

    clients: dict[str, dict[str, Any]] = json.loads(made_once(issuer.directory / "clients.json", make))
    return clients


def app_for(issuer: DemoIssuer, base_url: str) -> FastAPI:
    app = FastAPI(title="city-cases demo issuer (not for production)")
    clients = demo_clients(issuer)

    @app.get("/.well-known/openid-configuration")
    async def configuration() -> dict[str, Any]:
        return {
            "issuer": issuer.issuer,
            "jwks_uri": f"{base_url}/.well-known/jwks.json",
            "token_endpoint": f"{base_url}/token",
            "grant_types_supported": ["client_credentials"],
            "id_token_signing_alg_values_supported": ["ES256"],
            "scopes_supported": list(SCOPES),
        }

    @app.get("/readyz")
    async def ready() -> dict[str, str]:
        return {"status": "ready"}

    @app.get("/.well-known/jwks.json")
    async def jwks() -> dict[str, Any]:
        return issuer.jwks

    @app.post("/token")
    async def token(request: Request) -> dict[str, Any]:
        """RFC 6749 §4.4: a system trades its id and secret (form-encoded) for a short-lived token."""
        form = {name: values[0] for name, values in parse_qs((await request.body()).decode()).items()}
        grant_type, client_id = form.get("grant_type"), form.get("client_id", "")
        client_secret, scope = form.get("client_secret", ""), form.get("scope", "")
        if grant_type != "client_credentials":
            raise HTTPException(400, "unsupported_grant_type")
        client = clients.get(client_id)
        if client is None or not hmac.compare_digest(client["secret"].encode(), client_secret.encode()):
            raise HTTPException(401, "invalid_client")
        wanted = scope.split() or client["scopes"]
        if set(wanted) - set(client["scopes"]):
            raise HTTPException(400, "invalid_scope")
        signed = issuer.system(client_id, wanted, client["channels"], ttl_seconds=TOKEN_SECONDS)
        return {"access_token": signed, "token_type": "Bearer", "expires_in": TOKEN_SECONDS, "scope": " ".join(wanted)}

    return app


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m devstack.issuer_http", description=__doc__)
    parser.add_argument("--port", type=int, default=8009)
    parser.add_argument("--directory", type=Path, default=None)
    args = parser.parse_args()
    issuer = DemoIssuer(args.directory) if args.directory else DemoIssuer()
    app = app_for(issuer, f"http://127.0.0.1:{args.port}")
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
