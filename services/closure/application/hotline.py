"""What Closure does with Intake's record of the 12345 hotline's messages (on `cases.intake.v1`), as `system:hotline`.

A call-back (回访) is Closure's call-back, from the hotline (callbacks.py): unsatisfied reopens the
case, the same call-back id again changes nothing, and one the case cannot take is parked on the
dead-letter topic with its reason, as on `callbacks.hotline.v1`. An urge or supervise notice
(催办/督办) becomes `CaseUrged` once per notice number; for a case Closure does not have (yet) it
decides nothing, like any other service's fact (domain/hotline.py).
"""

from __future__ import annotations

from dataclasses import replace

from casekit.envelope import EventMeta, utc_now
from casekit.eventstore import Connection
from schemas.hotline import HotlineCallbackReceived, HotlineNoticeReceived
from services.closure.application import callbacks
from services.closure.application.commands import run
from services.closure.application.context import Closure
from services.closure.domain.hotline import Notice, decide_urged
from services.closure.domain.lifecycle import Callback


def _as_hotline(meta: EventMeta) -> EventMeta:
    """The hotline acted; Closure only carries its word in (the causation and trace stay the message's)."""
    return replace(meta, actor=callbacks.ACTOR)


async def on_hotline_callback_received(
    event: HotlineCallbackReceived, closure: Closure, meta: EventMeta, conn: Connection
) -> None:
    """回访 recorded by Intake: the resident's answer, and whether they said it was solved (解决率)."""
    callback = Callback(event.result, source="hotline", callback_ref=event.callback_id, solved=event.solved)
    await callbacks.record(closure, conn, event.case_id, callback, event.visited_at, event.note, _as_hotline(meta))


async def on_hotline_notice_received(
    event: HotlineNoticeReceived, closure: Closure, meta: EventMeta, conn: Connection
) -> None:
    """催办/督办 recorded by Intake: shown on the case, to its unit and on the dashboard."""
    notice = Notice(event.notice_no, event.kind, event.issued_at, closure.masked(event.opinion))
    await run(closure, event.case_id, lambda state: decide_urged(state, event.case_id, notice, utc_now()),
              _as_hotline(meta).for_case(event.case_id), conn)  # fmt: skip
