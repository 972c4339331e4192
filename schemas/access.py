"""权限表 The authorisation table: which role, or which system scope, may call which operation.

One table for every service, keyed by operation id (`<service>.<route function>`, or
`*.<route function>` for routes every service has). A route without an entry is refused, and
the matrix test (tests/access/test_matrix.py) walks every operation of every service against
every role, so a new endpoint without its row fails the suite. docs/access.md explains it.

Roles are people's (in their JWT's `roles` claim); systems carry scopes (in a key or a
client-credentials JWT's `scope`). What a role may see *within* an operation (its unit's
cases, its areas, a system's own channel) is checked by the operation itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field

GRID_MEMBER = "grid_member"
"""网格员: patrols a grid, reports and confirms what is in their areas."""
OFFICER = "officer"
"""执法队员: an enforcement officer fixed to community grids (定人、定岗), who patrols and reports."""
CALL_TAKER = "call_taker"
"""受理员: takes hotline calls and enters reports; may read a reporter's contact."""
DISPATCHER = "dispatcher"
"""派遣员: routes cases in their district."""
SHIFT_LEAD = "shift_lead"
"""值班长: approves what a dispatcher may not (extensions, parks, voids)."""
UNIT_STAFF = "unit_staff"
"""责任单位 staff: act only on cases assigned to their unit."""
SUPERVISOR = "supervisor"
"""监督员: verifies disposals on site (核查)."""
CALLBACK_TEAM = "callback_team"
"""回访员: calls residents back; may read a reporter's contact."""
ANALYST = "analyst"
"""Reads the figures (考核) and the traces, never personal data."""
ADMIN = "admin"
"""Manages keys and may call any operation, but reads no personal data."""

ROLES: tuple[str, ...] = (
    GRID_MEMBER,
    OFFICER,
    CALL_TAKER,
    DISPATCHER,
    SHIFT_LEAD,
    UNIT_STAFF,
    SUPERVISOR,
    CALLBACK_TEAM,
    ANALYST,
    ADMIN,
)
SYSTEM = "system"
"""The role every system principal has; what it may do comes from its scopes."""

# System scopes.
SUBMIT_REPORTS = "reports:submit"
READ_REPORTS = "reports:read"
MANAGE_CALLBACKS = "callbacks:manage"
READ_ANALYTICS = "analytics:read"
SCOPES: tuple[str, ...] = (SUBMIT_REPORTS, READ_REPORTS, MANAGE_CALLBACKS, READ_ANALYTICS)


@dataclass(frozen=True)
class Rule:
    """Who may call one operation."""

    summary: str
    roles: frozenset[str] = field(default_factory=frozenset)
    scopes: frozenset[str] = field(default_factory=frozenset)
    """A system may call it holding any one of these."""
    write: bool = False
    """Changes something: rate-limited per caller and per client address."""
    open: bool = False
    """No identity needed (health, metrics, Open311 reads, the public catalogue)."""


def _roles(*names: str) -> frozenset[str]:
    return frozenset((*names, ADMIN))


def _open(summary: str) -> Rule:
    return Rule(summary, open=True)


