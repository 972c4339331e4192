"""Closure's deadlines (时限) in working time: holidays, 调休, the call-back's next working day, park, extension.

The calendar is the demo city's (Asia/Shanghai, 08:30-12:00 and 13:30-17:30, chinesecalendar's
holidays). Every expected instant is worked out by hand from docs/working-time.md, written as a
literal, and the reasoning is in the comment beside it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import structlog
from hypothesis import given, settings
from hypothesis import strategies as st

from cityconfig import load_city
from cityconfig.city_settings import CityDay, WorkingTime
from cityconfig.worktime import WorkCalendar
from schemas import closure as c
from schemas import examples_closure
from schemas.closure import Deadline
from schemas.dispatch import TimeLimit, TimeUnit
from services.closure.domain.deadlines import ClosureRules

SHANGHAI = ZoneInfo("Asia/Shanghai")
CALENDAR = load_city(Path("cities/xuzhou-demo")).calendar
RULES = ClosureRules(CALENDAR)


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def limit(amount: int, unit: TimeUnit) -> TimeLimit:
    return TimeLimit(amount=amount, unit=unit)


def disposal(start: datetime, amount: int, unit: TimeUnit, rules: ClosureRules = RULES) -> Deadline:
    return rules.deadline("disposal", start, limit(amount, unit))


# Across a weekend


def test_two_working_days_from_a_friday_morning_skip_the_weekend() -> None:
    deadline = disposal(local(2026, 11, 13, 10), 2, "working_days")

    # 15 h: Friday 6 h (10-12, 13:30-17:30), Monday 7.5 h, Tuesday 1.5 h (08:30-10:00).
    assert deadline.due_at == local(2026, 11, 17, 10)
    # The warning after 12 h: Friday 6 h, Monday 3.5 h + 2.5 h (13:30-16:00).
    assert deadline.warn_at == local(2026, 11, 16, 16)
    assert deadline.started_at == local(2026, 11, 13, 10)


def test_four_working_hours_from_friday_afternoon_end_on_monday() -> None:
    deadline = RULES.deadline("verification", local(2026, 11, 13, 16), limit(4, "working_hours"))

    # 1.5 h Friday, 2.5 h Monday; the warning after 3 h 12 min: 1.5 h Friday, 1 h 42 min Monday.
    assert (deadline.warn_at, deadline.due_at) == (local(2026, 11, 16, 10, 12), local(2026, 11, 16, 11))


# Across the 2025 National Day (国庆节 and 中秋节, 1-8 October) and its 调休 days


def test_2025_national_day_holiday_is_skipped_and_its_make_up_saturday_works() -> None:
    deadline = disposal(local(2025, 9, 30, 10), 3, "working_days")

    # 22.5 h: Tuesday 30 September 6 h; 1-8 October off; Thu 9 and Fri 10 October 15 h;
    # Saturday 11 October (a 调休 working day) 1.5 h.
    assert deadline.due_at == local(2025, 10, 11, 10)
    # The warning after 18 h: 6 h Tuesday, 7.5 h Thursday, 4.5 h Friday (3.5 + 1).
    assert deadline.warn_at == local(2025, 10, 10, 14, 30)


def test_the_make_up_sunday_before_national_day_works_and_the_saturday_before_it_does_not() -> None:
    deadline = RULES.deadline("verification", local(2025, 9, 27, 10), limit(2, "working_hours"))

    # Saturday 27 September is a day off: counting starts Sunday 28 September (调休) at 08:30.
    assert (deadline.warn_at, deadline.due_at) == (local(2025, 9, 28, 10, 6), local(2025, 9, 28, 10, 30))
    assert disposal(local(2025, 9, 26, 16), 1, "working_days").due_at == local(2025, 9, 28, 16)


def test_after_the_make_up_saturday_comes_a_sunday_off() -> None:
    assert disposal(local(2025, 10, 11, 16), 1, "working_days").due_at == local(2025, 10, 13, 16)


def test_an_escalation_after_a_deadline_on_the_eve_of_national_day_waits_for_the_holiday() -> None:
    deadline = disposal(local(2025, 9, 29, 16), 1, "working_days")

    assert deadline.due_at == local(2025, 9, 30, 16)
    # 4 working hours after Tuesday 16:00: 1.5 h Tuesday, 2.5 h on Thursday 9 October.
    assert RULES.escalation_due(deadline) == local(2025, 10, 9, 11)


# Across the Spring Festival (春节)


def test_2026_spring_festival_with_its_make_up_saturday() -> None:
    deadline = disposal(local(2026, 2, 13, 16), 5, "working_days")

    # Friday 13 February 1.5 h; Saturday 14 (调休) 7.5 h; 15-23 February off; Tue 24, Wed 25, Thu 26
    # 22.5 h; Friday 27 6 h (3.5 + 2.5). The warning after 30 h: 24 h by Wednesday, 6 h Thursday.
    assert (deadline.warn_at, deadline.due_at) == (local(2026, 2, 26, 16), local(2026, 2, 27, 16))


def test_2025_spring_festival_with_its_make_up_sunday() -> None:
    # Friday 24 January + 1 working day: Saturday 25 off, Sunday 26 January a 调休 working day.
    assert disposal(local(2025, 1, 24, 16), 1, "working_days").due_at == local(2025, 1, 26, 16)
    # Monday 27 January + 1 working day: 28 January to 4 February off.
    assert disposal(local(2025, 1, 27, 16), 1, "working_days").due_at == local(2025, 2, 5, 16)


# A year chinesecalendar does not know (2027)


def test_a_year_the_package_does_not_know_falls_back_to_weekends_and_the_city_file_with_one_warning() -> None:
    calendar = WorkCalendar(SHANGHAI, WorkingTime(days=(CityDay(date(2027, 1, 12), working=False, note="本地假日"),)))
    rules = ClosureRules(calendar)

    with structlog.testing.capture_logs() as logs:
        friday = disposal(local(2027, 1, 8, 16), 1, "working_days", rules)
        monday = disposal(local(2027, 1, 11, 16), 1, "working_days", rules)
        callback = rules.callback_deadline(local(2027, 1, 8, 15))
        rules.escalation_due(monday)
        calendar.working_time_between(local(2026, 12, 30), local(2027, 3, 1))

    assert friday.due_at == local(2027, 1, 11, 16)  # the weekend does not work
    assert monday.due_at == local(2027, 1, 13, 16)  # the city's own holiday on Tuesday 12 January
    assert callback.due_at == local(2027, 1, 11, 17, 30)
    warnings = [entry for entry in logs if entry["event"] == "worktime.year_unknown"]
    assert [(entry["log_level"], entry["year"]) for entry in warnings] == [("warning", 2027)]


# The call-back (回访): due by the end of the next working day after closing


def test_a_friday_closing_is_called_back_by_monday_at_the_close() -> None:
    callback = RULES.callback_deadline(local(2026, 11, 13, 15))

    assert callback.due_at == datetime(2026, 11, 16, 9, 30, tzinfo=UTC)  # Monday 17:30 +08:00
    assert callback.due_at.astimezone(SHANGHAI).isoformat() == "2026-11-16T17:30:00+08:00"
    # 10 h of working time to then (2.5 h Friday, 7.5 h Monday); the warning after 8 h: Monday 15:30.
    assert callback.warn_at == local(2026, 11, 16, 15, 30)
    assert (callback.stage, callback.limit, callback.started_at) == ("callback", None, local(2026, 11, 13, 15))


@pytest.mark.parametrize(
    ("closed_at", "due_at"),
    [
        (local(2026, 11, 13, 20), local(2026, 11, 16, 17, 30)),  # Friday after the close
        (local(2026, 11, 14, 10), local(2026, 11, 16, 17, 30)),  # a Saturday: the next working day is Monday
        (local(2025, 9, 26, 10), local(2025, 9, 28, 17, 30)),  # Friday before the 调休 Sunday
        (local(2026, 2, 13, 10), local(2026, 2, 14, 17, 30)),  # Friday before the 调休 Saturday
        (local(2026, 2, 14, 10), local(2026, 2, 24, 17, 30)),  # the last working day before 春节
    ],
)
def test_the_call_back_is_due_at_the_close_of_the_next_working_day(closed_at: datetime, due_at: datetime) -> None:
    assert RULES.callback_deadline(closed_at).due_at == due_at


def test_a_closing_on_30_september_2025_is_called_back_on_9_october() -> None:
    callback = RULES.callback_deadline(local(2025, 9, 30, 10))

    assert [CALENDAR.is_working_day(date(2025, 10, day)) for day in range(1, 10)] == [False] * 8 + [True]
    assert callback.due_at == local(2025, 10, 9, 17, 30)
    # 13.5 h of working time (6 h Tuesday, 7.5 h Thursday); the warning after 10 h 48 min.
    assert callback.warn_at == local(2025, 10, 9, 14, 48)


# The warning (预警) at a share of the limit


@pytest.mark.parametrize(
    ("start", "lim", "share", "warn_at", "due_at"),
    [
        (local(2026, 11, 10, 9), limit(30, "minutes"), 0.8, local(2026, 11, 10, 9, 24), local(2026, 11, 10, 9, 30)),
        (local(2026, 11, 10, 11), limit(2, "hours"), 0.8, local(2026, 11, 10, 12, 36), local(2026, 11, 10, 13)),
        (local(2026, 11, 10, 10), limit(4, "working_hours"), 0.8, local(2026, 11, 10, 14, 42),
         local(2026, 11, 10, 15, 30)),
        (local(2026, 11, 10, 10), limit(4, "working_hours"), 0.5, local(2026, 11, 10, 12),
         local(2026, 11, 10, 15, 30)),
        (local(2026, 11, 10, 16), limit(2, "working_days"), 0.5, local(2026, 11, 11, 16), local(2026, 11, 12, 16)),
    ],
)  # fmt: skip
def test_the_warning_comes_after_its_share_of_the_limit_in_the_limit_s_own_time(
    start: datetime, lim: TimeLimit, share: float, warn_at: datetime, due_at: datetime
) -> None:
    deadline = ClosureRules(CALENDAR, warn_share=share).deadline("disposal", start, lim)

    assert (deadline.warn_at, deadline.due_at) == (warn_at, due_at)


def test_a_deadline_another_service_computed_is_kept() -> None:
    sign_for = RULES.deadline("sign_for", local(2026, 11, 10, 9), limit(30, "minutes"), local(2026, 11, 10, 9, 40))

    assert (sign_for.warn_at, sign_for.due_at) == (local(2026, 11, 10, 9, 32), local(2026, 11, 10, 9, 40))


def test_the_escalation_is_due_a_configured_time_after_the_deadline() -> None:
    deadline = disposal(local(2026, 11, 12, 16), 1, "working_days")  # due Friday 16:00

    assert RULES.escalation_due(deadline) == local(2026, 11, 16, 11)  # 4 working hours: 1.5 Fri, 2.5 Mon
    rules = ClosureRules(CALENDAR, escalate_after=limit(30, "minutes"))
    assert rules.escalation_due(deadline) == local(2026, 11, 13, 16, 30)  # clock time


# Resume and extension: properties over any instant of 2025 and 2026

INSTANTS = st.integers(min_value=0, max_value=(729 * 24 * 60)).map(
    lambda minutes: datetime(2025, 1, 1, tzinfo=UTC) + timedelta(minutes=minutes)
)
LIMITS = st.builds(limit, st.integers(min_value=1, max_value=10),
                   st.sampled_from(["minutes", "hours", "working_hours", "working_days"]))  # fmt: skip
WORKING_LIMITS = st.builds(limit, st.integers(min_value=1, max_value=10),
                           st.sampled_from(["working_hours", "working_days"]))  # fmt: skip


@settings(deadline=None, max_examples=200)
@given(start=INSTANTS, lim=LIMITS, share=st.floats(min_value=0, max_value=1))
def test_a_park_of_no_length_before_the_deadline_leaves_it_as_it_was(start: datetime, lim: TimeLimit,
                                                                     share: float) -> None:  # fmt: skip
    deadline = RULES.deadline("disposal", start, lim)
    parked_at = start + (deadline.due_at - start) * share

    assert RULES.resumed(deadline, parked_at, parked_at) == deadline


@settings(deadline=None, max_examples=200)
@given(start=INSTANTS, lim=WORKING_LIMITS, share=st.floats(min_value=0, max_value=1),
       park=st.integers(min_value=0, max_value=60 * 24 * 20))  # fmt: skip
def test_a_resumed_working_time_deadline_has_the_working_time_it_had_left(
    start: datetime, lim: TimeLimit, share: float, park: int
) -> None:
    deadline = RULES.deadline("disposal", start, lim)
    parked_at = start + (deadline.due_at - start) * share
    resumed_at = parked_at + timedelta(minutes=park)

    resumed = RULES.resumed(deadline, parked_at, resumed_at)

    left = CALENDAR.working_time_between(parked_at, deadline.due_at)
    if left > timedelta(0):
        assert CALENDAR.working_time_between(resumed_at, resumed.due_at) == left
    else:
        assert resumed.due_at == deadline.due_at  # parked when it fell due: it stays due then
    assert resumed.due_at >= deadline.due_at
    assert resumed.warn_at <= resumed.due_at
    assert (resumed.stage, resumed.limit, resumed.started_at) == (deadline.stage, deadline.limit, deadline.started_at)


@settings(deadline=None, max_examples=100)
@given(start=INSTANTS, amount=st.integers(min_value=1, max_value=600), park=st.integers(min_value=0, max_value=9999))
def test_a_resumed_clock_time_deadline_has_the_clock_time_it_had_left(start: datetime, amount: int, park: int) -> None:
    deadline = RULES.deadline("sign_for", start, limit(amount, "minutes"))
    parked_at, resumed_at = start + timedelta(minutes=amount // 2), start + timedelta(minutes=amount // 2 + park)

    resumed = RULES.resumed(deadline, parked_at, resumed_at)

    assert resumed.due_at - resumed_at == deadline.due_at - parked_at
    warn_left = deadline.warn_at - parked_at
    if warn_left > timedelta(0):
        assert resumed.warn_at - resumed_at == warn_left
    else:
        assert resumed.warn_at == deadline.warn_at  # passed at the park: it stays passed


def test_a_deadline_past_due_at_the_park_stays_past_due_after_the_resume() -> None:
    deadline = disposal(local(2026, 11, 10, 9), 1, "working_hours")  # due 10:00, warning 09:48

    resumed = RULES.resumed(deadline, local(2026, 11, 10, 11), local(2026, 11, 16, 9))

    assert resumed == deadline
    half = RULES.resumed(deadline, local(2026, 11, 10, 9, 50), local(2026, 11, 16, 9))
    # 10 minutes were left at 09:50; the warning had passed at 09:48.
    assert (half.warn_at, half.due_at) == (local(2026, 11, 10, 9, 48), local(2026, 11, 16, 9, 10))


@settings(deadline=None, max_examples=200)
@given(
    start=INSTANTS,
    lim=LIMITS,
    fewer=st.integers(min_value=1, max_value=10),
    more=st.integers(min_value=1, max_value=10),
)
def test_an_extension_is_monotonic_in_its_days(start: datetime, lim: TimeLimit, fewer: int, more: int) -> None:
    deadline = RULES.deadline("disposal", start, lim)
    small, large = RULES.extended(deadline, fewer), RULES.extended(deadline, fewer + more)

    assert deadline.due_at < small.due_at < large.due_at
    assert deadline.warn_at <= small.warn_at <= large.warn_at
    assert small.warn_at <= small.due_at
    assert large.warn_at <= large.due_at
    assert CALENDAR.working_time_between(deadline.due_at, small.due_at) == CALENDAR.day_length * fewer


def test_an_extension_of_an_evening_deadline_keeps_its_warning_before_it() -> None:
    deadline = disposal(local(2026, 12, 2, 19, 5), 60, "minutes")  # warns 19:53, due 20:05: both after hours

    extended = RULES.extended(deadline, 2)

    assert extended.due_at == local(2026, 12, 4, 17, 30)  # the end of the second working day after
    assert extended.due_at - extended.warn_at == deadline.due_at - deadline.warn_at


def test_an_extension_counts_working_days_from_the_deadline_in_force_across_national_day() -> None:
    deadline = disposal(local(2025, 9, 29, 16), 1, "working_days")  # due Tuesday 30 September 16:00

    extended = RULES.extended(deadline, 2)

    assert extended.due_at == local(2025, 10, 10, 16)  # Thursday 9 and Friday 10 October
    assert extended.started_at == deadline.started_at
    assert extended.limit == deadline.limit


def test_the_contract_examples_deadlines_are_the_demo_calendar_s() -> None:
    e = examples_closure
    examples = e.CLOSURE_EXAMPLES
    opened, moved = examples[c.ClosureOpened], examples[c.ResponsibilityMoved]
    disposed, rework = examples[c.DisposalReported], examples[c.ReworkOrdered]
    closing, reopened = examples[c.CaseClosed], examples[c.CaseReopened]
    resumed, extended = examples[c.CaseResumed], examples[c.DeadlineExtended]
    escalated = examples[c.CaseEscalated]
    assert isinstance(opened, c.ClosureOpened)
    assert isinstance(moved, c.ResponsibilityMoved)
    assert isinstance(disposed, c.DisposalReported)
    assert isinstance(rework, c.ReworkOrdered)
    assert isinstance(closing, c.CaseClosed)
    assert isinstance(reopened, c.CaseReopened)
    assert isinstance(resumed, c.CaseResumed)
    assert isinstance(extended, c.DeadlineExtended)
    assert isinstance(escalated, c.CaseEscalated)

    assert opened.deadlines == [
        RULES.deadline("sign_for", e.ROUTED, e.SIGN_FOR),
        RULES.deadline("disposal", e.ROUTED, e.DISPOSAL),
    ]
    assert moved.deadlines == [RULES.deadline("disposal", e.WED_0900, e.DISPOSAL)]
    assert disposed.verification == RULES.deadline("verification", e.DISPOSED, e.VERIFICATION)
    assert rework.disposal == RULES.deadline("disposal", e.VERIFIED, e.DISPOSAL)
    assert closing.callback == RULES.callback_deadline(e.VERIFIED)
    assert reopened.disposal == RULES.deadline("disposal", e.CALLED, e.DISPOSAL)
    assert resumed.deadlines == [RULES.resumed(d, e.WED_0900, resumed.resumed_at) for d in opened.deadlines]
    assert extended.disposal == RULES.extended(e.DISPOSAL_DEADLINE, extended.days)
    assert escalated.escalated_at == RULES.escalation_due(e.DISPOSAL_DEADLINE)
