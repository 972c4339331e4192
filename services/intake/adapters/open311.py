"""Open311 GeoReport v2 at `/open311/v2/`: the city's catalogue and cases for third-party clients.

Decisions (the facts behind them are in the shared notes on Open311):
- Realtime: POST answers the case number (案件编号) as `service_request_id` at once; no token is
  ever issued. `tokens/{token}` accepts a case number as its own token, so a client that always
  looks its token up still finds its case; anything else is 404.
- One jurisdiction: `jurisdiction_id` is ignored, whatever its value (empty or not).
- API keys (POST only, as the spec says) are Intake's system keys (casekit.access.keys) with the
  `public` channel and the `reports:submit` scope: issued, rotated and revoked without a restart
  (`/v1/admin/api-keys`). The key's system becomes the events' actor (`system:<client>`).
- Every answer on these paths is Open311's: errors are `errors/error[]` in the asked format,
  never the native problem+json, so refusals are caught here rather than by the app's handlers.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

import asyncpg
from fastapi import APIRouter, Request, Response
from pydantic_settings import BaseSettings, SettingsConfigDict
from starlette.types import Scope

from casekit.access.guard import Access, client_address
from casekit.access.principal import Principal
from casekit.envelope import EventMeta, utc_now
from casekit.errors import Forbidden, InvalidInput, TooManyRequests
from casekit.logs import get_logger
from casekit.web.nul import DETAIL, Where
from casekit.web.problems import count_refusal
from cityconfig.catalogue import Category
from cityconfig.city import City
from schemas.access import SUBMIT_REPORTS
from services.intake.adapters.deps import IntakeDep
from services.intake.adapters.open311_format import (
    Document,
    Fmt,
    Open311Error,
    discovery,
    error_document,
    posted,
    render,
    requests,
    service_definition,
    service_list,
    token,
)
from services.intake.adapters.open311_input import read_form, refusal, request_filter, submission_of
from services.intake.adapters.views import reports
from services.intake.application.commands import submit_report
from services.intake.application.context import Intake

log = get_logger("intake")
PREFIX = "/open311/v2"
router = APIRouter(prefix=PREFIX, tags=["open311"])
FORMATS: tuple[Fmt, ...] = ("xml", "json")
BAD_KEY = "Invalid api_key received -- can't proceed with create_request."


class Open311Settings(BaseSettings):
    """OPEN311_CONTACT, OPEN311_KEY_SERVICE: this module's own, beside Intake's."""

    model_config = SettingsConfigDict(env_prefix="OPEN311_", extra="ignore", frozen=True)

    contact: str = "城市管理局 City urban management bureau, hotline 12319"
    key_service: str = "API keys are issued by the city's urban management bureau on request"


async def _client(request: Request, api_key: str | None) -> Principal:
    """The system holding this key, allowed to post public reports, within its rate limits."""
    access: Access = request.app.state.access
    await access.limits.address(client_address(request))
    principal = await access.keys.verify(api_key) if api_key else None
    if principal is None or SUBMIT_REPORTS not in principal.scopes:
        count_refusal(request, 403)
        raise Open311Error(403, BAD_KEY)
    await access.limits.caller(principal.actor)
    return principal


async def _answer(suffix: str, make: Callable[[], Awaitable[Document]]) -> Response:
    """The document in the asked format, or the refusal as Open311 errors in that format."""
    fmt = next((known for known in FORMATS if known == suffix), None)
    if fmt is None:
        return render("xml", error_document(Open311Error(404, f"format {suffix!r} not found: use .xml or .json")))
    try:
        document = await make()
    except Open311Error as error:
        document = error_document(error)
    except InvalidInput as exc:
        document = error_document(refusal(exc))
    except Forbidden as exc:
        document = error_document(Open311Error(403, str(exc)))
    except TooManyRequests as exc:
        answer = render(fmt, error_document(Open311Error(429, str(exc))))
        answer.headers["Retry-After"] = str(exc.retry_after)
        return answer
    return render(fmt, document)


def nul_refusal(scope: Scope, where: Where) -> Response:
    """A NUL character refused (casekit.web.nul) as Open311's 400, in the format the path asks for."""
    suffix = str(scope["path"]).rpartition(".")[2]
    fmt: Fmt = next((known for known in FORMATS if known == suffix), "xml")
    return render(fmt, error_document(Open311Error(400, DETAIL.format(where=where))))


