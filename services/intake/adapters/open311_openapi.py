"""What the Open311 routes declare in Intake's OpenAPI document: their real parameters, the POST's
form, both formats, and the spec's error documents (issue 9: they declared none, so a client
generator or a fuzzer could not reach them).

The routes read `request.query_params` and the raw form themselves (clients send what the spec
allows and more), so the declarations go in `openapi_extra`, which FastAPI merges into each
operation; the `parameters` given there are added to the path parameters of the signature.
casekit.web.limits reads the POST's declared media type to refuse any other with 415.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path

from services.intake.adapters.open311_format import MEDIA_TYPES

FORM = "application/x-www-form-urlencoded"
XML, JSON = (MEDIA_TYPES[fmt].split(";")[0] for fmt in ("xml", "json"))
ERRORS_JSON: dict[str, Any] = {
    "type": "array",
    "description": "Open311 errors: one per reason, `code` repeating the HTTP status",
    "items": {
        "type": "object",
        "required": ["code", "description"],
        "properties": {"code": {"type": "integer"}, "description": {"type": "string"}},
    },
}
ERRORS_XML: dict[str, Any] = {
    "type": "object",
    "xml": {"name": "errors"},
    "properties": {"error": {**ERRORS_JSON, "xml": {"name": "error"}}},
}
ERRORS = {
    400: "Refused input, named by the field the client sent",
    403: "A missing or unknown api_key",
    404: "No such service, request, token or format (.xml or .json only)",
    413: "The form is larger than the limit",
    414: "The request target is longer than the limit",
    415: "Not application/x-www-form-urlencoded (photos are media_url links)",
    429: "Too many requests; retry after the number of seconds in Retry-After",
    431: "The header fields are larger than the limit",
    500: "The service failed; the last description names the trace",
}
EVERY = (400, 404, 414, 431, 500)
"""What any Open311 operation may answer: a NUL anywhere is 400, an unknown format 404."""


def _query(name: str, description: str, **schema: Any) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": {"type": "string", **schema}}  # fmt: skip


Suffix = Annotated[str, Path(description="The format of the answer", json_schema_extra={"enum": ["xml", "json"]})]
"""Declared as xml or json; any other is the route's own 404, not FastAPI's 422."""
JURISDICTION = _query("jurisdiction_id", "Ignored: this endpoint serves one jurisdiction")
SEARCH = [
    _query("service_request_id", "Case numbers, comma-separated; when given, every other filter is ignored"),
    _query("service_code", "Service codes, comma-separated"),
    _query("start_date", "W3C-DTF with a zone; the 90 days after it when alone", format="date-time"),
    _query("end_date", "W3C-DTF with a zone; the 90 days before it when alone", format="date-time"),
    _query("status", "open, closed, or both comma-separated"),
    {**_query("page", "From 1"), "schema": {"type": "integer", "minimum": 1, "maximum": 999999}},
    {**_query("page_size", "At most 1000"), "schema": {"type": "integer", "minimum": 1, "maximum": 1000}},
]
TEXT = {"type": "string", "pattern": r"\S"}
REQUEST_FORM: dict[str, Any] = {
    "type": "object",
    "required": ["api_key", "service_code"],
    "properties": {
        "api_key": {"type": "string", "description": "Issued by the city; names the events' actor"},
        "jurisdiction_id": {"type": "string", "description": "Ignored"},
        "service_code": {"type": "string", "description": "A code from services.xml"},
        "lat": {"type": "number", "minimum": -90, "maximum": 90, "description": "WGS-84 unless told otherwise"},
        "long": {"type": "number", "minimum": -180, "maximum": 180},
        "address_string": {**TEXT, "maxLength": 200},
        "address_id": {"type": "string", "description": "Refused: this city keeps no address ids"},
        "email": {"type": "string", "description": "Dropped: never kept"},
        "device_id": {"type": "string"},
        "account_id": {"type": "string"},
        "first_name": {**TEXT, "maxLength": 50},
        "last_name": {**TEXT, "maxLength": 50},
        "phone": {"type": "string", "description": "Digits are kept, other characters dropped"},
        "description": {**TEXT, "maxLength": 2000, "description": "At most 2000 characters (not 4000)"},
        "media_url": {"type": "array", "items": {"type": "string", "format": "uri"}, "maxItems": 9},
        "attribute[occurred_at]": {"type": "string", "format": "date-time"},
        "attribute[grid_code]": {"type": "string", "pattern": r"^\d{15}$"},
        "attribute[coordinate_system]": {"type": "string", "enum": ["WGS84", "GCJ02", "BD09", "CGCS2000"]},
    },
    "additionalProperties": {"type": "string"},
}


def document(ok: str, *errors: int, parameters: list[dict[str, Any]], body: bool = False) -> dict[str, Any]:
    """`openapi_extra` and `responses` for one route: its parameters, form, answer and errors."""
    both = {XML: {"schema": {"type": "object"}}, JSON: {"schema": {}}}
    responses: dict[int | str, dict[str, Any]] = {200: {"description": ok, "content": both}}
    for status in sorted({*EVERY, *errors}):
        content = {XML: {"schema": ERRORS_XML}, JSON: {"schema": ERRORS_JSON}}
        responses[status] = {"description": ERRORS[status], "content": content}
        if status == 429:
            responses[status]["headers"] = {"Retry-After": {"schema": {"type": "integer"}}}
    extra: dict[str, Any] = {"parameters": [*parameters, JURISDICTION]}  # beside the signature's
    if body:
        form = {"schema": REQUEST_FORM, "encoding": {"media_url": {"explode": True}}}
        extra["requestBody"] = {"required": True, "content": {FORM: form}}
    return {"openapi_extra": extra, "responses": responses}


DISCOVERY = document("Where the endpoint is, its formats, whom to ask for a key", parameters=[])
SERVICES = document("One service per category of the city's catalogue", parameters=[])
DEFINITION = document("The optional attributes every service accepts", parameters=[])
CREATE = document("The case opened: its number as service_request_id", 403, 413, 415, 429, parameters=[], body=True)
SEARCH_REQUESTS = document("Service requests, newest first", parameters=SEARCH)
ONE_REQUEST = document("The one service request, as a one-element array", parameters=[])
TOKEN = document("The token's service request id (a case number is its own token)", parameters=[])