CASE_READERS = _roles(GRID_MEMBER, CALL_TAKER, DISPATCHER, SHIFT_LEAD, UNIT_STAFF, SUPERVISOR, CALLBACK_TEAM, ANALYST)
FIGURE_READERS = _roles(DISPATCHER, SHIFT_LEAD, SUPERVISOR, ANALYST)
ASSIGNMENT_READERS = _roles(GRID_MEMBER, DISPATCHER, SHIFT_LEAD, UNIT_STAFF, SUPERVISOR, ANALYST)
DISPATCH_DECIDERS = _roles(DISPATCHER, SHIFT_LEAD)
"""派遣员 and 值班长: route, reassign, settle reviews, decide extensions and parks."""
CLOSURE_READERS = ASSIGNMENT_READERS | {CALLBACK_TEAM}
"""Closure's work lists and cases: Dispatch's readers and the call-back team (not call takers: no scope there)."""
PATROLLERS = _roles(GRID_MEMBER, OFFICER)
"""Those who patrol: a grid member or an officer, on their own patrols only."""
PATROL_READERS = _roles(GRID_MEMBER, OFFICER, SUPERVISOR, ANALYST)
"""A patrol's officer and team; supervisors and analysts within their areas."""
WORK_LOG_KEEPERS = _roles(GRID_MEMBER, OFFICER, SUPERVISOR)
"""A work log's officer, and the supervisors who annotate and accept it."""
PATROL_FIGURE_READERS = _roles(SUPERVISOR, ANALYST)
"""巡查's figures: coverage, flags, officers' days and assessment (an officer's whereabouts: not every reader's)."""
CONTACT_READERS = frozenset({CALL_TAKER, CALLBACK_TEAM})
"""Personal data: only those who must call the reporter (not even the admin)."""