@router.get("/discovery.{suffix}")
async def get_discovery(suffix: str, request: Request) -> Response:
    """Service discovery: where the endpoint is, its formats, whom to ask for a key."""
    return await _answer(suffix, lambda: _discovery(str(request.base_url)))


async def _discovery(base_url: str) -> Document:
    settings = Open311Settings()
    return discovery(f"{base_url}{PREFIX.lstrip('/')}/", settings.contact, settings.key_service)


@router.get("/services.{suffix}")
async def get_services(suffix: str, intake: IntakeDep) -> Response:
    """The service list: one service per category of the city's catalogue."""
    return await _answer(suffix, lambda: _services(intake.city))


async def _services(city: City) -> Document:
    return service_list(list(city.categories.values()))


@router.get("/services/{service_code}.{suffix}")
async def get_service_definition(service_code: str, suffix: str, intake: IntakeDep) -> Response:
    """A service definition: the few optional attributes every category accepts."""
    return await _answer(suffix, lambda: _definition(intake.city, service_code))


async def _definition(city: City, code: str) -> Document:
    return service_definition(_category(city, code))


def _category(city: City, code: str | None) -> Category:
    if code is None:
        raise Open311Error(400, "service_code: not provided")
    category = city.category(code)
    if category is None:
        raise Open311Error(404, f"service_code {code} not found")
    return category


@router.post("/requests.{suffix}")
async def post_request(suffix: str, request: Request, intake: IntakeDep) -> Response:
    """Create a service request: a public report (上报), form-encoded, with an api_key."""
    return await _answer(suffix, lambda: _create(request, intake))


async def _create(request: Request, intake: Intake) -> Document:
    if request.headers.get("content-type", "").startswith("multipart/"):
        raise Open311Error(400, "send application/x-www-form-urlencoded; photos are media_url links")
    form = read_form(await request.body())
    client = await _client(request, form.get("api_key") or request.query_params.get("api_key"))
    submission = submission_of(form, _category(intake.city, form.get("service_code")))
    submitted = await submit_report(
        submission,
        intake,
        EventMeta.traced(client.actor),
        client=client.actor,
        idempotency_key=request.headers.get("idempotency-key"),
        caller=client,
    )
    log.info(
        "open311.submitted", case_id=str(submitted.case_id), client=client.subject, category=submission.category_code
    )
    return posted(submitted.view)


@router.get("/requests.{suffix}")
async def get_requests(suffix: str, request: Request, intake: IntakeDep) -> Response:
    """Service requests, newest first: by `service_request_id`s, or by codes, dates and status; paged."""
    return await _answer(suffix, lambda: _search(request.query_params, intake.store.pool, intake.city))


async def _search(params: Mapping[str, str], pool: asyncpg.Pool, city: City) -> Document:
    chosen = request_filter(params, city, utc_now())
    if chosen.ids:  # ids override every other filter, as the spec says
        return requests(await reports.by_numbers(pool, chosen.ids), city)
    # request_filter sets the window whenever no ids are given.
    assert chosen.start is not None
    assert chosen.end is not None
    found = await reports.in_window(
        pool, chosen.start, chosen.end, chosen.codes, chosen.open_only, chosen.page, chosen.page_size
    )
    return requests(found, city)


@router.get("/requests/{service_request_id}.{suffix}")
async def get_request(service_request_id: str, suffix: str, intake: IntakeDep) -> Response:
    """One service request by its case number, as a one-element array."""
    return await _answer(suffix, lambda: _one(service_request_id, intake.store.pool, intake.city))


async def _one(case_number: str, pool: asyncpg.Pool, city: City) -> Document:
    rows = await reports.by_numbers(pool, [case_number])
    if not rows:
        raise Open311Error(404, f"service_request_id {case_number} not found")
    return requests(rows, city)


@router.get("/tokens/{token_id}.{suffix}")
async def get_token(token_id: str, suffix: str, intake: IntakeDep) -> Response:
    """We never issue tokens (realtime); a case number is accepted as its own token."""
    return await _answer(suffix, lambda: _token(token_id, intake.store.pool))


async def _token(token_id: str, pool: asyncpg.Pool) -> Document:
    if not await reports.case_by_number(pool, token_id):
        raise Open311Error(404, f"token {token_id} not found")
    return token(token_id)
