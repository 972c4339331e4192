"""Examples of Closure's events and the hotline's call-back message, for the AsyncAPI document and the contract tests.

One case's story on the demo city's calendar (08:30-12:00 and 13:30-17:30, Asia/Shanghai): routed
on Tuesday 24 November 2026 at 17:50 local time (09:50:05 UTC), after the close, so its 4 working
hours of disposal run from Wednesday 08:30 to 14:00 (06:00 UTC), with the warning at 80% (11:42).
Every instant is UTC and worked out by hand from docs/working-time.md.
"""

from datetime import UTC, datetime, timedelta
from uuid import UUID

from pydantic import BaseModel

from schemas import closure as c
from schemas.dispatch import TimeLimit

CASE_ID = UUID("01935d5c-9a2b-7c3e-8f10-2b7d4e5a6c01")
CASE_NUMBER = "HL-20261124-000001"
GRID = "320303001001001"
STATION = "cm-320303001001-sanitation"
STREET_UNIT = "st-320303001-sanitation"
STAFF = "user:staff-zhao"
GRID_MEMBER = "user:grid-li"
DISPATCHER = "user:dispatcher-wang"
HOTLINE_REF = "12345-HF-20261126-0001"

ROUTED = datetime(2026, 11, 24, 9, 50, 5, tzinfo=UTC)  # Tue 17:50:05 +08:00
WED_0900 = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)
DISPOSED = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # Wed 10:00 +08:00
VERIFIED = datetime(2026, 11, 25, 2, 40, tzinfo=UTC)  # Wed 10:40 +08:00
CALLED = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)  # Thu 10:00 +08:00

SIGN_FOR = TimeLimit(amount=30, unit="minutes")
DISPOSAL = TimeLimit(amount=4, unit="working_hours")
VERIFICATION = TimeLimit(amount=1, unit="hours")


def _deadline(stage: c.Stage, limit: TimeLimit | None, start: datetime, warn: datetime, due: datetime) -> c.Deadline:
    return c.Deadline(stage=stage, limit=limit, started_at=start, warn_at=warn, due_at=due)


SIGN_FOR_DEADLINE = _deadline("sign_for", SIGN_FOR, ROUTED, ROUTED + timedelta(minutes=24),
                              ROUTED + timedelta(minutes=30))  # fmt: skip
DISPOSAL_DEADLINE = _deadline("disposal", DISPOSAL, ROUTED, datetime(2026, 11, 25, 3, 42, tzinfo=UTC),
                              datetime(2026, 11, 25, 6, 0, tzinfo=UTC))  # fmt: skip
"""Wednesday 08:30-12:00 and 13:30-14:00 local time; the warning after 3 h 12 min, at 11:42."""

