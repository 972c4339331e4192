"""Intake's Report aggregate: given events, when a command, then events or a refusal."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from casekit.errors import RuleViolation
from schemas.intake import Location, ReportSubmission
from services.intake.domain.report import DECIDER, SubmitReport, decide_submit

AT = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
SUBMISSION = ReportSubmission(
    channel="hotline",
    category_code="06010",
    description="暴露垃圾",
    location=Location(lat=34.26, lon=117.19),
    external_id="12345-0001",
)


def test_a_new_report_is_received_with_everything_it_was_submitted_with() -> None:
    cmd = SubmitReport(case_id=uuid4(), submission=SUBMISSION, at=AT)

    [event] = decide_submit(DECIDER.initial, cmd)

    assert event.case_id == cmd.case_id
    assert (event.channel, event.category_code, event.external_id) == ("hotline", "06010", "12345-0001")
    assert event.received_at == AT


def test_a_report_cannot_be_received_twice() -> None:
    cmd = SubmitReport(case_id=uuid4(), submission=SUBMISSION, at=AT)
    state = DECIDER.fold(decide_submit(DECIDER.initial, cmd))

    with pytest.raises(RuleViolation, match="already received"):
        decide_submit(state, cmd)


def test_received_state_remembers_channel_and_category() -> None:
    cmd = SubmitReport(case_id=uuid4(), submission=SUBMISSION, at=AT)

    state = DECIDER.fold(decide_submit(DECIDER.initial, cmd))

    assert (state.status, state.channel, state.category_code, state.received_at) == ("received", "hotline", "06010", AT)
