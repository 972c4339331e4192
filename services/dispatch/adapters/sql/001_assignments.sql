-- 派遣台账: every case in Dispatch as units and dispatchers list it, written in the transaction
-- that appends the case's events (services/dispatch/adapters/views/assignments.py).
CREATE TABLE IF NOT EXISTS assignments (
    case_id uuid PRIMARY KEY,
    case_number text,
    status text NOT NULL,
    channel text NOT NULL,
    category_code text NOT NULL,
    urgency text NOT NULL,
    area_code text,
    lead_unit text,
    lead_name text,
    assisting text[] NOT NULL DEFAULT '{}',
    signed text[] NOT NULL DEFAULT '{}',
    returns integer NOT NULL DEFAULT 0,
    owner_final boolean NOT NULL DEFAULT false,
    pending_extension integer,
    pending_park text,
    parked boolean NOT NULL DEFAULT false,
    sign_for_due_at timestamptz,
    confirmation_due_at timestamptz,
    opened_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS assignments_by_lead ON assignments (lead_unit, opened_at DESC, case_id DESC);
CREATE INDEX IF NOT EXISTS assignments_by_opened ON assignments (opened_at DESC, case_id DESC);
CREATE INDEX IF NOT EXISTS assignments_by_area ON assignments (area_code text_pattern_ops);
CREATE INDEX IF NOT EXISTS assignments_by_assisting ON assignments USING gin (assisting);
