-- 结案台账: every case in Closure as work lists show it (a unit's open cases, overdue, due soon),
-- written in the transaction that appends the case's events (services/closure/adapters/views/cases.py).
CREATE TABLE IF NOT EXISTS closure_cases (
    case_id uuid PRIMARY KEY,
    case_number text,
    status text NOT NULL,
    unit_code text,
    unit_name text,
    category_code text,
    area_code text,
    self_disposed boolean NOT NULL DEFAULT false,
    next_stage text,
    next_due_at timestamptz,
    overdue text[] NOT NULL DEFAULT '{}',
    escalated text[] NOT NULL DEFAULT '{}',
    rework_count integer NOT NULL DEFAULT 0,
    reopen_count integer NOT NULL DEFAULT 0,
    closure_kind text,
    callback_result text,
    opened_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS closure_cases_by_unit ON closure_cases (unit_code, opened_at DESC, case_id DESC);
CREATE INDEX IF NOT EXISTS closure_cases_by_opened ON closure_cases (opened_at DESC, case_id DESC);
CREATE INDEX IF NOT EXISTS closure_cases_by_area ON closure_cases (area_code text_pattern_ops);
CREATE INDEX IF NOT EXISTS closure_cases_by_due ON closure_cases (next_due_at) WHERE next_due_at IS NOT NULL;
