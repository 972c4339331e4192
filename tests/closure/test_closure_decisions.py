"""Closure's CaseClosure aggregate."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

from services.closure.domain.closure import DECIDER, OpenClosure, decide_open

AT = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)


def test_a_routed_case_gets_an_open_closure_record_for_its_unit() -> None:
    [event] = decide_open(DECIDER.initial, OpenClosure(case_id=uuid4(), unit_code="sanitation", at=AT))

    assert (event.unit_code, event.opened_at) == ("sanitation", AT)


def test_a_closure_record_is_opened_only_once_even_when_the_case_is_routed_again() -> None:
    cmd = OpenClosure(case_id=uuid4(), unit_code="sanitation", at=AT)
    state = DECIDER.fold(decide_open(DECIDER.initial, cmd))

    assert decide_open(state, cmd) == []  # a re-route does not open a second record
    assert decide_open(state, OpenClosure(case_id=cmd.case_id, unit_code="landscaping", at=AT)) == []
