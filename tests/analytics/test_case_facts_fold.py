"""The facts' fold is a function of the set of events: any arrival order, any redelivery, the same versions."""

from __future__ import annotations

import uuid

from hypothesis import given, settings
from hypothesis import strategies as st

from services.analytics.domain.case_facts import FactInput, fold
from services.analytics.domain.fact_changes import CHANGES, case_of
from tests.analytics.history import CORRECTED, history


def inputs_of(story_key: str) -> list[FactInput]:
    story = history()[story_key]
    return [
        FactInput(
            case_of(s.event), uuid.UUID(int=n), s.recorded_at, s.occurred_at, CHANGES[type(s.event)](s.event, s.actor)
        )
        for n, s in enumerate(story.steps)
    ]


F = inputs_of("f")


@settings(max_examples=50, deadline=None)
@given(st.permutations(F))
def test_any_arrival_order_folds_to_the_same_versions(arrived: list[FactInput]) -> None:
    assert fold(arrived) == fold(F)


def test_a_correction_recorded_later_is_a_new_version_and_the_old_one_stays_readable() -> None:
    versions = fold(F)
    before, after = versions[-2], versions[-1]
    assert (before.facts["closure_kind"], before.recorded_to) == ("normal", CORRECTED)
    assert (after.facts["closed_at"], after.facts["reopen_count"], after.recorded_to) == (None, 1, None)
    assert after.facts["callback_result"] == "unsatisfied"
    assert [v.recorded_to for v in versions[:-1]] == [v.recorded_from for v in versions[1:]]


def test_a_self_disposal_is_due_when_it_was_reported() -> None:
    (last,) = fold(inputs_of("g"))[-1:]
    assert last.facts["close_due_at"] == last.facts["reported_at"]
    assert last.facts["self_disposed"] is True
