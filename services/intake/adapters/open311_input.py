"""Open311 GeoReport v2 input: the POST form and the GET filters, read into Intake's terms.

Third-party clients send what their own code happens to produce: empty parameters, attributes
we never defined, several `media_url`s, a `+` in a date decoded as a space, phones with brackets.
What does no harm is accepted; what would open a wrong case is refused with the field's Open311 name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import parse_qsl

from annotated_types import MaxLen
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from casekit.errors import InvalidInput
from cityconfig.catalogue import Category
from cityconfig.city import City
from schemas.intake import ReportSubmission
from services.intake.adapters.open311_format import CST, Open311Error

DESCRIPTION_LIMIT: int = next(
    rule.max_length for rule in ReportSubmission.model_fields["description"].metadata if isinstance(rule, MaxLen)
)
"""Our contract keeps 2,000 characters of description, where Open311 allows 4,000."""
PHOTO_LIMIT = 9
W3C_DTF = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$")
SPACED_ZONE = re.compile(r" (\d{2}:\d{2})$")
ATTRIBUTE = re.compile(r"^attribute\[([^\]]+)\](\[\])?$")
CJK = re.compile(r"[\u3400-\u9fff]")
MAX_FIELDS = 200
TEXT_FIELDS = ("description", "address_string", "first_name", "last_name")
"""Free text: sent empty it is absent, as every parameter; sent as white space only it is refused."""
MAX_SPAN = timedelta(days=90)
MAX_PAGE_SIZE = 1000
FIELD_NAMES = {
    ("category_code",): "service_code",
    ("description",): "description",
    ("location", "lat"): "lat",
    ("location", "lon"): "long",
    ("location", "address"): "address_string",
    ("location", "grid_code"): "attribute[grid_code]",
    ("location", "crs"): "attribute[coordinate_system]",
    ("location",): "lat/long",
    ("occurred_at",): "attribute[occurred_at]",
    ("photo_urls",): "media_url",
    ("reporter", "name"): "first_name/last_name",
    ("reporter", "phone"): "phone",
}
"""Where a contract path is, in the names the client sent."""


def parse_w3c(value: str, name: str) -> datetime:
    """W3C-DTF with a zone (Z or an offset); a `+` that arrived as a space is put back.

    A bare date is the city's calendar day, from midnight China time.
    """
    text = SPACED_ZONE.sub(r"+\1", value.strip())
    if not W3C_DTF.match(text):
        example = "2026-11-24T09:00:00+08:00"
        raise Open311Error(400, f"{name}: {value!r} is not a W3C-DTF datetime with a zone, e.g. {example}")
    try:
        if "T" not in text:
            return datetime.combine(date.fromisoformat(text), time(), CST)
        return datetime.fromisoformat(text)
    except ValueError:  # the right shape, but no such day or time (2026-02-30, 25:00)
        raise Open311Error(400, f"{name}: {value!r} is not a real date and time") from None


@dataclass(frozen=True)
class Form:
    """A POSTed form: empty values dropped (an empty parameter is an absent one), blank text refused."""

    fields: dict[str, str] = field(default_factory=dict)
    media_urls: list[str] = field(default_factory=list)
    attributes: dict[str, list[str]] = field(default_factory=dict)

    def get(self, name: str) -> str | None:
        return self.fields.get(name)

    def attribute(self, code: str) -> str | None:
        values = self.attributes.get(code)
        return values[0] if values else None


def read_form(body: bytes) -> Form:
    """`application/x-www-form-urlencoded`, UTF-8; `attribute[code]` and `attribute[code][]` collected."""
    try:
        pairs = parse_qsl(body.decode("utf-8"), errors="strict", max_num_fields=MAX_FIELDS)
    except UnicodeDecodeError:
        raise Open311Error(400, "the form is not UTF-8 (application/x-www-form-urlencoded; charset=utf-8)") from None
    except ValueError:
        raise Open311Error(400, f"the form has more than {MAX_FIELDS} fields") from None
    fields: dict[str, str] = {}
    media_urls: list[str] = []
    attributes: dict[str, list[str]] = {}
    for name, value in pairs:
        if not value.strip():
            if value and name in TEXT_FIELDS:
                raise Open311Error(400, f"{name}: white space only; send some text, or leave the field out")
            continue
        if name in ("media_url", "media_url[]"):
            media_urls.append(value.strip())
        elif match := ATTRIBUTE.match(name):
            attributes.setdefault(match[1], []).append(value.strip())
        else:
            fields.setdefault(name, value if name == "description" else value.strip())
    return Form(fields, media_urls, attributes)


def submission_of(form: Form, category: Category) -> ReportSubmission:
    """The public report this form describes; personal data only in `reporter`, email dropped."""
    raw: dict[str, Any] = {
        "channel": "public",
        "category_code": category.code,
        "description": _description(form, category),
        "location": _location(form),
        "occurred_at": _occurred_at(form),
        "photo_urls": form.media_urls[:PHOTO_LIMIT],
        "reporter": _reporter(form),
    }
    try:
        return ReportSubmission.model_validate(raw)
    except ValidationError as exc:
        raise Open311Error(400, *(_described(error) for error in exc.errors())) from None


def _description(form: Form, category: Category) -> str:
    """The text as sent; a client that sends none (it is optional in Open311) gets the service's name."""
    text = form.get("description")
    if text is None:
        return category.name
    if len(text) > DESCRIPTION_LIMIT:
        raise Open311Error(
            400, f"description: {len(text)} characters; this city keeps at most {DESCRIPTION_LIMIT} (not 4000)"
        )
    return text


