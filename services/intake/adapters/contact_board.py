"""公示牌: a community's contact board, the officers and grid members fixed to its grids (定人、定岗、定责、定时),
as JSON and as a printable page.

Public information, read from the city's `duty.yaml`: names, units, duties, work phones and hours. Work
contact data only; nothing here reads a report or a resident's contact (that is contacts_http.py).
"""

from __future__ import annotations

from html import escape
from typing import Annotated, Any

from fastapi import APIRouter, Path
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from casekit.errors import NotFound
from casekit.web.responses import problem_response
from cityconfig.city import City
from cityconfig.duty import DutyAssignment, DutyRole
from services.intake.adapters.deps import IntakeDep

router = APIRouter(tags=["contact board"])
CommunityCode = Annotated[
    str,
    Path(pattern=r"^[0-9]{12}$", description="社区编码: the community's code, 12 digits", examples=["320302001002"]),
]
UNKNOWN: dict[int | str, dict[str, Any]] = {404: problem_response(404, "无此社区: no community with this code")}
ROLE_NAMES: dict[DutyRole, str] = {"officer": "执法队员", "grid_member": "网格员"}
# The page loads nothing: its one style sheet is inline, so it prints and works offline.
CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"


class BoardContact(BaseModel):
    """公示人员: one person fixed to the community's grids, as the board shows them."""

    name: str = Field(description="姓名")
    role: DutyRole = Field(description="岗位: officer 执法队员 or grid_member 网格员")
    role_name: str = Field(description="岗位名称: 执法队员 or 网格员")
    unit_code: str = Field(description="所属单位编码 (units.yaml)")
    unit_name: str = Field(description="所属单位")
    brigade_code: str | None = Field(description="所属中队编码; null if the person belongs to no brigade")
    brigade_name: str | None = Field(description="所属中队 (a street's enforcement brigade)")
    duties: list[str] = Field(description="职责 (定责)")
    work_phone: str = Field(description="工作电话 (a work number, never a private one)")
    hours: list[str] = Field(description="工作时间, HH:MM-HH:MM in the city's time (定时)")
    grid_codes: list[str] = Field(
        description="负责网格: the unit grids of this community the person is fixed to (定岗)"
    )


class ContactBoard(BaseModel):
    """社区城管公示牌: a community, its street, and who answers for its grids."""

    community_code: str = Field(description="社区编码")
    community_name: str = Field(description="社区名称")
    street_code: str | None = Field(description="街道编码")
    street_name: str | None = Field(description="街道名称")
    contacts: list[BoardContact] = Field(description="公示人员: officers first, then grid members, in file order")


@router.get("/v1/communities/{code}/contacts", responses=UNKNOWN)
async def community_contacts(code: CommunityCode, intake: IntakeDep) -> ContactBoard:
    """公示牌: the community's assigned officers and grid members, with their work contacts (public)."""
    return board_of(intake.city, code)


@router.get("/v1/communities/{code}/contacts.html", response_class=HTMLResponse, responses=UNKNOWN)
async def community_contacts_page(code: CommunityCode, intake: IntakeDep) -> HTMLResponse:
    """公示牌, printable: one self-contained page (inline style, nothing loaded) to print and post up."""
    board = board_of(intake.city, code)
    return HTMLResponse(render(board, intake.city), headers={"Content-Security-Policy": CSP})


def board_of(city: City, code: str) -> ContactBoard:
    community = city.jurisdiction(code)
    if community is None or community.level != "community":
        raise NotFound(f"no community {code} in {city.name}")
    street = city.jurisdiction(community.parent) if community.parent else None
    assigned = city.duty.for_community(code)
    ordered = [a for a in assigned if a.role == "officer"] + [a for a in assigned if a.role != "officer"]
    return ContactBoard(
        community_code=code,
        community_name=community.name,
        street_code=street.code if street else None,
        street_name=street.name if street else None,
        contacts=[_contact(city, code, assignment) for assignment in ordered],
    )


def _contact(city: City, community_code: str, assignment: DutyAssignment) -> BoardContact:
    def unit_name(unit_code: str) -> str:
        unit = city.units.get(unit_code) if city.units else None
        return unit.name if unit else unit_code  # duty.yaml is checked against units.yaml at load

    brigade = assignment.brigade_code
    return BoardContact(
        name=assignment.name,
        role=assignment.role,
        role_name=ROLE_NAMES[assignment.role],
        unit_code=assignment.unit_code,
        unit_name=unit_name(assignment.unit_code),
        brigade_code=brigade,
        brigade_name=unit_name(brigade) if brigade else None,
        duties=list(assignment.duties),
        work_phone=assignment.work_phone,
        hours=list(assignment.hours),
        grid_codes=[grid for grid in assignment.grid_codes if grid.startswith(community_code)],
    )


STYLE = """
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", sans-serif; margin: 2em; color: #111; }
h1 { font-size: 1.8em; text-align: center; margin: 0 0 .2em; letter-spacing: .2em; }
p.where { text-align: center; margin: 0 0 1.5em; color: #333; }
table { width: 100%; border-collapse: collapse; }
th, td { border: 1px solid #444; padding: .45em .6em; vertical-align: top; text-align: left; }
th { background: #eee; }
td.phone { white-space: nowrap; font-weight: bold; }
p.none, p.note { color: #333; }
p.note { font-size: .85em; margin-top: 1.5em; }
@media print { body { margin: 1cm; } th { background: none; } a { color: inherit; text-decoration: none; } }
"""


def render(board: ContactBoard, city: City) -> str:
    """The board as a page; every value escaped (the names come from a file, but a page is no place to trust)."""
    rows = "\n".join(_row(contact, city) for contact in board.contacts)
    where = " · ".join(escape(part) for part in (board.street_name, board.community_name) if part)
    body = (
        f"<table>\n<thead><tr><th>姓名</th><th>岗位</th><th>所属单位</th><th>负责网格</th><th>职责</th>"
        f"<th>工作电话</th><th>工作时间</th></tr></thead>\n<tbody>\n{rows}\n</tbody>\n</table>"
        if board.contacts
        else '<p class="none">本社区暂无公示人员。</p>'
    )
    return f"""<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>社区城管公示牌 · {escape(board.community_name)}</title>
<style>{STYLE}</style>
</head>
<body>
<h1>社区城管公示牌</h1>
<p class="where">{where}（社区编码 {escape(board.community_code)}）</p>
{body}
<p class="note">定人、定岗、定责、定时。工作时间内请拨打工作电话；其他时间可拨打 12345 政务服务便民热线。</p>
</body>
</html>
"""


def _row(contact: BoardContact, city: City) -> str:
    def grid_name(code: str) -> str:
        grid = city.jurisdiction(code)
        return grid.name if grid else code

    unit = escape(contact.unit_name) + (f"<br>{escape(contact.brigade_name)}" if contact.brigade_name else "")
    cells = [
        escape(contact.name),
        escape(contact.role_name),
        unit,
        "<br>".join(escape(grid_name(code)) for code in contact.grid_codes),
        "、".join(escape(duty) for duty in contact.duties),
        escape(contact.work_phone),
        "<br>".join(escape(span) for span in contact.hours),
    ]
    classes = ["", "", "", "", "", ' class="phone"', ""]
    return "<tr>" + "".join(f"<td{css}>{cell}</td>" for css, cell in zip(classes, cells, strict=True)) + "</tr>"
