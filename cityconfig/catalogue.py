"""案件类别: the catalogue of case categories, components (部件) and matters (事件), read from `categories.tsv`."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypeVar

from cityconfig.errors import CityConfigError

Urgency = Literal["urgent", "normal", "low"]
Kind = Literal["component", "matter"]

URGENCIES: tuple[Urgency, ...] = ("urgent", "normal", "low")
KINDS: tuple[Kind, ...] = ("component", "matter")
COLUMNS = ("code", "name", "name_en", "kind", "major_code", "major_name", "urgency")

# 5 digits = 2 for the class (大类) + 3 for the item (小类), as in the 2026 platform standard (DOMAIN.md).
CODE_PATTERN = re.compile(r"^\d{5}$")

T = TypeVar("T", bound=str)


@dataclass(frozen=True)
class Category:
    """案件类别: one kind of problem a report can name, with the class (大类) it belongs to."""

    code: str
    name: str
    name_en: str
    kind: Kind
    major_code: str
    major_name: str
    urgency: Urgency


def read_categories(path: Path) -> dict[str, Category]:
    """Read and check a catalogue file: every row complete, codes well formed and unique."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CityConfigError(path, "file is missing") from None
    except (OSError, UnicodeDecodeError) as why:
        raise CityConfigError(path, f"cannot be read: {why}") from None
    rows = csv.DictReader(text.splitlines(), delimiter="\t", quoting=csv.QUOTE_NONE)
    missing = [column for column in COLUMNS if column not in (rows.fieldnames or [])]
    if missing:
        raise CityConfigError(path, f"header lacks the column(s) {', '.join(missing)}", "line 1")
    categories: dict[str, Category] = {}
    first_line: dict[str, int] = {}
    for line, row in enumerate(rows, start=2):
        category = _category(path, line, row)
        if category.code in categories:
            where = f"line {line} ({category.code})"
            raise CityConfigError(
                path, f"duplicate code {category.code}, already on line {first_line[category.code]}", where
            )
        categories[category.code] = category
        first_line[category.code] = line
    if not categories:
        raise CityConfigError(path, "lists no category")
    return categories


def _category(path: Path, line: int, row: dict[str | None, str | None]) -> Category:
    code = row.get("code") or ""
    where = f"line {line} ({code or 'no code'})"
    if None in row:
        raise CityConfigError(path, f"more fields than the {len(COLUMNS)} columns", where)
    empty = [column for column in COLUMNS if not row.get(column)]
    if empty:
        raise CityConfigError(path, f"empty or missing {', '.join(empty)}", where)
    if not CODE_PATTERN.match(code):
        raise CityConfigError(path, f"code {code!r} is not 5 digits", where)
    major_code = row["major_code"] or ""
    if code[:2] != major_code:
        raise CityConfigError(path, f"major_code {major_code!r} is not the first two digits of the code", where)
    kind = _member(row["kind"], KINDS)
    if kind is None:
        raise CityConfigError(path, f"unknown kind {row['kind']!r} (expected one of {', '.join(KINDS)})", where)
    urgency = _member(row["urgency"], URGENCIES)
    if urgency is None:
        expected = ", ".join(URGENCIES)
        raise CityConfigError(path, f"unknown urgency {row['urgency']!r} (expected one of {expected})", where)
    return Category(
        code=code,
        name=row["name"] or "",
        name_en=row["name_en"] or "",
        kind=kind,
        major_code=major_code,
        major_name=row["major_name"] or "",
        urgency=urgency,
    )


def _member(value: str | None, allowed: tuple[T, ...]) -> T | None:
    return next((member for member in allowed if member == value), None)
