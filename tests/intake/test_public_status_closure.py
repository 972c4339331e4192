"""What the public is told of Closure's events (公开状态): each step of the loop, from the contract examples.

The whole loop with the real services is tests/closure/test_closure_loop.py; here, the table itself.
"""

from __future__ import annotations

from typing import Any, get_args

import pytest

from schemas.base import Event
from schemas.closure import CLOSURE_EVENTS, CallbackRecorded, CaseClosed, CaseReopened, DisposalReported, ReviewDecided
from schemas.examples_closure import CLOSURE_EXAMPLES
from services.intake.domain.public_status import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    PublicStatus,
    StatusChange,
    public_change,
)

SILENT = {
    "closure.ClosureOpened", "closure.ResponsibilityMoved", "closure.ReturnNoted", "closure.SignForNoted",
    "closure.DisposalStarted", "closure.VerificationPassed", "closure.VerificationFailed", "closure.DeadlineExtended",
    "closure.DeadlineWarned", "closure.DeadlineOverdue", "closure.CaseEscalated",
    "closure.ProgressNoted", "closure.CaseReplied", "closure.CaseUrged", "closure.CallbackHeld",
}  # fmt: skip
"""Closure's events the public is not told of: Dispatch already said so, they are the city's own business,
or the 12345 hotline is told of them itself (its messages, docs/hotline.md)."""


def example(event_class: type[Any], **changes: Any) -> Any:
    return CLOSURE_EXAMPLES[event_class].model_copy(update=changes)


def told_of(event_class: type[Event]) -> StatusChange | None:
    """What the public is told of the contract's example of `event_class`."""
    event = CLOSURE_EXAMPLES[event_class]
    assert isinstance(event, Event)
    return public_change(event)


@pytest.mark.parametrize(
    ("event", "status", "note"),
    [
        (example(DisposalReported), "disposed", "责任单位已处置，待核查"),
        (example(CaseClosed), "closed", "核查通过，已结案"),
        (example(CaseClosed, kind="special", reason="已拆除"), "closed", "已结案（特殊结案）"),
        (example(CallbackRecorded, result="satisfied"), "closed", "已回访，已结案"),
        (example(CallbackRecorded, result="basically_satisfied"), "closed", "已回访，已结案"),
        (example(CaseReopened), "reopened", "回访不满意，已重新交办"),
        (example(CaseReopened, cause="review"), "reopened", "复核后重新办理"),
        (example(ReviewDecided, decision="uphold"), "closed", "复核维持结案"),
    ],
    ids=lambda value: value if isinstance(value, str) else type(value).__name__,
)
def test_each_step_of_the_loop_tells_the_public_where_the_case_stands(event: Any, status: str, note: str) -> None:
    change = public_change(event)

    assert change is not None
    assert (change.status, change.note) == (status, note)
    assert change.at is not None
    assert not change.note.isascii()  # Intake's own Chinese template, never the event's free text


@pytest.mark.parametrize(
    "event",
    [
        example(CallbackRecorded, result="unsatisfied"),  # the reopening or the review that follows says it
        example(CallbackRecorded, result="unreachable"),  # nothing changed for the resident yet
        example(ReviewDecided, decision="reopen"),  # CaseReopened follows
        example(DisposalReported, unit_code=None, method=None, round=1),  # a self-disposal: Dispatch said so
    ],
    ids=["unsatisfied", "unreachable", "review-reopens", "self-disposal"],
)
def test_a_step_another_event_already_tells_of_changes_nothing_public(event: Any) -> None:
    assert public_change(event) is None


def test_every_closure_event_is_told_to_the_public_or_deliberately_not() -> None:
    told = {cls.type for cls in CLOSURE_EVENTS if told_of(cls) is not None}
    statuses = {change.status for cls in CLOSURE_EVENTS if (change := told_of(cls))}

    assert told | SILENT | {CallbackRecorded.type} == {cls.type for cls in CLOSURE_EVENTS}
    assert told.isdisjoint(SILENT)
    assert statuses == {"disposed", "rework", "closed", "reopened", "in_review", "parked", "resumed", "voided"}


def test_open311_shows_closed_for_closed_and_voided_and_open_for_every_other_status() -> None:
    every = set(get_args(PublicStatus))

    assert every == OPEN_STATUSES | CLOSED_STATUSES
    assert OPEN_STATUSES.isdisjoint(CLOSED_STATUSES)
    assert {"closed", "voided"} == CLOSED_STATUSES
    assert {"parked", "reopened", "in_review", "rework", "resumed"} <= OPEN_STATUSES
