"""What the fuzzers found, each pinned: a message that was retried for ever now fails for good.

The consumer retries whatever is not `InvalidInput` as transient (casekit/kafka/consumer.py), so
a decoder or upcaster that raises anything else on bad input blocks its partition for ever.
"""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from aiokafka.structs import ConsumerRecord

from casekit.errors import Undecodable
from casekit.eventtypes import EventTypes
from casekit.kafka.cloudevents import decode_event
from schemas.catalog import ALL_EVENTS, UPCASTERS

TYPES = EventTypes(ALL_EVENTS, UPCASTERS)
ROUTED = {
    "case_id": "01a23424-2c55-704b-9337-858395b37835",
    "unit_code": "municipal-works",
    "unit_name": "市政",
    "category_code": "01002",
    "rule": "category",
    "routed_at": "2026-12-02T00:25:16+00:00",
}


def record(body: Any, event_type: str = "dispatch.CaseRouted", **headers: str) -> ConsumerRecord[bytes, bytes]:
    value = body if isinstance(body, bytes) else orjson.dumps(body)
    attributes = {"ce_specversion": "1.0", "ce_id": "m-1", "ce_source": "/fuzz", "ce_type": event_type, **headers}
    encoded = [(name, text.encode()) for name, text in attributes.items()]
    return ConsumerRecord("cases.dispatch.v1", 0, 7, 0, 0, b"k", value, None, 1, len(value), encoded)


def test_the_seed_itself_decodes() -> None:
    assert decode_event(record(ROUTED), TYPES).data.model_dump(mode="json")["unit_code"] == "municipal-works"


@pytest.mark.parametrize("version", ["9" * 5000, "²", "٣", "1" * 10])
def test_a_schema_version_int_cannot_read_or_no_one_wrote_is_refused(version: str) -> None:
    # "9" * 5000 raised ValueError (int()'s 4300-digit limit) and "²" passed isdigit() only to fail int().
    with pytest.raises(Undecodable, match="ce_schemaversion is not a number"):
        decode_event(record(ROUTED, ce_schemaversion=version), TYPES)


@pytest.mark.parametrize("body", [[ROUTED], 3, None, True, orjson.dumps(ROUTED).decode()])
def test_event_data_that_is_not_a_json_object_is_refused(body: Any) -> None:
    # A list or number reached orjson.loads() as a non-string (TypeError); a JSON string holding an
    # event was parsed a second time and accepted.
    with pytest.raises(Undecodable, match="not a JSON object"):
        decode_event(record(body), TYPES)


@pytest.mark.parametrize(
    "location", [{"crs": "GCJ02", "lat": 34.2}, {"crs": "GCJ02", "lat": "north", "lon": 117.2}, {"crs": "BD09"}]
)
def test_an_old_version_the_upcaster_cannot_read_is_refused(location: dict[str, Any]) -> None:
    # v2 -> v3 converted any crs but WGS84 and raised KeyError/TypeError/ValueError on what it could not.
    body = {"channel": "grid", "category_code": "01002", "description": "x", "location": location,
            "received_at": "2026-12-02T00:25:16+00:00"}  # fmt: skip
    with pytest.raises(Undecodable, match="cannot be upcast"):
        decode_event(record(body, "intake.ReportReceived", ce_schemaversion="2"), TYPES)
