"""Import a legacy system's cases: `python -m tools.import_legacy cases.csv [--city DIR]` (`make import-legacy`).

Reads a UTF-8 CSV export (schemas/legacy_import.py has the columns), checks every row first (a bad
row is printed with its line and reason, and nothing of it is imported), then appends each good
case's history through Intake's, Dispatch's and Closure's own import commands, into each service's
own store, at its historical instants, marked as imported. Idempotent by case number. The services'
relays publish what was appended, so Analytics counts it like any other history (ADR 0015).

Connects with INTAKE_DATABASE_URL, DISPATCH_DATABASE_URL and CLOSURE_DATABASE_URL, or DATABASE_URL
for all three (`make import-legacy` reads them from the stack `make run` started). Exit status 1
when a row was refused, 2 when the file cannot be read at all.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import os
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
from pydantic import ValidationError

from casekit.db import create_pool
from casekit.eventstore import EventStore
from casekit.eventtypes import EventTypes
from cityconfig.city import DEFAULT_CITY, City, load_city
from schemas.closure import CLOSURE_EVENTS
from schemas.dispatch import DISPATCH_EVENTS
from schemas.intake import ReportLinked, ReportReceived
from schemas.legacy_import import COLUMNS, LegacyCase
from services.closure.application.legacy import import_closure
from services.dispatch.application.legacy import import_assignment
from services.intake.adapters.submissions import SqlSubmissions
from services.intake.application.legacy import import_report

SERVICES = ("intake", "dispatch", "closure")
CONCURRENCY = 8


@dataclass(frozen=True)
class Refused:
    line: int
    case_number: str | None
    reason: str


@dataclass
class Outcome:
    imported: int = 0
    already_there: int = 0
    refused: list[Refused] = field(default_factory=list)


def _reason(error: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'row'}: {e['msg']}" for e in error.errors())


def check_rows(text: str, city: City) -> tuple[list[LegacyCase], list[Refused]]:
    """Every row checked on its own and against the city; the good cases and the refused rows."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [name.strip() for name in reader.fieldnames or []]
    if sorted(header) != sorted(COLUMNS):
        missing, extra = set(COLUMNS) - set(header), set(header) - set(COLUMNS)
        raise ValueError(f"the header must name {', '.join(COLUMNS)}; missing {sorted(missing)}, extra {sorted(extra)}")
    cases: list[LegacyCase] = []
    refused: list[Refused] = []
    seen: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        values = {(k or "").strip(): v for k, v in row.items()}
        number = (values.get("case_number") or "").strip() or None
        if None in row:
            refused.append(Refused(line, number, "more cells than columns"))
            continue
        try:
            case = LegacyCase.model_validate(values)
        except ValidationError as error:
            refused.append(Refused(line, number, _reason(error)))
            continue
        problem = city_problem(case, city) or (
            f"case_number repeats line {seen[case.case_number]}" if case.case_number in seen else None
        )
        if problem:
            refused.append(Refused(line, number, problem))
            continue
        seen[case.case_number] = line
        cases.append(case)
    return cases, refused


def city_problem(case: LegacyCase, city: City) -> str | None:
    if city.category(case.category_code) is None:
        return f"category_code {case.category_code} is not in {city.name}'s catalogue"
    grid = city.jurisdictions.get(case.grid_code)
    if grid is None or grid.level != "grid":
        return f"grid_code {case.grid_code} is not a unit grid of {city.name}"
    if case.unit_code is not None and (city.units is None or city.units.get(case.unit_code) is None):
        return f"unit_code {case.unit_code} is not a unit of {city.name}"
    return None


def database_urls() -> dict[str, str]:
    urls = {s: os.environ.get(f"{s.upper()}_DATABASE_URL") or os.environ.get("DATABASE_URL", "") for s in SERVICES}
    if missing := [s for s, url in urls.items() if not url]:
        raise SystemExit(f"set DATABASE_URL or {', '.join(s.upper() + '_DATABASE_URL' for s in missing)}")
    return urls


class Importer:
    """Each service's store on its own pool; one case at a time per service, in that order."""

    def __init__(self, pools: dict[str, asyncpg.Pool], city: City) -> None:
        self.pools, self.city = pools, city
        self.stores = {
            "intake": EventStore(pools["intake"], EventTypes([ReportReceived, ReportLinked])),
            "dispatch": EventStore(pools["dispatch"], EventTypes(list(DISPATCH_EVENTS))),
            "closure": EventStore(pools["closure"], EventTypes(list(CLOSURE_EVENTS))),
        }
        self.submissions = SqlSubmissions(self.stores["intake"])

    async def one(self, case: LegacyCase) -> bool:
        """True if anything of the case was new (an interrupted import is completed where it stopped)."""
        async with self.pools["intake"].acquire() as conn:
            reported = await import_report(conn, self.submissions, case, self.city)
        async with self.pools["dispatch"].acquire() as conn:
            assigned = await import_assignment(self.stores["dispatch"], conn, case, self.city)
        async with self.pools["closure"].acquire() as conn:
            closed = await import_closure(self.stores["closure"], conn, case, self.city)
        return reported or assigned or closed


async def import_cases(cases: Sequence[LegacyCase], urls: dict[str, str], city: City, progress: bool = True) -> Outcome:
    pools = {s: await create_pool(url, s, max_size=CONCURRENCY) for s, url in urls.items()}
    outcome, done, started = Outcome(), 0, time.perf_counter()
    importer = Importer(pools, city)
    semaphore = asyncio.Semaphore(CONCURRENCY)

    async def one(case: LegacyCase) -> None:
        nonlocal done
        async with semaphore:
            if await importer.one(case):
                outcome.imported += 1
            else:
                outcome.already_there += 1
            done += 1
            if progress and (done % 100 == 0 or done == len(cases)):
                _bar(done, len(cases), time.perf_counter() - started)

    try:
        await asyncio.gather(*(one(case) for case in cases))
    finally:
        for pool in pools.values():
            await pool.close()
    if progress and cases:
        print(file=sys.stderr)
    return outcome


def _bar(done: int, total: int, seconds: float) -> None:
    width = 30
    filled = width * done // max(total, 1)
    rate = done / seconds if seconds else 0.0
    print(
        f"\rimporting [{'#' * filled}{'.' * (width - filled)}] {done}/{total} cases, {rate:,.0f}/s",
        end="",
        file=sys.stderr,
        flush=True,
    )


def report(outcome: Outcome, out: Iterable[Refused]) -> None:
    for refused in out:
        print(f"line {refused.line} ({refused.case_number or 'no case number'}): {refused.reason}", file=sys.stderr)
    print(f"imported {outcome.imported}, already there {outcome.already_there}, refused {len(outcome.refused)}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("file", type=Path, help="the UTF-8 CSV export")
    parser.add_argument("--city", type=Path, default=Path(os.environ.get("CITY_CONFIG", DEFAULT_CITY)))
    args = parser.parse_args(argv)
    city = load_city(args.city)
    try:
        cases, refused = check_rows(args.file.read_text(encoding="utf-8"), city)
    except (OSError, UnicodeDecodeError, ValueError, csv.Error) as error:
        print(f"{args.file}: {error}", file=sys.stderr)
        return 2
    outcome = asyncio.run(import_cases(cases, database_urls(), city))
    outcome.refused = refused
    report(outcome, refused)
    return 1 if refused else 0


if __name__ == "__main__":
    sys.exit(main())
