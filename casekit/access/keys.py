"""API keys (接口密钥) for systems: issued, listed, rotated with an overlap, revoked; all in the
service's own schema, so a change needs no restart (a verified key is cached a few seconds)."""

from __future__ import annotations

import hashlib
import secrets
import string
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import asyncpg

from casekit.access.principal import Principal
from casekit.envelope import utc_now
from casekit.errors import NotFound
from casekit.eventstore import Connection

PREFIX = "cck_"
"""Every key starts so: a leaked one is easy to recognise (secret scanners) and never taken for a JWT."""
_ALPHABET = string.ascii_lowercase + string.digits


@dataclass(frozen=True)
class ApiKey:
    """A key as listed: everything but its secret, which is shown once, when issued."""

    key_id: str
    client: str
    channels: list[str]
    scopes: list[str]
    note: str | None
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    replaced_by: str | None


@dataclass(frozen=True)
class IssuedKey:
    key: ApiKey
    secret: str
    """The whole key, `cck_<key_id>_<random>`; never stored, never shown again."""


def digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


COLUMNS = "key_id, client, channels, scopes, note, created_at, expires_at, revoked_at, replaced_by"


async def issue(
    conn: Connection,
    client: str,
    channels: Sequence[str],
    scopes: Sequence[str],
    note: str | None = None,
    expires_at: datetime | None = None,
    secret: str | None = None,
) -> IssuedKey:
    """A new key; `secret` imports one a system already holds (from a legacy gateway) instead."""
    key_id = "".join(secrets.choice(_ALPHABET) for _ in range(10))
    secret = secret or f"{PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
    row = await conn.fetchrow(
        f"INSERT INTO api_keys (key_id, client, key_hash, channels, scopes, note, expires_at)"
        f" VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {COLUMNS}",
        key_id, client, digest(secret), sorted(set(channels)), sorted(set(scopes)), note, expires_at,
    )  # fmt: skip
    assert row is not None
    return IssuedKey(ApiKey(**dict(row)), secret)


async def listed(conn: Connection, client: str | None = None) -> list[ApiKey]:
    rows = await conn.fetch(
        f"SELECT {COLUMNS} FROM api_keys WHERE $1::text IS NULL OR client = $1 ORDER BY created_at, key_id", client
    )
    return [ApiKey(**dict(row)) for row in rows]


async def rotate(conn: Connection, key_id: str, overlap: timedelta) -> IssuedKey:
    """A new key with the same client and scopes; the old one keeps working for `overlap`."""
    async with conn.transaction():
        old = await conn.fetchrow(
            f"SELECT {COLUMNS} FROM api_keys WHERE key_id = $1 AND revoked_at IS NULL FOR UPDATE", key_id
        )
        if old is None:
            raise NotFound(f"no active API key {key_id}")
        new = await issue(conn, old["client"], old["channels"], old["scopes"], old["note"])
        ends = utc_now() + overlap
        await conn.execute(
            "UPDATE api_keys SET expires_at = LEAST(coalesce(expires_at, $2), $2), replaced_by = $3 WHERE key_id = $1",
            key_id, ends, new.key.key_id,
        )  # fmt: skip
    return new


async def revoke(conn: Connection, key_id: str) -> None:
    done = await conn.fetchval(
        "UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE key_id = $1 RETURNING key_id", key_id
    )
    if done is None:
        raise NotFound(f"no API key {key_id}")


class KeyVerifier:
    """Turns a presented key into its system's principal, or None for an unknown, expired or revoked one."""

    def __init__(self, pool: asyncpg.Pool, cache_seconds: float) -> None:
        self.pool = pool
        self.cache_seconds = cache_seconds
        self._cache: dict[bytes, tuple[Principal, datetime | None, float]] = {}

    async def verify(self, secret: str) -> Principal | None:
        hashed = digest(secret)
        cached = self._cache.get(hashed)
        now = time.monotonic()
        if cached and now - cached[2] < self.cache_seconds and (cached[1] is None or cached[1] > utc_now()):
            return cached[0]
        # By its hash: equal hashes mean equal keys, and the index lookup leaks no timing of the secret.
        row = await self.pool.fetchrow(
            "SELECT key_id, client, channels, scopes, expires_at FROM api_keys"
            " WHERE key_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())",
            hashed,
        )
        if row is None:
            self._cache.pop(hashed, None)
            return None
        principal = Principal.system(row["client"], row["channels"], row["scopes"], row["key_id"])
        if self.cache_seconds > 0:
            self._cache[hashed] = (principal, row["expires_at"], now)
        return principal
