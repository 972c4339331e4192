"""Intake's Report aggregate: given events, when a command, then events or a refusal."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from casekit.errors import RuleViolation
from schemas.intake import Location, Place, ReceivedLocation, ReportLinked, ReportReceived, ReportSubmission
from services.intake.domain.report import DECIDER, Duplicate, SubmitReport, decide_submit

AT = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
SUBMISSION = ReportSubmission(
    channel="hotline",
    category_code="06010",
    description="暴露垃圾",
    location=Location(lat=34.26, lon=117.19),
    external_id="12345-0001",
)


def submit(duplicate: Duplicate | None = None, submission: ReportSubmission = SUBMISSION) -> SubmitReport:
    return SubmitReport(
        case_id=uuid4(),
        case_number="HL-20261124-000001",
        submission=submission,
        location=ReceivedLocation(lat=34.26, lon=117.19),
        place=Place(grid_code="320302001001001"),
        at=AT,
        duplicate_of=duplicate,
    )


def test_a_new_report_is_received_with_everything_it_was_submitted_with() -> None:
    cmd = submit()

    [event] = decide_submit(DECIDER.initial, cmd)

    assert isinstance(event, ReportReceived)
    assert (event.case_id, event.case_number) == (cmd.case_id, "HL-20261124-000001")
    assert (event.channel, event.category_code, event.external_id) == ("hotline", "06010", "12345-0001")
    assert event.place == Place(grid_code="320302001001001")
    assert event.received_at == AT


@pytest.mark.parametrize(("channel", "needs"), [("hotline", True), ("public", True), ("grid", False)])
def test_hotline_and_public_reports_need_confirmation_patrol_reports_do_not(channel: str, needs: bool) -> None:
    [event] = decide_submit(DECIDER.initial, submit(submission=SUBMISSION.model_copy(update={"channel": channel})))

    assert isinstance(event, ReportReceived)
    assert event.needs_confirmation is needs


def test_a_duplicate_is_linked_to_the_open_case_instead_of_opening_one() -> None:
    primary = uuid4()

    [event] = decide_submit(DECIDER.initial, submit(Duplicate(primary, 21.37)))

    assert isinstance(event, ReportLinked)
    assert (event.linked_to_case_id, event.distance_m) == (primary, 21.4)
    assert DECIDER.fold([event]).status == "linked"


def test_a_report_cannot_be_received_twice() -> None:
    cmd = submit()
    state = DECIDER.fold(decide_submit(DECIDER.initial, cmd))

    with pytest.raises(RuleViolation, match="already received"):
        decide_submit(state, cmd)
