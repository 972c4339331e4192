"""The key admin API (every service, its own keys): issue, list, rotate, revoke; admins only."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from casekit.access import keys
from casekit.access.guard import Caller
from casekit.errors import InvalidInput
from casekit.logs import get_logger
from casekit.runtime import RuntimeDep
from schemas.access import SCOPES
from schemas.intake import Channel

log = get_logger("access")
router = APIRouter(prefix="/v1/admin/api-keys", tags=["access"])
ClientName = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._:-]{0,63}$", description="The system, e.g. hotline")]


class NewKey(BaseModel):
    model_config = ConfigDict(extra="forbid")

    client: ClientName
    channels: list[Channel] = Field(default_factory=list, max_length=8, description="Channels it may post and read")
    scopes: list[str] = Field(default_factory=list, max_length=8, description=f"Any of {', '.join(SCOPES)}")
    note: str | None = Field(None, max_length=200)
    expires_at: datetime | None = None


class Rotation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    overlap_minutes: int = Field(60, ge=0, le=60 * 24 * 30, description="How long the old key keeps working")


@dataclass(frozen=True)
class IssuedKeyView(keys.ApiKey):
    key: str
    """The key itself: shown this once, stored only as its hash."""


def _issued(issued: keys.IssuedKey) -> IssuedKeyView:
    return IssuedKeyView(**asdict(issued.key), key=issued.secret)


def _check_scopes(scopes: list[str]) -> None:
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown:
        raise InvalidInput(f"unknown scopes {unknown}; known: {list(SCOPES)}", "/scopes", "enum")


@router.post("", status_code=201)
async def issue_api_key(body: NewKey, caller: Caller, runtime: RuntimeDep, response: Response) -> IssuedKeyView:
    """Issue a key for a system; the answer is the only time the key is shown."""
    _check_scopes(body.scopes)
    async with runtime.pool.acquire() as conn:
        issued = await keys.issue(conn, body.client, body.channels, body.scopes, body.note, body.expires_at)
    log.info("api_key.issued", key_id=issued.key.key_id, client=body.client, by=caller.actor)
    response.headers["Location"] = f"/v1/admin/api-keys/{issued.key.key_id}"
    return _issued(issued)


@router.get("")
async def list_api_keys(
    caller: Caller, runtime: RuntimeDep, client: Annotated[str | None, Query(max_length=64)] = None
) -> list[keys.ApiKey]:
    """Every key, active or not, without secrets or hashes."""
    async with runtime.pool.acquire() as conn:
        return await keys.listed(conn, client)


@router.post("/{key_id}/rotate", status_code=201)
async def rotate_api_key(key_id: str, body: Rotation, caller: Caller, runtime: RuntimeDep) -> IssuedKeyView:
    """A new key for the same system; the old one works `overlap_minutes` more, then not at all."""
    async with runtime.pool.acquire() as conn:
        issued = await keys.rotate(conn, key_id, timedelta(minutes=body.overlap_minutes))
    log.info("api_key.rotated", key_id=key_id, replaced_by=issued.key.key_id, by=caller.actor)
    return _issued(issued)


@router.delete("/{key_id}", status_code=204)
async def revoke_api_key(key_id: str, caller: Caller, runtime: RuntimeDep) -> None:
    """Revoke at once (each replica's cache forgets it within ACCESS_KEY_CACHE_SECONDS)."""
    async with runtime.pool.acquire() as conn:
        await keys.revoke(conn, key_id)
    log.info("api_key.revoked", key_id=key_id, by=caller.actor)