TABLE: dict[str, Rule] = {
    # Every service.
    "*.healthz": _open("liveness"),
    "*.readyz": _open("readiness"),
    "*.metrics": _open("Prometheus metrics (an operator protects the path at the ingress)"),
    "*.issue_api_key": Rule("issue an API key for a system", _roles(), write=True),
    "*.list_api_keys": Rule("list API keys (never their secrets)", _roles()),
    "*.rotate_api_key": Rule("rotate an API key, the old one valid for an overlap", _roles(), write=True),
    "*.revoke_api_key": Rule("revoke an API key at once", _roles(), write=True),
    # Intake: the native API.
    "intake.post_report": Rule(
        "submit a report (上报)",
        _roles(GRID_MEMBER, OFFICER, CALL_TAKER, DISPATCHER, SHIFT_LEAD),
        frozenset({SUBMIT_REPORTS}),
        write=True,
    ),
    "intake.read_report": Rule("read one report", CASE_READERS, frozenset({READ_REPORTS})),
    "intake.search_reports": Rule("search reports", CASE_READERS, frozenset({READ_REPORTS})),
    "intake.read_contact": Rule("read a reporter's contact (recorded)", CONTACT_READERS),
    "intake.contact_reads": Rule("the personal-data access log (审计)", _roles()),
    "intake.categories": _open("the service catalogue"),
    # Intake: the community contact board (公示牌), public work contacts of the officers fixed to its grids.
    "intake.community_contacts": _open("a community's contact board (公示牌): its officers' work contacts"),
    "intake.community_contacts_page": _open("a community's contact board (公示牌), as a printable page"),
    # Intake: patrols (巡查); the operation checks it is the caller's own patrol, or in a reader's areas.
    "intake.start_patrol": Rule("start a patrol of one's own (开始巡查)", PATROLLERS, write=True),
    "intake.record_track": Rule("send a batch of one's patrol track points (轨迹)", PATROLLERS, write=True),
    "intake.finish_patrol": Rule("finish one's patrol (结束巡查)", PATROLLERS, write=True),
    "intake.read_patrol": Rule("a patrol's summary", PATROL_READERS),
    "intake.draft_work_log": Rule("draft a work log (工作日志) from the day", WORK_LOG_KEEPERS, write=True),
    "intake.annotate_work_log": Rule("annotate a work log (批注)", WORK_LOG_KEEPERS, write=True),
    "intake.sign_off_work_log": Rule("sign one's own work log off (签字)", PATROLLERS, write=True),
    "intake.accept_work_log": Rule("accept a signed work log (审核通过)", _roles(SUPERVISOR), write=True),
    "intake.read_work_log": Rule("a work log", PATROL_READERS),
    # Intake: callbacks for channel systems.
    "intake.subscribe": Rule(
        "subscribe to a channel's status changes", _roles(), frozenset({MANAGE_CALLBACKS}), write=True
    ),
    "intake.subscriptions": Rule("list callback subscriptions", _roles(), frozenset({MANAGE_CALLBACKS})),
    "intake.deliveries": Rule("list callback deliveries", _roles(), frozenset({MANAGE_CALLBACKS})),
    "intake.unsubscribe": Rule("delete a callback subscription", _roles(), frozenset({MANAGE_CALLBACKS}), write=True),
    # Intake: the 12345 hotline (接诉即办); the operation checks the system is the hotline's.
    "intake.hotline_push_work_order": Rule(
        "push a 12345 work order (派单)", frozenset(), frozenset({SUBMIT_REPORTS}), write=True
    ),
    "intake.hotline_work_order": Rule(
        "a work order's case and pending requests", _roles(), frozenset({SUBMIT_REPORTS})
    ),
    "intake.hotline_messages": Rule(
        "a work order's messages and every delivery attempt", _roles(), frozenset({SUBMIT_REPORTS})
    ),
    "intake.hotline_return_decision": Rule(
        "the hotline's decision on a return (退单审核)", frozenset(), frozenset({SUBMIT_REPORTS}), write=True
    ),
    "intake.hotline_extension_decision": Rule(
        "the hotline's decision on an extension (延期审核)", frozenset(), frozenset({SUBMIT_REPORTS}), write=True
    ),
    "intake.hotline_callback": Rule(
        "the hotline's call-back of the resident (回访)", frozenset(), frozenset({SUBMIT_REPORTS}), write=True
    ),
    "intake.hotline_notice": Rule(
        "the hotline's urge or supervise notice (催办/督办)", frozenset(), frozenset({SUBMIT_REPORTS}), write=True
    ),
    # Intake: Open311 GeoReport v2 (reads open as the spec expects; POST checks its api_key).
    "intake.get_discovery": _open("Open311 discovery"),
    "intake.get_services": _open("Open311 service list"),
    "intake.get_service_definition": _open("Open311 service definition"),
    "intake.get_requests": _open("Open311 service requests (the public view)"),
    "intake.get_request": _open("Open311 one service request: a resident's case by its case number"),
    "intake.get_token": _open("Open311 token lookup"),
    "intake.post_request": _open("Open311 create (authenticated by its api_key form field)"),
    # Dispatch: a unit's cases and its actions on them; a dispatcher's decisions (派遣).
    "dispatch.list_assignments": Rule("list the cases in Dispatch the caller may see", ASSIGNMENT_READERS),
    "dispatch.read_assignment_detail": Rule("one case in Dispatch, its routing explained", ASSIGNMENT_READERS),
    "dispatch.confirm_case": Rule("confirm a report on site (核实)", _roles(GRID_MEMBER), write=True),
    "dispatch.reject_case": Rule("reject a report on site: it is voided (作废)", _roles(GRID_MEMBER), write=True),
    "dispatch.sign_for": Rule("sign for a case (签收), as lead or assisting unit", _roles(UNIT_STAFF), write=True),
    "dispatch.return_case": Rule("return a case (退单) with a reason", _roles(UNIT_STAFF), write=True),
    "dispatch.report_assist": Rule("report an assisting unit's part (协办反馈)", _roles(UNIT_STAFF), write=True),
    "dispatch.request_extension": Rule("ask for an extension (延期申请)", _roles(UNIT_STAFF), write=True),
    "dispatch.request_park": Rule("ask to park a case (挂账申请)", _roles(UNIT_STAFF), write=True),
    "dispatch.route_case": Rule("route a returned or unroutable case (重新派遣)", DISPATCH_DECIDERS, write=True),
    "dispatch.reassign_case": Rule("reassign a case to another unit (改派)", DISPATCH_DECIDERS, write=True),
    "dispatch.decide_review": Rule("name a reviewed case's single owner (裁定)", DISPATCH_DECIDERS, write=True),
    "dispatch.decide_extension": Rule("approve or refuse an extension (延期审批)", DISPATCH_DECIDERS, write=True),
    "dispatch.decide_park": Rule("approve or refuse a park (挂账审批)", DISPATCH_DECIDERS, write=True),
    # Dispatch: whistle and report-in (吹哨报到).
    "dispatch.summon_departments": Rule("summon units to a case's site (吹哨)", DISPATCH_DECIDERS, write=True),
    "dispatch.report_in": Rule("report in on a summons (报到)", _roles(UNIT_STAFF, DISPATCHER, SHIFT_LEAD), write=True),
    "dispatch.list_summons": Rule("a case's summonses and who reported in", ASSIGNMENT_READERS),
    # Dispatch.
    "dispatch.resolve_jurisdiction": Rule(
        "resolve a point or grid code to its district, street, community and grid (辖区解析)",
        CASE_READERS,
        frozenset({SUBMIT_REPORTS, READ_REPORTS}),
    ),
    # Closure: work lists, a case's state and history, and each step of the loop (结案).
    "closure.list_cases": Rule("list the cases in Closure the caller may see (待办, 超期, 即将到期)", CLOSURE_READERS),
    "closure.read_case_detail": Rule("one case in Closure: deadlines, counts and history", CLOSURE_READERS),
    "closure.start_disposal": Rule("start work on a case (开始处置)", _roles(UNIT_STAFF), write=True),
    "closure.report_disposal": Rule("report a disposal (处置反馈)", _roles(UNIT_STAFF), write=True),
    "closure.verify_disposal": Rule("verify a disposal on site (核查)", _roles(GRID_MEMBER, SUPERVISOR), write=True),
    "closure.record_callback": Rule("record a resident's call-back (回访)", _roles(CALLBACK_TEAM), write=True),
    "closure.decide_review": Rule(
        "decide an unsatisfied case's review (复核)", _roles(SUPERVISOR, SHIFT_LEAD), write=True
    ),
    "closure.park_case": Rule("park a case (挂账)", DISPATCH_DECIDERS, write=True),
    "closure.resume_case": Rule(
        "resume a parked case (恢复办理)", _roles(DISPATCHER, SHIFT_LEAD, UNIT_STAFF), write=True
    ),
    "closure.void_case": Rule("void a case (作废)", _roles(SHIFT_LEAD), write=True),
    "closure.close_case": Rule("close a case as an approved exception (特殊结案)", _roles(SHIFT_LEAD), write=True),
    "closure.note_progress": Rule("note a 12345 work order's progress (办理进展)", _roles(UNIT_STAFF), write=True),
    "closure.reply": Rule(
        "send a 12345 work order's final reply (办结回复)", _roles(UNIT_STAFF, DISPATCHER, SHIFT_LEAD), write=True
    ),
    "closure.calendar_due": Rule(
        "when a time limit falls due on the working calendar (工作日历)",
        _roles(*ROLES),
        frozenset({SUBMIT_REPORTS, READ_REPORTS}),
    ),
    # Analytics.
    "analytics.get_case_trace": Rule(
        "a case's trace", FIGURE_READERS | {UNIT_STAFF, CALLBACK_TEAM}, frozenset({READ_ANALYTICS})
    ),
    "analytics.get_report_counts": Rule("report counts per channel", FIGURE_READERS, frozenset({READ_ANALYTICS})),
    "analytics.get_assessment": Rule(
        "the assessment figures and ranking (考核)", FIGURE_READERS, frozenset({READ_ANALYTICS})
    ),
    "analytics.get_hotspots": Rule(
        "problem hotspots by area or cell (问题溯源)", FIGURE_READERS, frozenset({READ_ANALYTICS})
    ),
    "analytics.get_recurrences": Rule(
        "problems recurring at one place (问题溯源)", FIGURE_READERS, frozenset({READ_ANALYTICS})
    ),
    "analytics.get_sources": Rule(
        "found actively or passively (主动发现/被动处置)", FIGURE_READERS, frozenset({READ_ANALYTICS})
    ),
    "analytics.get_trends": Rule("cases reported and closed per period", FIGURE_READERS, frozenset({READ_ANALYTICS})),
    "analytics.search_cases": Rule("find cases by number or text", FIGURE_READERS, frozenset({READ_ANALYTICS})),
    "analytics.get_case_origin": Rule(
        "one case's origin and the earlier cases at its place", FIGURE_READERS, frozenset({READ_ANALYTICS})
    ),
    "analytics.get_areas": Rule(
        "the city's areas of one level as GeoJSON (辖区边界)", FIGURE_READERS, frozenset({READ_ANALYTICS})
    ),
    "analytics.get_patrol_coverage": Rule(
        "patrol coverage per grid for a day or a week (巡查覆盖)", PATROL_FIGURE_READERS, frozenset({READ_ANALYTICS})
    ),
    "analytics.get_patrol_flags": Rule(
        "grids not patrolled within their interval (未按时巡查)", PATROL_FIGURE_READERS, frozenset({READ_ANALYTICS})
    ),
    "analytics.get_officer_day": Rule(
        "an officer's patrols and findings on one day (工作日志)", PATROL_FIGURE_READERS, frozenset({READ_ANALYTICS})
    ),
    "analytics.get_officer_assessment": Rule(
        "officers' and brigades' monthly figures (队员考核)", PATROL_FIGURE_READERS, frozenset({READ_ANALYTICS})
    ),
    "analytics.dashboard": _open("the dashboard page (大屏); it reads every figure with the user's own token"),
    "analytics.dashboard_static": _open("the dashboard's bundled scripts and styles under /static (a mount)"),
    # Dispatch: the routing preview replays a whole period, so it is rate-limited like a write.
    "dispatch.preview_routing": Rule(
        "preview a candidate routing table on past cases (派遣规则预演)",
        _roles(DISPATCHER, SHIFT_LEAD, ANALYST),
        write=True,
    ),
}


