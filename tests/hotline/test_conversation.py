"""The whole 12345 conversation through the hotline simulator (tools/hotline_sim.py), over real Kafka,
PostgreSQL and HTTP: push → sign-for → progress → reply → call-back; returns approved and rejected;
extensions approved and rejected; a dissatisfied call-back; an urge; the hotline down for a while;
the same work order pushed twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.closure.loop_rig import STATION, STATION_STAFF, VERIFIER
from tests.conftest import eventually
from tests.hotline.rig import Conversation
from tools.hotline_sim import Rules, work_order

REPLY = {"outcome": "solved", "summary": "已清运垃圾并加强巡查", "method": "phone"}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


async def replied(conversation: Conversation, case_id: Any, body: dict[str, Any] = REPLY) -> None:
    done = await conversation.closing(case_id, "reply", STATION_STAFF, body)
    assert done.status_code == 200, done.text


async def test_a_work_order_from_push_to_a_satisfied_call_back(conversation: Conversation) -> None:
    case_id = await conversation.push("WO-0001")
    again = await conversation.hotline.push(work_order("WO-0001", lat=conversation.point[0], lon=conversation.point[1]))
    assert again.status_code == 200, again.text
    assert again.json()["case_id"] == str(case_id)

    await conversation.confirmed_and_signed(case_id)
    await conversation.received("WO-0001", "sign_for")
    await conversation.closure_case(case_id, "open")
    progress = await conversation.closing(
        case_id, "progress", STATION_STAFF, {"progress": "contacted", "staff": "赵师傅"}
    )
    assert progress.status_code == 200, progress.text
    await conversation.disposed_and_verified(case_id)
    await conversation.closure_case(case_id, "closed")
    await replied(conversation, case_id)
    await conversation.received("WO-0001", "sign_for", "progress", "reply")

    async def called_back() -> None:
        found = await conversation.closure_case(case_id)
        assert found["callback_result"] == "satisfied", found

    await eventually(called_back, within=30)
    inbox = conversation.hotline.inbox
    assert [m.sequence for m in inbox.of("WO-0001")] == [1, 2, 3]
    assert inbox.problems == []
    reply = inbox.of("WO-0001")[-1].body
    assert (reply.kind, getattr(reply, "outcome_code", None)) == ("reply", 0)

    messages = await conversation.hotline.intake.get("/hotline/v1/work-orders/WO-0001/messages")
    assert messages.status_code == 200, messages.text
    assert [m["kind"] for m in messages.json()] == ["sign_for", "progress", "reply"]


async def test_the_reply_is_due_by_the_hotlines_time_before_our_own_deadline(conversation: Conversation) -> None:
    due = datetime.now(UTC) + timedelta(hours=1)
    case_id = await conversation.push("WO-0002", due_at=due.isoformat())
    await conversation.confirmed_and_signed(case_id)

    found = await conversation.closure_case(case_id, "open")
    deadlines = {d["stage"]: {k: at(v) for k, v in d.items() if k in ("due_at", "warn_at")} for d in found["deadlines"]}
    assert deadlines["reply"]["due_at"] == due
    assert deadlines["reply"]["due_at"] < deadlines["disposal"]["due_at"]  # ours is 4 working hours
    assert deadlines["reply"]["warn_at"] < deadlines["disposal"]["warn_at"]  # the earlier clock warns first


async def test_a_return_approved_is_rerouted_and_a_rejected_one_stays(conversation: Conversation) -> None:
    approved, rejected = await conversation.push("WO-0003"), await conversation.push("WO-0004")
    for case_id in (approved, rejected):
        await conversation.confirmed_and_signed(case_id)
    basis = "《职责清单》第2条"
    await conversation.dispatching(
        approved, "return", STATION_STAFF, {"reason": "not_our_trade", "note": "属环卫处职责", "basis": basis}
    )
    await conversation.dispatching(rejected, "return", STATION_STAFF, {"reason": "other", "note": "人手不足"})

    rerouted = await conversation.assignment(approved, "routed")
    assert rerouted["lead_unit"] != STATION
    await conversation.received("WO-0003", "sign_for", "return_request")
    request = conversation.hotline.inbox.of("WO-0003")[-1].body
    assert getattr(request, "basis", None) == basis

    async def rejected_there() -> None:  # the rejection reaches Dispatch after the request reaches the hotline
        assert sorted(d for d in conversation.hotline.decisions if d[1] == "return") == [
            ("WO-0003", "return", "approved"),
            ("WO-0004", "return", "rejected"),
        ]
        kept = await conversation.assignment(rejected, "signed_for")
        assert (kept["lead_unit"], kept["pending_return"]) == (STATION, None), kept

    await eventually(rejected_there, within=30)


async def test_an_extension_approved_moves_the_reply_and_one_rejected_does_not(conversation: Conversation) -> None:
    granted, refused = await conversation.push("WO-0005"), await conversation.push("WO-0006")
    for case_id in (granted, refused):
        await conversation.confirmed_and_signed(case_id)
    before = {d["stage"]: at(d["due_at"]) for d in (await conversation.closure_case(granted, "open"))["deadlines"]}
    await conversation.dispatching(
        granted, "extension", STATION_STAFF, {"days": 2, "reason": "需协调物业", "basis": "按规定可延期"}
    )
    await conversation.dispatching(refused, "extension", STATION_STAFF, {"days": 9, "reason": "等待材料"})

    async def moved() -> None:
        found = await conversation.closure_case(granted)
        after = {d["stage"]: at(d["due_at"]) for d in found["deadlines"]}
        assert after["reply"] > before["reply"]

    await eventually(moved, within=30)
    await conversation.received("WO-0006", "sign_for", "extension_request")

    async def refused_there() -> None:
        assert ("WO-0006", "extension", "rejected") in conversation.hotline.decisions
        found = await conversation.assignment(refused, "signed_for")
        assert found["pending_extension"] is None, found

    await eventually(refused_there, within=30)


@pytest.mark.parametrize("conversation", [Rules(answers={"WO-0007": ("unsatisfied", "unsolved")})], indirect=True)
async def test_a_dissatisfied_call_back_reopens_the_case(conversation: Conversation) -> None:
    case_id = await conversation.push("WO-0007")
    await conversation.confirmed_and_signed(case_id)
    await conversation.disposed_and_verified(case_id)
    await conversation.closure_case(case_id, "closed")
    await replied(conversation, case_id)

    reopened = await conversation.closure_case(case_id, "open")
    assert reopened["reopen_count"] == 1


async def test_a_call_back_before_our_verification_waits_for_the_closing(conversation: Conversation) -> None:
    """We reply once the disposal is reported; the hotline may call back before our own 核查 closes the case."""
    case_id = await conversation.push("WO-0010")
    await conversation.confirmed_and_signed(case_id)
    await conversation.closure_case(case_id, "open")
    for action, body in (("start", {}), ("disposal", {"method": "service", "notes": "已清运垃圾", "photo_urls": []})):
        done = await conversation.closing(case_id, action, STATION_STAFF, body)
        assert done.status_code == 200, done.text
    await replied(conversation, case_id)

    async def held() -> None:
        assert ("WO-0010", "callback", "satisfied") in conversation.hotline.decisions, conversation.hotline.decisions
        found = await conversation.closure_case(case_id, "disposed")
        assert found["history"][-1]["type"] == "closure.CallbackHeld", found["history"][-1]
        assert found["callback_result"] is None

    await eventually(held, within=30)
    verified = await conversation.closing(case_id, "verification", VERIFIER, {"passed": True, "note": "现场已清理"})
    assert verified.status_code == 200, verified.text
    closed = await conversation.closure_case(case_id, "closed")
    assert [entry["type"] for entry in closed["history"]][-3:] == [
        "closure.VerificationPassed", "closure.CaseClosed", "closure.CallbackRecorded",
    ]  # fmt: skip
    assert (closed["callback_result"], closed["callback_done"]) == ("satisfied", True)


async def test_an_urge_reaches_the_case_once(conversation: Conversation) -> None:
    case_id = await conversation.push("WO-0008")
    await conversation.confirmed_and_signed(case_id)
    for _ in range(2):
        urged = await conversation.hotline.urge("WO-0008", "CB-0008-1")
        assert urged.status_code in (200, 201), urged.text

    async def seen() -> None:
        found = await conversation.closure_case(case_id)
        assert (found["urge_count"], found["last_urge_kind"]) == (1, "urge"), found

    await eventually(seen, within=30)


async def test_the_hotline_down_for_a_while_gets_everything_in_order_once(conversation: Conversation) -> None:
    case_id = await conversation.push("WO-0009")
    conversation.hotline.take_down()
    await conversation.confirmed_and_signed(case_id)
    await conversation.closure_case(case_id, "open")
    for progress in ({"progress": "contacted", "staff": "赵师傅"}, {"progress": "on_site", "staff": "赵师傅"}):
        done = await conversation.closing(case_id, "progress", STATION_STAFF, progress)
        assert done.status_code == 200, done.text
    inbox = conversation.hotline.inbox

    async def refused_twice() -> None:  # the first message and one retry of it, at least
        assert inbox.refused_while_down >= 2

    await eventually(refused_twice, within=30)
    assert inbox.received == []
    conversation.hotline.bring_up()

    await conversation.received("WO-0009", "sign_for", "progress", "progress")
    assert inbox.problems == []
    assert len({m.message_id for m in inbox.of("WO-0009")}) == 3
