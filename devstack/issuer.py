"""A small local identity provider for the demo and the tests (不用于生产): ES256 JWTs and a JWKS.

Production trusts the city's own provider (ACCESS_JWKS_URL or ACCESS_JWKS_FILE); this one plays
it on one machine. Its signing key lives under .run/issuer/ (0600), so `make token` and
`make run` sign with the same key. `python -m devstack.issuer token --role dispatcher --areas 320302`
prints a token; `serve` answers the JWKS at /.well-known/jwks.json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
import uuid
from base64 import urlsafe_b64encode
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm

from devstack.private_files import made_once
from devstack.stack import RUN_DIR

ISSUER = "city-cases-demo"
AUDIENCE = "city-cases"
DAY = 24 * 3600


def _b64(data: bytes) -> str:
    return urlsafe_b64encode(data).rstrip(b"=").decode()


class DemoIssuer:
    """Signs tokens with one P-256 key kept in `directory`; publishes its public half as a JWKS."""

    def __init__(self, directory: Path = RUN_DIR / "issuer", issuer: str = ISSUER, audience: str = AUDIENCE) -> None:
        self.directory = directory
        self.issuer = issuer
        self.audience = audience

    @cached_property
    def private_key(self) -> ec.EllipticCurvePrivateKey:
        def generate() -> bytes:
            return ec.generate_private_key(ec.SECP256R1()).private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )

        key = serialization.load_pem_private_key(made_once(self.directory / "signing-key.pem", generate), None)
        assert isinstance(key, ec.EllipticCurvePrivateKey)
        return key

    @cached_property
    def public_jwk(self) -> dict[str, Any]:
        jwk: dict[str, Any] = ECAlgorithm.to_jwk(self.private_key.public_key(), as_dict=True)
        # RFC 7638 thumbprint: the key's own id, stable across runs.
        canonical = json.dumps({k: jwk[k] for k in ("crv", "kty", "x", "y")}, separators=(",", ":"), sort_keys=True)
        return {**jwk, "kid": _b64(hashlib.sha256(canonical.encode()).digest()), "use": "sig", "alg": "ES256"}

    @property
    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.public_jwk]}

    @cached_property
    def jwks_file(self) -> Path:
        path = self.directory / "jwks.json"
        path.write_text(json.dumps(self.jwks, indent=2))
        return path

    def sign(self, claims: dict[str, Any], ttl_seconds: int = DAY) -> str:
        now = int(time.time())
        body = {"iss": self.issuer, "aud": self.audience, "iat": now, "exp": now + ttl_seconds,
                "jti": str(uuid.uuid4()), **claims}  # fmt: skip
        return jwt.encode(body, self.private_key, algorithm="ES256", headers={"kid": self.public_jwk["kid"]})

    def person(
        self,
        role: str | Sequence[str],
        unit: str | None = None,
        areas: Sequence[str] = (),
        subject: str | None = None,
        name: str | None = None,
        ttl_seconds: int = DAY,
    ) -> str:
        roles = [role] if isinstance(role, str) else list(role)
        claims: dict[str, Any] = {"sub": subject or f"demo-{roles[0]}", "roles": roles, "areas": list(areas)}
        if unit:
            claims["unit"] = unit
        if name:
            claims["name"] = name
        return self.sign(claims, ttl_seconds)

    def system(self, client: str, scopes: Sequence[str], channels: Sequence[str] = (), ttl_seconds: int = 3600) -> str:
        """An OAuth2 client-credentials token for a system."""
        claims = {"sub": client, "client_id": client, "scope": " ".join(scopes), "channels": list(channels)}
        return self.sign(claims, ttl_seconds)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m devstack.issuer", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    token = commands.add_parser("token", help="print a demo token for a role, unit and areas")
    token.add_argument("--role", required=True, help="grid_member, call_taker, dispatcher, … (comma-separated)")
    token.add_argument("--unit", default="", help="the unit of a unit_staff member, e.g. dt-320302-water")
    token.add_argument("--areas", default="", help="jurisdiction codes, comma-separated, e.g. 320302006008002")
    token.add_argument("--subject", default="")
    token.add_argument("--hours", type=float, default=24)
    commands.add_parser("jwks", help="print the issuer's public keys")
    parser.add_argument("--directory", type=Path, default=RUN_DIR / "issuer", help="where the signing key is kept")
    args = parser.parse_args(argv)
    issuer = DemoIssuer(args.directory)
    if args.command == "jwks":
        print(json.dumps(issuer.jwks, indent=2))
        return
    roles = [r.strip() for r in args.role.split(",") if r.strip()]
    areas = [a.strip() for a in args.areas.split(",") if a.strip()]
    print(f"# {', '.join(roles)} unit={args.unit or '-'} areas={','.join(areas) or '-'}; use as: "
          "curl -H \"Authorization: Bearer $TOKEN\" …")  # fmt: skip
    print(issuer.person(roles, args.unit or None, areas, args.subject or None, ttl_seconds=int(args.hours * 3600)))


if __name__ == "__main__":
    main()
