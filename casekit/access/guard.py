"""The one gate every protected route passes: who calls (401), may they (403), how often (429).

Routes declare `caller: Caller`; the row comes from `schemas.access.TABLE` by the route's name,
so a route cannot name the wrong row, and one without a row is refused. Refusals are counted
(`access_refusals_total`) where problems are rendered (casekit/web/problems.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from casekit.access.keys import PREFIX, KeyVerifier
from casekit.access.principal import Principal
from casekit.access.ratelimit import RateLimits
from casekit.access.tokens import BadToken, TokenVerifier
from casekit.errors import Forbidden, Unauthenticated
from schemas.access import Rule, rule_for

MAX_CREDENTIAL_LENGTH = 8192
NO_CREDENTIALS = "no credentials: send `Authorization: Bearer <token or API key>`"


@dataclass(frozen=True)
class Access:
    """What a service needs to verify callers; built once at start-up (casekit/service.py)."""

    service: str
    tokens: TokenVerifier
    keys: KeyVerifier
    limits: RateLimits

    async def identify(self, request: Request) -> Principal:
        credential = self._credential(request)
        if credential.startswith(PREFIX):
            principal = await self.keys.verify(credential)
            if principal is None:
                raise Unauthenticated("the API key is unknown, expired or revoked")
            return principal
        try:
            return await self.tokens.verify(credential)
        except BadToken as refused:
            raise Unauthenticated(str(refused)) from None

    @staticmethod
    def _credential(request: Request) -> str:
        header = request.headers.get("authorization") or None  # an empty one is none
        key = request.headers.get("x-api-key") or None
        if header is None and key is None:
            raise Unauthenticated(NO_CREDENTIALS)
        if header is not None:
            scheme, _, value = header.partition(" ")
            if scheme.lower() != "bearer" or not value.strip():
                raise Unauthenticated("only the Bearer scheme is accepted")
            key = value.strip()
        assert key is not None
        if len(key) > MAX_CREDENTIAL_LENGTH:
            raise Unauthenticated("the credential is too long")
        return key


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def permits(rule: Rule, principal: Principal) -> bool:
    if principal.kind == "system":
        return bool(rule.scopes & principal.scopes)
    return bool(rule.roles & principal.roles)


def refusal(rule: Rule, principal: Principal) -> Forbidden:
    if principal.kind == "system":
        wanted = " or ".join(sorted(rule.scopes)) or "a person's role"
        return Forbidden(f"system {principal.subject} may not {rule.summary}: it needs the scope {wanted}")
    return Forbidden(f"the role {', '.join(sorted(principal.roles))} may not {rule.summary}")


# Declared so the OpenAPI documents name both ways in (and a fuzzer can use them); read below.
BEARER = HTTPBearer(auto_error=False, description="A JWT from the city's identity provider, or an API key")
API_KEY = APIKeyHeader(name="X-API-Key", auto_error=False, description="A system's API key")


async def authorise(
    request: Request,
    _bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)],
    _key: Annotated[str | None, Depends(API_KEY)],
) -> Principal:
    access: Access = request.app.state.access
    name = getattr(request.scope.get("route"), "name", "")
    rule = rule_for(access.service, name)
    if rule is None:
        raise Forbidden(f"the operation {access.service}.{name} has no row in the authorisation table")
    if rule.write:
        await access.limits.address(client_address(request))
    principal = await access.identify(request)
    if not permits(rule, principal):
        raise refusal(rule, principal)
    if rule.write:
        await access.limits.caller(principal.actor)
    request.state.principal = principal
    return principal


Caller = Annotated[Principal, Depends(authorise)]
"""A route's verified caller, allowed by the table; what it may see inside is the route's to check."""
