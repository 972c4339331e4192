"""Open311 GeoReport v2 output: documents in XML or JSON, dates, errors, and the records themselves.

One neutral tree (dicts, lists, scalars) renders both ways, so the two formats never drift apart:
XML with no namespace, JSON by the "Spark" mapping (the root dropped, repeated children an array).
Dates are W3C-DTF in China Standard Time with no fractions, which every known client parses.
Records are public: no contact data, free text as masked, and the place coarsened to the unit
grid (`public_point`, `public_address`; issue 9, docs/access.md "Personal data").
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Literal

import orjson
from fastapi import Response

from cityconfig.catalogue import Category
from cityconfig.city import City
from services.intake.application.ports import ReportSummary
from services.intake.domain.access import finest
from services.intake.domain.public_status import OPEN_STATUSES

Fmt = Literal["xml", "json"]
Node = dict[str, Any]
"""A document's tree: values are str, int, float, bool, None, a Node, or a list of those."""

CST = timezone(timedelta(hours=8), "CST")
"""China Standard Time: the city's clock, with no daylight saving, so a fixed offset is exact."""
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = datetime(2026, 11, 24, tzinfo=CST)
"""When this endpoint's behaviour last changed (discovery's `changeset`)."""
MEDIA_TYPES: dict[Fmt, str] = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'
CHILDREN = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
}
"""The element name of each array's items in XML (the Spark mapping drops it in JSON)."""
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
"""Characters XML 1.0 cannot carry; a stray one in a description would make the whole document unreadable."""
KIND_KEYWORDS = {"component": "部件,component", "matter": "事件,matter"}


class Open311Error(Exception):
    """A refusal in the spec's terms: an HTTP status (404, 403, 400) and one or more descriptions."""

    def __init__(self, status: int, *descriptions: str) -> None:
        super().__init__("; ".join(descriptions))
        self.status = status
        self.descriptions = descriptions


@dataclass(frozen=True)
class Document:
    """What a route answers: the XML root element and its content (an array or an object)."""

    root: str
    body: Node | list[Node]
    status: int = 200


def w3c(at: datetime | None) -> str | None:
    """W3C-DTF with a mandatory zone, `+08:00`, truncated to the second (clients choke on fractions)."""
    if at is None:
        return None
    return at.astimezone(CST).replace(microsecond=0).isoformat()


def render(fmt: Fmt, document: Document) -> Response:
    content = _json(document) if fmt == "json" else _xml(document)
    return Response(content, document.status, media_type=MEDIA_TYPES[fmt])


def error_document(error: Open311Error) -> Document:
    """`errors/error[]{code, description}`; the body's code repeats the HTTP status."""
    errors = [{"code": error.status, "description": description} for description in error.descriptions]
    return Document("errors", errors, error.status)


def _json(document: Document) -> bytes:
    return orjson.dumps(document.body)


def _xml(document: Document) -> bytes:
    root = ET.Element(document.root)
    _fill(root, document.body)
    # Long form for empty elements (`<zipcode></zipcode>`), as in the spec's own examples.
    text = ET.tostring(root, encoding="unicode", short_empty_elements=False)
    return (XML_DECLARATION + text).encode()


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for tag, child in value.items():
            _fill(ET.SubElement(element, tag), child)
    elif isinstance(value, list):
        for item in value:
            _fill(ET.SubElement(element, CHILDREN[element.tag]), item)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = NOT_XML.sub("", str(value))


def discovery(url: str, contact: str, key_service: str) -> Document:
    """Discovery: one production endpoint, both formats ("all fields required")."""
    endpoint = {
        "specification": SPECIFICATION,
        "url": url,
        "changeset": w3c(CHANGESET),
        "type": "production",
        "formats": ["text/xml", "application/json"],
    }
    body = {"changeset": w3c(CHANGESET), "contact": contact, "key_service": key_service, "endpoints": [endpoint]}
    return Document("discovery", body)


def service_list(categories: Sequence[Category]) -> Document:
    """The city's catalogue: a realtime service per category, grouped by its class (大类)."""
    return Document("services", [_service(category) for category in categories])


def _service(category: Category) -> Node:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.name_en,
        "metadata": True,
        "type": "realtime",
        "keywords": f"{KIND_KEYWORDS[category.kind]},{category.urgency}",
        "group": category.major_name,
    }


