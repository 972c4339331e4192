"""A person's action that meets another append to its case meanwhile is decided again on the new state."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from casekit.access.principal import Principal
from casekit.decider import CONFLICT_ATTEMPTS as ATTEMPTS
from casekit.errors import ConcurrencyError
from schemas.base import Event
from services.closure.application.commands import act
from services.closure.domain.access import acting_unit
from services.closure.domain.closure import Act, CaseClosure, stream_id
from services.closure.domain.lifecycle import Disposal, decide_dispose
from tests.closure.api_rig import STATION, Rig, rig_fixture  # noqa: F401

STAFF = Principal("li-station", "person", frozenset({"unit_staff"}), unit=STATION)


async def test_a_disposal_whose_case_moved_meanwhile_is_decided_again(rig: Rig) -> None:
    case_id = await rig.route()
    closure, calls = rig.closure, []

    def dispose(state: CaseClosure, cmd: Act) -> Sequence[Event]:
        calls.append(state.status)
        if len(calls) == 1:  # as the append would answer when Dispatch's sign-for landed after our read
            raise ConcurrencyError(f"stream {stream_id(case_id)} moved")
        return decide_dispose(state, cmd, Disposal("service", "清运完毕"), closure.rules)

    async with closure.store.pool.acquire() as conn:
        row = await act(closure, conn, case_id, STAFF, acting_unit, dispose)
    history = await closure.store.read_stream(stream_id(case_id))

    assert (row.status, calls) == ("disposed", ["open", "open"])
    assert [e.type for e in history.events] == ["closure.ClosureOpened", "closure.DisposalReported"]


async def test_a_case_that_keeps_moving_is_refused_after_a_few_attempts(rig: Rig) -> None:
    case_id = await rig.route()
    calls = []

    def always_moved(state: CaseClosure, cmd: Act) -> Sequence[Event]:
        calls.append(1)
        raise ConcurrencyError("moved again")

    async with rig.closure.store.pool.acquire() as conn:
        with pytest.raises(ConcurrencyError):
            await act(rig.closure, conn, case_id, STAFF, acting_unit, always_moved)
    assert len(calls) == ATTEMPTS
    assert [e.type for e in (await rig.closure.store.read_stream(stream_id(case_id))).events] == [
        "closure.ClosureOpened"
    ]