CLOSURE_EXAMPLES: dict[type[BaseModel], BaseModel] = {
    c.ClosureOpened: c.ClosureOpened(
        case_id=CASE_ID,
        unit_code=STATION,
        opened_at=ROUTED,
        unit_name="某社区工作站·环卫",
        unit_level="community",
        case_number=CASE_NUMBER,
        category_code="06010",
        area_code=GRID,
        deadlines=[SIGN_FOR_DEADLINE, DISPOSAL_DEADLINE],
        disposal_limit=DISPOSAL,
        verification_limit=VERIFICATION,
    ),
    c.ResponsibilityMoved: c.ResponsibilityMoved(
        case_id=CASE_ID,
        unit_code=STREET_UNIT,
        unit_name="某街道·环卫所",
        unit_level="street",
        previous_unit_code=STATION,
        route_kind="reroute",
        # From Wednesday 09:00: 3 h to noon, 1 h after lunch; the warning 12 minutes after 13:30.
        deadlines=[
            _deadline(
                "disposal",
                DISPOSAL,
                WED_0900,
                datetime(2026, 11, 25, 5, 42, tzinfo=UTC),
                datetime(2026, 11, 25, 6, 30, tzinfo=UTC),
            )
        ],
        disposal_limit=DISPOSAL,
        verification_limit=VERIFICATION,
        moved_at=WED_0900,
    ),
    c.ReturnNoted: c.ReturnNoted(case_id=CASE_ID, unit_code=STATION, returned_at=ROUTED + timedelta(minutes=15)),
    c.SignForNoted: c.SignForNoted(
        case_id=CASE_ID, unit_code=STATION, late=False, signed_at=ROUTED + timedelta(minutes=10)
    ),
    c.DisposalStarted: c.DisposalStarted(
        case_id=CASE_ID, unit_code=STATION, started_by=STAFF, started_at=datetime(2026, 11, 25, 0, 40, tzinfo=UTC)
    ),
    c.DisposalReported: c.DisposalReported(
        case_id=CASE_ID,
        unit_code=STATION,
        method="enforcement",
        notes="已清运暴露垃圾, 对乱倒者立案处罚",
        photo_urls=["https://files.example.gov.cn/closure/01935d5c/after-1.jpg"],
        penalty_notice_number="徐云城罚决字〔2026〕第0153号",
        round=1,
        late=False,
        verification=_deadline(
            "verification", VERIFICATION, DISPOSED, DISPOSED + timedelta(minutes=48), DISPOSED + timedelta(hours=1)
        ),
        reported_by=STAFF,
        reported_at=DISPOSED,
    ),
    c.VerificationPassed: c.VerificationPassed(
        case_id=CASE_ID,
        note="现场已清理干净",
        photo_urls=["https://files.example.gov.cn/closure/01935d5c/check-1.jpg"],
        late=False,
        verified_by=GRID_MEMBER,
        verified_at=VERIFIED,
    ),
    c.VerificationFailed: c.VerificationFailed(
        case_id=CASE_ID, note="南门仍有堆放", late=False, verified_by=GRID_MEMBER, verified_at=VERIFIED
    ),
    c.ReworkOrdered: c.ReworkOrdered(
        case_id=CASE_ID,
        unit_code=STATION,
        rework_count=1,
        # From Wednesday 10:40: 1 h 20 min to noon, 2 h 40 min after lunch (16:10); the warning at 15:22.
        disposal=_deadline(
            "disposal",
            DISPOSAL,
            VERIFIED,
            datetime(2026, 11, 25, 7, 22, tzinfo=UTC),
            datetime(2026, 11, 25, 8, 10, tzinfo=UTC),
        ),
        ordered_at=VERIFIED,
    ),
    c.CaseClosed: c.CaseClosed(
        case_id=CASE_ID,
        kind="normal",
        closed_by=GRID_MEMBER,
        closed_at=VERIFIED,
        # Due by Thursday's close (17:30); 12 h 50 min of working time to then, the warning after 10 h 16 min.
        callback=_deadline(
            "callback",
            None,
            VERIFIED,
            datetime(2026, 11, 26, 6, 56, tzinfo=UTC),
            datetime(2026, 11, 26, 9, 30, tzinfo=UTC),
        ),
    ),
    c.CallbackRecorded: c.CallbackRecorded(
        case_id=CASE_ID,
        result="unsatisfied",
        note="居民反映次日又有堆放",
        source="hotline",
        callback_ref=HOTLINE_REF,
        late=False,
        called_by="system:hotline-12345",
        called_at=CALLED,
    ),
    c.CallbackHeld: c.CallbackHeld(
        case_id=CASE_ID,
        result="satisfied",
        callback_ref=HOTLINE_REF,
        solved="solved",
        called_by="system:hotline",
        called_at=CALLED,
    ),
    c.CaseReopened: c.CaseReopened(
        case_id=CASE_ID,
        unit_code=STATION,
        reopen_count=1,
        cause="unsatisfied",
        # From Thursday 10:00: 2 h to noon, 2 h after lunch (15:30); the warning at 14:42.
        disposal=_deadline(
            "disposal",
            DISPOSAL,
            CALLED,
            datetime(2026, 11, 26, 6, 42, tzinfo=UTC),
            datetime(2026, 11, 26, 7, 30, tzinfo=UTC),
        ),
        reopened_at=CALLED,
    ),
    c.SatisfactionReviewOpened: c.SatisfactionReviewOpened(
        case_id=CASE_ID, unsatisfied_count=2, opened_at=datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
    ),
    c.ReviewDecided: c.ReviewDecided(
        case_id=CASE_ID,
        decision="uphold",
        note="已按标准处置, 维持结案",
        decided_by="user:supervisor-zhou",
        decided_at=datetime(2026, 11, 30, 3, 0, tzinfo=UTC),
    ),
    c.CaseParked: c.CaseParked(
        case_id=CASE_ID, reason="待冬季后施工", approval="dispatch", approved_by=DISPATCHER, parked_at=WED_0900
    ),
    c.CaseResumed: c.CaseResumed(
        case_id=CASE_ID,
        note="已具备施工条件",
        # Parked Wednesday 09:00 with 3.5 h left (warning 2 h 42 min), resumed Tuesday 1 December 09:00;
        # the sign-for deadline had passed at the park and stays as it was.
        deadlines=[
            SIGN_FOR_DEADLINE,
            DISPOSAL_DEADLINE.model_copy(
                update={
                    "warn_at": datetime(2026, 12, 1, 3, 42, tzinfo=UTC),
                    "due_at": datetime(2026, 12, 1, 6, 0, tzinfo=UTC),
                }
            ),
        ],
        resumed_by=DISPATCHER,
        resumed_at=datetime(2026, 12, 1, 1, 0, tzinfo=UTC),
    ),
    c.DeadlineExtended: c.DeadlineExtended(
        case_id=CASE_ID,
        days=3,
        previous_due_at=DISPOSAL_DEADLINE.due_at,
        # Three working days (Thursday, Friday, Monday) from Wednesday 14:00: Monday 30 November 14:00.
        disposal=DISPOSAL_DEADLINE.model_copy(
            update={
                "warn_at": datetime(2026, 11, 30, 3, 42, tzinfo=UTC),
                "due_at": datetime(2026, 11, 30, 6, 0, tzinfo=UTC),
            }
        ),
        approval="dispatch",
        approved_by=DISPATCHER,
        extended_at=WED_0900,
    ),
    c.ClosureVoided: c.ClosureVoided(
        case_id=CASE_ID,
        reason="重复工单",
        note="与 HL-20261124-000002 同一问题",
        approval="closure",
        approved_by="user:lead-wu",
        voided_at=WED_0900,
    ),
    c.DeadlineWarned: c.DeadlineWarned(
        case_id=CASE_ID,
        stage="disposal",
        unit_code=STATION,
        due_at=DISPOSAL_DEADLINE.due_at,
        warned_at=DISPOSAL_DEADLINE.warn_at,
    ),
    c.DeadlineOverdue: c.DeadlineOverdue(
        case_id=CASE_ID,
        stage="disposal",
        unit_code=STATION,
        due_at=DISPOSAL_DEADLINE.due_at,
        flagged_at=DISPOSAL_DEADLINE.due_at,
    ),
    c.CaseEscalated: c.CaseEscalated(
        case_id=CASE_ID,
        stage="disposal",
        unit_code=STATION,
        to_level="street",
        to_area_code=GRID[:9],
        due_at=DISPOSAL_DEADLINE.due_at,
        # 4 working hours after Wednesday 14:00: 3.5 h to the close, 0.5 h on Thursday (09:00).
        escalated_at=datetime(2026, 11, 26, 1, 0, tzinfo=UTC),
    ),
    # A 12345 work order's own steps: the resident contacted, the final reply, an urge (催办).
    c.ProgressNoted: c.ProgressNoted(
        case_id=CASE_ID,
        unit_code=STATION,
        progress="contacted",
        staff="赵师傅",
        at=datetime(2026, 11, 25, 0, 45, tzinfo=UTC),
        noted_by=STAFF,
        noted_at=datetime(2026, 11, 25, 0, 50, tzinfo=UTC),
    ),
    c.CaseReplied: c.CaseReplied(
        case_id=CASE_ID,
        unit_code=STATION,
        outcome="solved",
        summary="已清运堆放垃圾，并电话告知来电人",
        method="phone",
        late=False,
        replied_by=STAFF,
        replied_at=datetime(2026, 11, 25, 2, 10, tzinfo=UTC),
    ),
    c.CaseUrged: c.CaseUrged(
        case_id=CASE_ID,
        unit_code=STATION,
        kind="urge",
        notice_no="CB-20261125-0001",
        opinion="来电人再次反映，请尽快处理",
        issued_at=datetime(2026, 11, 25, 1, 30, tzinfo=UTC),
        urged_at=datetime(2026, 11, 25, 1, 30, 2, tzinfo=UTC),
    ),
    c.CallbackSubmission: c.CallbackSubmission(
        callback_id=HOTLINE_REF,
        case_number=CASE_NUMBER,
        result="unsatisfied",
        note="居民反映次日又有堆放",
        called_at=CALLED,
    ),
}