def _location(form: Form) -> dict[str, Any]:
    lat, lon, address = form.get("lat"), form.get("long"), form.get("address_string")
    grid = form.attribute("grid_code")
    if (lat is None) != (lon is None):
        raise Open311Error(400, "lat/long: lat and long come together")
    if lat is None and address is None and grid is None:
        if form.get("address_id"):
            raise Open311Error(400, "address_id: this city keeps no address ids; send lat and long, or address_string")
        raise Open311Error(400, "location: required; send lat and long (WGS-84), or address_string")
    where: dict[str, Any] = {"lat": lat, "lon": lon, "address": address, "grid_code": grid}
    if crs := form.attribute("coordinate_system"):
        where["crs"] = crs.upper()
    return where


def _occurred_at(form: Form) -> datetime | None:
    value = form.attribute("occurred_at")
    return parse_w3c(value, "attribute[occurred_at]") if value else None


def _reporter(form: Form) -> dict[str, str | None] | None:
    name = full_name(form.get("first_name"), form.get("last_name"))
    phone = _phone(form.get("phone"))
    if name is None and phone is None:
        return None
    return {"name": name, "phone": phone}


def full_name(first: str | None, last: str | None) -> str | None:
    """姓名: a Chinese name is family name first with no space (王 + 小明 = 王小明); others "First Last"."""
    parts = [part for part in (first, last) if part]
    if not parts:
        return None
    if CJK.search("".join(parts)):
        return "".join(reversed(parts)) if first and last else parts[0]
    return " ".join(parts)


def _phone(phone: str | None) -> str | None:
    """Digits (and a leading +) only: `(0516) 8380-1234` is a good number, not a reason to refuse a report."""
    if phone is None:
        return None
    digits = re.sub(r"\D", "", phone)
    if not digits:
        return None
    return ("+" if phone.startswith("+") else "") + digits


def _described(error: ErrorDetails) -> str:
    path = tuple(part for part in error["loc"] if isinstance(part, str))
    name = FIELD_NAMES.get(path[:2]) or FIELD_NAMES.get(path[:1]) or ".".join(path)
    return f"{name}: {error['msg']}"


def refusal(exc: InvalidInput) -> Open311Error:
    """The city's refusal (outside the city, unknown grid…) in the field names the client used."""
    name = FIELD_NAMES.get(tuple(exc.path.strip("/").split("/")), exc.path or "request")
    return Open311Error(400, f"{name}: {exc.reason}")


@dataclass(frozen=True)
class RequestFilter:
    """GET requests: by ids (which override everything else), or by codes, a window and open/closed."""

    ids: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    open_only: bool | None = None
    """True: open only; False: closed only; None: both."""
    page: int = 1
    page_size: int = MAX_PAGE_SIZE


def request_filter(params: Mapping[str, str], city: City, now: datetime) -> RequestFilter:
    page, page_size = _paging(params)
    ids = _list(params, "service_request_id")
    if ids:
        return RequestFilter(ids=ids, page=page, page_size=page_size)
    codes = _list(params, "service_code")
    if unknown := [code for code in codes if city.category(code) is None]:
        raise Open311Error(404, *(f"service_code {code} not found" for code in unknown))
    start, end = _window(_param(params, "start_date"), _param(params, "end_date"), now)
    return RequestFilter((), codes, start, end, _open_only(params), page, page_size)


def _param(params: Mapping[str, str], name: str) -> str | None:
    value = params.get(name, "").strip()
    return value or None


def _list(params: Mapping[str, str], name: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in (_param(params, name) or "").split(",") if item.strip())


def _window(start_text: str | None, end_text: str | None, now: datetime) -> tuple[datetime, datetime]:
    """The last 90 days by default; one bound alone means the 90 days on its side of it."""
    start = parse_w3c(start_text, "start_date") if start_text else None
    end = parse_w3c(end_text, "end_date") if end_text else None
    if start is None:
        end = end or now
        return end - MAX_SPAN, end
    if end is None:
        return start, start + MAX_SPAN
    if start > end:
        raise Open311Error(400, "start_date: after end_date")
    if end - start > MAX_SPAN:
        raise Open311Error(400, "start_date/end_date: a search spans at most 90 days")
    return start, end


def _open_only(params: Mapping[str, str]) -> bool | None:
    statuses = {status.lower() for status in _list(params, "status")}
    if unknown := statuses - {"open", "closed"}:
        raise Open311Error(400, f"status: {', '.join(sorted(unknown))} is not open or closed")
    if len(statuses) == 1:
        return statuses == {"open"}
    return None


def _paging(params: Mapping[str, str]) -> tuple[int, int]:
    """The common `page`/`page_size` extension; a page past the end is empty, not the last one again."""
    page = _positive(params, "page", 1)
    page_size = _positive(params, "page_size", MAX_PAGE_SIZE)
    if page_size > MAX_PAGE_SIZE:
        raise Open311Error(400, f"page_size: at most {MAX_PAGE_SIZE}")
    return page, page_size


def _positive(params: Mapping[str, str], name: str, default: int) -> int:
    text = _param(params, name)
    if text is None:
        return default
    if not re.fullmatch(r"[0-9]{1,6}", text) or int(text) < 1:
        raise Open311Error(400, f"{name}: {text!r} is not a whole number from 1 to 999999")
    return int(text)