def rule_for(service: str, route_name: str) -> Rule | None:
    """The row for a service's route, its own first, then the one every service shares."""
    return TABLE.get(f"{service}.{route_name}") or TABLE.get(f"*.{route_name}")


def markdown_table() -> str:
    """The table as docs/access.md shows it (a test keeps the two equal)."""
    people = " | ".join(f"`{role}`" for role in ROLES)
    lines = [f"| operation | what | {people} | system scopes |", "|" + "---|" * (len(ROLES) + 3)]
    for operation, rule in TABLE.items():
        if rule.open:
            cells = ["open"] * len(ROLES)
            scopes = "open"
        else:
            cells = ["✓" if role in rule.roles else "" for role in ROLES]
            scopes = ", ".join(f"`{scope}`" for scope in sorted(rule.scopes)) or "–"
        what = rule.summary + (" (rate-limited)" if rule.write else "")
        lines.append(f"| `{operation}` | {what} | {' | '.join(cells)} | {scopes} |")
    return "\n".join(lines)


def documented_span(text: str) -> tuple[int, int]:
    """Where the table sits in docs/access.md: between its opening comment and `<!-- end of table -->`."""
    return text.index("-->", text.index("<!-- table:")) + len("-->"), text.index("<!-- end of table -->")


def rewrite_docs(path: str) -> None:
    """Put the table into the docs page between its markers (`python -m schemas.access --write docs/access.md`)."""
    from pathlib import Path

    page = Path(path)
    text = page.read_text(encoding="utf-8")
    start, end = documented_span(text)
    page.write_text(f"{text[:start]}\n{markdown_table()}\n{text[end:]}", encoding="utf-8")


if __name__ == "__main__":
    import sys

    if sys.argv[1:2] == ["--write"]:
        rewrite_docs(sys.argv[2])
    else:
        print(markdown_table())
