"""派遣规则预演: check a candidate `units.yaml` and `routing.yaml` as start-up would, then replay a period.

The candidate tables go through the city loader's own readers (cityconfig.units.read_units,
cityconfig.routing_table.read_routing, and cityconfig.duty.read_duty for the city's duty.yaml against
candidate units) against the running city's jurisdictions and catalogue, so
a table the preview accepts is one Dispatch would start with, and one it refuses is refused here
with the loader's words (422). They read files: the texts are written to a private temporary
folder, which keeps the loader unchanged. Nothing is written anywhere else.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol, TypeVar

import yaml

from casekit.errors import InvalidInput
from cityconfig import City
from cityconfig.duty import DUTY_FILE, read_duty
from cityconfig.errors import CityConfigError
from cityconfig.routing_table import ROUTING_FILE, RoutingTable, read_routing
from cityconfig.units import UNITS_FILE, Units, read_units
from services.dispatch.domain.preview import CHANGED_LIMIT, PastCase, PreviewResult, Replay

MAX_YAML_NODES = 200_000
"""Nodes a candidate document may expand to, aliases counted as what they repeat: a 1,200-unit
`units.yaml` has about 17,000. Past it, a few nested aliases (`*a` of `*b` of …) could make the
loader's checks walk billions of nodes from a body of a few hundred bytes."""
T = TypeVar("T")


@dataclass(frozen=True)
class PreviewRequest:
    """A candidate table (either file may be left out: the running city's is used) and a period."""

    units_yaml: str | None
    routing_yaml: str | None
    start: datetime
    end: datetime
    limit: int = CHANGED_LIMIT


class History(Protocol):
    """Dispatch's past cases (adapters/views/history.py)."""

    async def each_case(self, start: datetime, end: datetime, visit: Callable[[PastCase], None]) -> None: ...


async def preview_routing(history: History, city: City, request: PreviewRequest) -> PreviewResult:
    """What the candidate tables would change for the cases opened in [start, end); changes nothing."""
    if request.end <= request.start:
        raise InvalidInput("the period must end after it starts", "/to", "period")
    # YAML parsing is pure Python and takes ~0.3 s for a city-sized units.yaml: off the event loop.
    units, table = await asyncio.to_thread(candidate_tables, city, request.units_yaml, request.routing_yaml)
    replay = Replay(units, table, request.limit)
    await history.each_case(request.start, request.end, replay.add)
    return replay.result()


def candidate_tables(city: City, units_yaml: str | None, routing_yaml: str | None) -> tuple[Units, RoutingTable]:
    """The candidate tables, checked as `load_city` checks them; InvalidInput with the loader's message."""
    if city.units is None or city.routing is None:
        raise InvalidInput("the running city has no unit and routing tables to compare with", "", "city-config")
    if units_yaml is None and routing_yaml is None:
        return city.units, city.routing
    with tempfile.TemporaryDirectory(prefix="routing-preview-") as folder:
        units = city.units
        if units_yaml is not None:
            units = _read(read_units, _written(folder, UNITS_FILE, units_yaml, "/units_yaml"), city.jurisdictions,
                          at="/units_yaml")  # fmt: skip
        at = "/routing_yaml"
        if routing_yaml is None:  # the city's own table, checked against the candidate units
            routing_yaml, at = (city.path / ROUTING_FILE).read_text(encoding="utf-8"), "/units_yaml"
        routing_file = _written(folder, ROUTING_FILE, routing_yaml, at)
        table = _read(read_routing, routing_file, units, city.categories, at=at)
        if units_yaml is not None and (city.path / DUTY_FILE).exists():
            # duty.yaml names units too: a table that strands an officer's unit would not start either.
            _read(read_duty, city.path / DUTY_FILE, units, city.jurisdictions, at="/units_yaml")
        return units, table


def _written(folder: str, name: str, text: str, at: str) -> Path:
    check_expansion(text, at)
    path = Path(folder) / name
    path.write_text(text, encoding="utf-8")
    return path


def _read(reader: Callable[..., T], path: Path, *args: object, at: str) -> T:
    try:
        return reader(path, *args)
    except CityConfigError as refused:
        # The loader names its file; here that is a temporary one, so name it as the city would.
        where = f"{refused.where}: " if refused.where else ""
        raise InvalidInput(f"{path.name}: {where}{refused.problem}", at, "city-config") from None


def check_expansion(text: str, at: str) -> None:
    """Refuse a document whose aliases expand past MAX_YAML_NODES; a syntax error is the loader's to name."""
    sizes: dict[str, int] = {}
    open_nodes: list[tuple[str | None, int]] = [(None, 0)]
    try:
        for event in yaml.parse(text, Loader=yaml.CSafeLoader):
            if isinstance(event, yaml.CollectionStartEvent):
                open_nodes.append((event.anchor, 1))
                continue
            if isinstance(event, yaml.CollectionEndEvent):
                anchor, size = open_nodes.pop()
            elif isinstance(event, yaml.ScalarEvent):
                anchor, size = event.anchor, 1
            elif isinstance(event, yaml.AliasEvent):
                anchor, size = None, sizes.get(event.anchor or "", 1)
            else:
                continue
            if anchor is not None:
                sizes[anchor] = size
            parent, count = open_nodes[-1]
            open_nodes[-1] = (parent, count + size)
            if sum(count for _, count in open_nodes) > MAX_YAML_NODES:
                raise InvalidInput(f"the document expands to more than {MAX_YAML_NODES} nodes", at, "yaml-too-large")
    except yaml.YAMLError:
        return
