-- 案件编号: each case's number as Dispatch's AssignmentOpened gave it, written before the case is
-- routed (the same partition, in order), so Closure's record and the hotline's call-backs by number
-- find it (services/closure/adapters/views/case_numbers.py).
CREATE TABLE IF NOT EXISTS closure_case_numbers (
    case_id uuid PRIMARY KEY,
    case_number text NOT NULL
);
CREATE INDEX IF NOT EXISTS closure_case_numbers_by_number ON closure_case_numbers (case_number);
