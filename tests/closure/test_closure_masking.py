"""个人信息脱敏 in Closure: a phone or ID number typed into a note never reaches the events (they go to Kafka)."""

from __future__ import annotations

from services.closure.domain.closure import stream_id
from tests.closure.api_rig import CALLBACK, GRID_MEMBER, SHIFT_LEAD, UNIT, Rig, rig_fixture  # noqa: F401
from tests.dispatch.city_fixture import GRID


async def test_notes_and_reasons_are_masked_before_they_are_recorded(rig: Rig) -> None:
    case_id = await rig.route()
    disposal = await rig.post(case_id, "disposal", UNIT, method="service",
                              notes=f"已联系居民 13800138000, 网格 {GRID} 已清运")  # fmt: skip
    assert disposal.status_code == 200, disposal.text
    verified = await rig.post(case_id, "verification", GRID_MEMBER, passed=True, note="业主身份证 320302198001011234")
    assert verified.status_code == 200, verified.text
    called = await rig.post(case_id, "callback", CALLBACK, result="satisfied", note="邮箱 zhang.san@example.com")
    assert called.status_code == 200, called.text

    recorded = (await rig.closure.store.read_stream(stream_id(case_id))).events
    text = " ".join(event.model_dump_json() for event in recorded)
    for typed in ("13800138000", "320302198001011234", "zhang.san@example.com"):
        assert typed not in text
    assert "138****8000" in text  # a hint is kept
    assert GRID in text  # and the grid code is no phone number


async def test_a_voids_reason_is_masked_too(rig: Rig) -> None:
    case_id = await rig.route()
    voided = await rig.post(case_id, "void", SHIFT_LEAD, reason="重复投诉, 来电 0516-83881234")
    assert voided.status_code == 200, voided.text
    [*_, void] = (await rig.closure.store.read_stream(stream_id(case_id))).events
    assert "83881234" not in void.model_dump_json()
