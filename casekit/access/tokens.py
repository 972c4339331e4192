"""JWTs (令牌) from the city's identity provider: RS256/ES256, keys from a JWKS file or URL.

Keys are looked up by `kid`; an unknown `kid` reloads the set (at most every few seconds), so
the provider can roll its keys without a restart here.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import httpx
import jwt
from jwt import PyJWK, PyJWKSet

from casekit.access.principal import Principal
from schemas.access import ROLES

ALGORITHMS = ["ES256", "RS256"]
RELOAD_EVERY_SECONDS = 5.0
VERIFIED_CACHE_SIZE = 10_000
"""Tokens verified lately, kept until they expire: a signature check costs ~0.1 ms a request."""


class BadToken(Exception):
    """Not a token we accept: malformed, badly signed, expired, or for someone else."""


class TokenVerifier:
    def __init__(
        self,
        issuer: str,
        audience: str,
        jwks_file: Path | None = None,
        jwks_url: str | None = None,
        leeway_seconds: float = 30,
    ) -> None:
        self.issuer = issuer
        self.audience = audience
        self.jwks_file = jwks_file
        self.jwks_url = jwks_url
        self.leeway = leeway_seconds
        self._keys: dict[str, PyJWK] = {}
        self._verified: dict[str, tuple[Principal, float]] = {}
        self._loaded_at = -RELOAD_EVERY_SECONDS
        self._lock = asyncio.Lock()

    @property
    def configured(self) -> bool:
        return bool(self.jwks_file or self.jwks_url)

    async def _load(self) -> None:
        if self.jwks_file:
            text = await asyncio.to_thread(self.jwks_file.read_text)
        else:
            assert self.jwks_url
            async with httpx.AsyncClient(timeout=5, follow_redirects=False) as client:
                reply = await client.get(self.jwks_url)
                reply.raise_for_status()
                text = reply.text
        keys = PyJWKSet.from_json(text).keys
        self._keys = {key.key_id: key for key in keys if key.key_id}
        self._loaded_at = time.monotonic()

    async def _key(self, kid: str) -> PyJWK:
        if kid not in self._keys and time.monotonic() - self._loaded_at >= RELOAD_EVERY_SECONDS:
            async with self._lock:
                if kid not in self._keys and time.monotonic() - self._loaded_at >= RELOAD_EVERY_SECONDS:
                    try:
                        await self._load()
                    except (OSError, httpx.HTTPError, jwt.PyJWTError, ValueError) as error:
                        self._loaded_at = time.monotonic()
                        raise BadToken(f"the signing keys could not be loaded: {type(error).__name__}") from None
        key = self._keys.get(kid)
        if key is None:
            raise BadToken("signed with an unknown key")
        return key

    async def verify(self, token: str) -> Principal:
        if not self.configured:
            raise BadToken("this service accepts no tokens (no JWKS configured)")
        cached = self._verified.get(token)
        if cached is not None and cached[1] - self.leeway > time.time():
            return cached[0]
        principal, expires = await self._verify(token)
        if len(self._verified) >= VERIFIED_CACHE_SIZE:
            self._verified.clear()  # simple and bounded; the next requests verify again
        self._verified[token] = (principal, expires)
        return principal

    async def _verify(self, token: str) -> tuple[Principal, float]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise BadToken("not a JWT") from None
        if header.get("alg") not in ALGORITHMS or not isinstance(header.get("kid"), str):
            raise BadToken(f"only {' or '.join(ALGORITHMS)} tokens with a kid are accepted")
        key = await self._key(header["kid"])
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=ALGORITHMS,
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
            )
        except jwt.PyJWTError as error:
            raise BadToken(f"the token was refused: {error}") from None
        # Cached only until `exp` minus the leeway, so a cached token never outlives a fresh check.
        return principal_of(claims), float(claims["exp"])


def _strings(value: Any, claim: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(value.split())
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(value)
    raise BadToken(f"the `{claim}` claim must be a list of strings")


def principal_of(claims: dict[str, Any]) -> Principal:
    """People carry `roles` (and `unit`, `areas`); systems (client credentials) carry `client_id` and `scope`."""
    subject = claims["sub"]
    if not isinstance(subject, str) or not subject or len(subject) > 200:
        raise BadToken("the `sub` claim must be a short string")
    if "client_id" in claims and "roles" not in claims:
        return Principal.system(str(claims["client_id"]), _strings(claims.get("channels"), "channels"),
                                _strings(claims.get("scope"), "scope"))  # fmt: skip
    roles = frozenset(_strings(claims.get("roles"), "roles")) & frozenset(ROLES)
    if not roles:
        raise BadToken(f"the token names none of the roles {', '.join(ROLES)}")
    areas = _strings(claims.get("areas"), "areas")
    if not all(area.isdigit() and len(area) in (6, 9, 12, 15) for area in areas):
        raise BadToken("`areas` must be jurisdiction codes of 6, 9, 12 or 15 digits")
    unit = claims.get("unit")
    name = claims.get("name")
    return Principal(
        subject,
        "person",
        roles,
        unit=unit if isinstance(unit, str) else None,
        areas=areas,
        name=name if isinstance(name, str) else None,
    )