ATTRIBUTES: list[Node] = [
    {
        "variable": True,
        "code": "occurred_at",
        "datatype": "datetime",
        "required": False,
        "datatype_description": "W3C-DTF with a zone, e.g. 2026-11-24T09:30:00+08:00",
        "order": 1,
        "description": "发现时间 When was the problem seen?",
    },
    {
        "variable": True,
        "code": "grid_code",
        "datatype": "string",
        "required": False,
        "datatype_description": "15 digits",
        "order": 2,
        "description": "单元网格编码 The unit-grid code, if known (locates a report without lat/long)",
    },
    {
        "variable": True,
        "code": "coordinate_system",
        "datatype": "singlevaluelist",
        "required": False,
        "datatype_description": "Defaults to WGS84, as Open311 defines lat/long",
        "order": 3,
        "description": "坐标系 The datum of lat/long, for clients built on Chinese map services",
        "values": [
            {"key": "WGS84", "name": "WGS-84 (GPS)"},
            {"key": "GCJ02", "name": "GCJ-02 (AMap, Tencent maps)"},
            {"key": "BD09", "name": "BD-09 (Baidu maps)"},
            {"key": "CGCS2000", "name": "CGCS2000 (the national datum)"},
        ],
    },
]
"""Every category asks the same few things; nothing internal (self-disposal, deadlines) is offered."""


def service_definition(category: Category) -> Document:
    return Document("service_definition", {"service_code": category.code, "attributes": ATTRIBUTES})


def requests(rows: Sequence[ReportSummary], city: City) -> Document:
    """Request records, an array even for one (`requests/{id}`)."""
    return Document("service_requests", [request_record(row, city) for row in rows])


def request_record(row: ReportSummary, city: City) -> Node:
    """One case as the public sees it: every field present, null (empty in XML) when unknown."""
    category = city.category(row.category_code)
    photos: list[str] = row.photo_urls or []
    lat, lon = public_point(row, city)
    return {
        "service_request_id": row.case_number,
        "status": "open" if row.status in OPEN_STATUSES else "closed",
        "status_notes": row.status_note,
        "service_name": category.name if category else None,
        "service_code": row.category_code,
        "description": row.description,
        "agency_responsible": row.unit_name,
        "service_notice": service_notice(row),
        "requested_datetime": w3c(row.received_at),
        "updated_datetime": w3c(row.updated_at),
        "expected_datetime": w3c(row.expected_at),
        "address": public_address(row, city),
        "address_id": None,
        "zipcode": None,
        "lat": lat,
        "long": lon,
        "media_url": photos[0] if photos else None,
    }


def public_point(row: ReportSummary, city: City) -> tuple[float | None, float | None]:
    """Where the public sees a case: its unit grid's representative point, never the reported one.

    An exact point of a report made at someone's door says where they live; the grid (单元网格,
    a few hundred metres across) is fine enough to find the problem and coarse enough not to
    find a person. Without a grid the point is left out (issue 9; docs/access.md).
    """
    grid = city.jurisdiction(row.grid_code) if row.grid_code else None
    if grid is None or grid.level != "grid":
        return None, None
    lat, lon = city.representative_point(grid.code)
    return round(lat, 6), round(lon, 6)


def public_address(row: ReportSummary, city: City) -> str | None:
    """The case's jurisdictions by name (区 街道 社区 网格), in place of the address as typed.

    A typed address may name a home (`3单元502室`) or a person (`张家门口`), and no rule tells
    those from a street corner, so none is shown publicly; staff see it on the native API.
    """
    code = finest(row)
    names: list[str] = []
    while code and (jurisdiction := city.jurisdiction(code)) is not None:
        names.append(jurisdiction.name)
        code = jurisdiction.parent
    return " ".join(reversed(names)) or None


def service_notice(row: ReportSummary) -> str | None:
    """What happens next, when there is something to say: a merge (并单), or the on-site check (核实)."""
    if row.linked_number:
        return f"与案件 {row.linked_number} 为同一问题，已并单处理"
    if row.status == "received" and row.needs_confirmation:
        return "工作人员将先到现场核实，再派遣处置单位"
    return None


def posted(row: ReportSummary) -> Document:
    """POST's answer: the case number at once (we are realtime, so never a token)."""
    body = {"service_request_id": row.case_number, "service_notice": service_notice(row), "account_id": None}
    return Document("service_requests", [body])


def token(case_number: str) -> Document:
    return Document("service_requests", [{"service_request_id": case_number, "token": case_number}])
