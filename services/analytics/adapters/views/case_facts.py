"""The case facts' tables (案件事实): the inputs each event gave, and the versions folded from them.

A batch writes its inputs, reads every input of the cases it touched and writes their versions
again: the rows are the fold of what is stored, so a redelivery, an event recorded earlier that
arrives later, or a rebuild all end in the same rows.
"""

from __future__ import annotations

from collections import defaultdict

import orjson

from casekit.eventstore import Connection
from casekit.projection import Names, Table
from services.analytics.domain.case_facts import COLUMNS, FactChange, FactInput, FactVersion, fold

INPUTS = Table(
    "case_fact_inputs",
    """CREATE TABLE {table} (
        case_id      uuid NOT NULL,
        event_id     uuid NOT NULL,
        recorded_at  timestamptz NOT NULL,
        occurred_at  timestamptz NOT NULL,
        change       jsonb NOT NULL,
        PRIMARY KEY (case_id, event_id)
    );""",
)
_FACT_COLUMNS = ",\n        ".join(f"{name} {kind}" for name, kind in COLUMNS.items())
FACTS = Table(
    "case_facts",
    f"""CREATE TABLE {{table}} (
        case_id        uuid NOT NULL,
        recorded_from  timestamptz NOT NULL,
        recorded_to    timestamptz,
        {_FACT_COLUMNS},
        PRIMARY KEY (case_id, recorded_from)
    );
    CREATE INDEX {{table}}_due_now ON {{table}} (close_due_at) WHERE recorded_to IS NULL;
    CREATE INDEX {{table}}_reported_now ON {{table}} (reported_at) WHERE recorded_to IS NULL;
    CREATE INDEX {{table}}_closed_now ON {{table}} (closed_at) WHERE recorded_to IS NULL;
    CREATE INDEX {{table}}_number ON {{table}} (case_number text_pattern_ops) WHERE recorded_to IS NULL;
    CREATE INDEX {{table}}_place_now ON {{table}} (grid_code, category_code, reported_at) WHERE recorded_to IS NULL;
    CREATE INDEX {{table}}_due_as_of ON {{table}} (close_due_at, recorded_from);
    CREATE INDEX {{table}}_reported_as_of ON {{table}} (reported_at, recorded_from);""",
)
TABLES = (INPUTS, FACTS)

ADD_INPUTS = """INSERT INTO {table} (case_id, event_id, recorded_at, occurred_at, change)
    SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[], $4::timestamptz[], $5::jsonb[])
    ON CONFLICT DO NOTHING"""
READ_INPUTS = "SELECT case_id, event_id, recorded_at, occurred_at, change::text FROM {table} WHERE case_id = ANY($1)"
DROP_VERSIONS = "DELETE FROM {table} WHERE case_id = ANY($1)"
_NAMES = ["case_id", "recorded_from", "recorded_to", *COLUMNS]
_TYPES = ["uuid", "timestamptz", "timestamptz", *COLUMNS.values()]
ADD_VERSIONS = (
    f"INSERT INTO {{table}} ({', '.join(_NAMES)}) SELECT * FROM unnest("
    + ", ".join(f"${n}::{kind}[]" for n, kind in enumerate(_TYPES, start=1))
    + ")"
)


class CaseFactRows:
    """Gathers a batch's inputs and folds each touched case once, on flush (casekit Buffered)."""

    def __init__(self, conn: Connection, names: Names) -> None:
        self.conn = conn
        self.inputs, self.facts = names[INPUTS.name], names[FACTS.name]
        self.pending: list[FactInput] = []

    async def add(self, entry: FactInput) -> None:
        self.pending.append(entry)

    async def flush(self) -> None:
        arriving, self.pending = self.pending, []
        if not arriving:
            return
        await self.conn.execute(
            ADD_INPUTS.format(table=self.inputs),
            [e.case_id for e in arriving],
            [e.event_id for e in arriving],
            [e.recorded_at for e in arriving],
            [e.occurred_at for e in arriving],
            [orjson.dumps(e.change.as_json()).decode() for e in arriving],
        )
        cases = list({e.case_id for e in arriving})
        stored: dict[object, list[FactInput]] = defaultdict(list)
        for row in await self.conn.fetch(READ_INPUTS.format(table=self.inputs), cases):
            stored[row[0]].append(FactInput(row[0], row[1], row[2], row[3], FactChange.from_json(orjson.loads(row[4]))))
        versions = [v for case in cases for v in fold(stored[case])]
        await self.conn.execute(DROP_VERSIONS.format(table=self.facts), cases)
        await self.conn.execute(ADD_VERSIONS.format(table=self.facts), *_columns(versions))


def _columns(versions: list[FactVersion]) -> list[list[object]]:
    return [
        [v.case_id for v in versions],
        [v.recorded_from for v in versions],
        [v.recorded_to for v in versions],
        *([v.facts[name] for v in versions] for name in COLUMNS),
    ]
