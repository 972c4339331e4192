"""The callbacks API: subscribe a channel system's URL, list and delete subscriptions, and see
every delivery with its attempts. Secrets go in and never come out. The notification itself and
its signature are described in adapters/callbacks.py."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import asyncpg
import httpx
from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from casekit.access.guard import Caller
from casekit.access.principal import Principal
from casekit.envelope import new_id
from casekit.errors import Forbidden, InvalidInput, NotFound, Undecodable
from casekit.logs import get_logger
from casekit.runtime import RuntimeDep
from schemas.intake import Channel
from services.intake.adapters import callbacks_store
from services.intake.adapters.callbacks import CallbackConfig
from services.intake.adapters.callbacks_store import DeliveryState

log = get_logger("intake")


class NewSubscription(BaseModel):
    model_config = ConfigDict(extra="forbid")

    channel: Channel
    url: str = Field(max_length=2048, description="Must start with a prefix in INTAKE_CALLBACK_ALLOWLIST")
    secret: SecretStr = Field(min_length=32, max_length=512, description="Signs every notification (HMAC-SHA256)")


class SubscriptionView(BaseModel):
    id: UUID
    channel: str
    url: str
    created_at: datetime


class AttemptView(BaseModel):
    at: datetime
    http_status: int | None = Field(description="The receiver's answer; null when it gave none")
    error: str | None = Field(description="Timeout or connection error, when there was no answer")
    duration_ms: int


class DeliveryView(BaseModel):
    id: int
    subscription_id: UUID
    case_id: UUID
    sequence: int = Field(description="The status change notified: increasing per case")
    status: str
    state: DeliveryState
    created_at: datetime
    finished_at: datetime | None
    next_attempt_at: datetime | None
    attempts: list[AttemptView]


def _refuse(reason: str, rule: str) -> Undecodable:
    return Undecodable(reason, path="/url", rule=rule)


def canonical_url(url: str) -> str:
    """The URL as it will be requested, so the allow-list is checked against what we connect to.

    Userinfo is refused: `http://127.0.0.1:80@evil.example/` would match `http://127.0.0.1:`.
    """
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError):
        raise _refuse("not a URL", "url") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise _refuse("an http or https URL with a host is required", "url")
    if parsed.userinfo or parsed.fragment:
        raise _refuse("a callback URL may carry neither credentials nor a fragment", "url")
    host = f"[{parsed.host}]" if ":" in parsed.host else parsed.host
    port = f":{parsed.port}" if parsed.port is not None else ""
    return f"{parsed.scheme}://{host}{port}{parsed.raw_path.decode('ascii')}"


def allowed(url: str, allowlist: tuple[str, ...]) -> bool:
    """A prefix matches only at a boundary: `https://hooks.example.org` allows neither
    `https://hooks.example.org.evil.example/` nor `https://hooks.example.orgx/`."""
    for prefix in allowlist:
        if url.startswith(prefix):
            rest = url[len(prefix) :]
            if prefix.endswith(("/", ":")) or not rest or rest[0] in "/:?":
                return True
    return False


def _owner(caller: Principal) -> str | None:
    """Whose subscriptions the caller sees: its own, or (an admin) everyone's."""
    return None if caller.is_admin else caller.actor


async def _check_owner(pool: asyncpg.Pool, subscription_id: UUID, caller: Principal) -> None:
    owner = await callbacks_store.owner_of(pool, subscription_id)
    if owner is None:
        raise NotFound(f"no callback subscription {subscription_id}")
    if not caller.is_admin and owner != caller.actor:
        raise Forbidden("this callback subscription belongs to another system")


def router_for(config: CallbackConfig) -> APIRouter:
    router = APIRouter(tags=["callbacks"])

    @router.post("/v1/callbacks", status_code=201)
    async def subscribe(
        body: NewSubscription, caller: Caller, runtime: RuntimeDep, response: Response
    ) -> SubscriptionView:
        """Notify `url` of every public status change of the channel's cases, from now on."""
        if not caller.is_admin and body.channel not in caller.channels:
            raise Forbidden(f"system {caller.subject} may not follow the {body.channel} channel")
        url = canonical_url(body.url)
        if not allowed(url, config.allowlist):
            raise _refuse("the URL is not in the callback allow-list", "not-allowed")
        secret = body.secret.get_secret_value()
        created = await callbacks_store.subscribe(runtime.pool, new_id(), body.channel, url, secret, caller.actor)
        log.info("callback.subscribed", subscription_id=str(created.id), channel=body.channel)
        response.headers["Location"] = f"/v1/callbacks/{created.id}"
        return SubscriptionView.model_validate(created, from_attributes=True)

    @router.get("/v1/callbacks")
    async def subscriptions(
        caller: Caller, runtime: RuntimeDep, channel: Channel | None = None
    ) -> list[SubscriptionView]:
        """The caller's active subscriptions (an admin: everyone's), without their secrets."""
        found = await callbacks_store.active(runtime.pool, channel, _owner(caller))
        return [SubscriptionView.model_validate(subscription, from_attributes=True) for subscription in found]

    @router.get("/v1/callbacks/deliveries")
    async def deliveries(
        caller: Caller,
        runtime: RuntimeDep,
        case_id: UUID | None = None,
        state: DeliveryState | None = None,
        subscription_id: UUID | None = None,
        limit: Annotated[int, Query(ge=1, le=200)] = 50,
    ) -> list[DeliveryView]:
        """Deliveries, newest first, each with every attempt made so far; a system names its subscription."""
        if subscription_id is not None:
            await _check_owner(runtime.pool, subscription_id, caller)
        elif not caller.is_admin:
            raise InvalidInput("name one of your subscriptions", "/query/subscription_id", "required")
        async with runtime.pool.acquire() as conn:
            found = await callbacks_store.deliveries(
                conn, case_id=case_id, state=state, subscription_id=subscription_id, limit=limit
            )
        return [DeliveryView.model_validate(delivery, from_attributes=True) for delivery in found]

    @router.delete("/v1/callbacks/{subscription_id}", status_code=204)
    async def unsubscribe(subscription_id: UUID, caller: Caller, runtime: RuntimeDep) -> None:
        """Stop notifying; deliveries still owed are cancelled."""
        await _check_owner(runtime.pool, subscription_id, caller)
        async with runtime.pool.acquire() as conn:
            if not await callbacks_store.unsubscribe(conn, subscription_id):
                raise NotFound(f"no callback subscription {subscription_id}")
        log.info("callback.unsubscribed", subscription_id=str(subscription_id))

    return router
