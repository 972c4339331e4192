-- 接诉即办: a 12345 work order's number beside the case number (from Dispatch's AssignmentOpened, the
-- same partition, before the routing), and what a unit's work list shows of the hotline's side:
-- the reply's due time and outcome, the urge and supervise notices (催办/督办) and the latest one.
ALTER TABLE closure_case_numbers ALTER COLUMN case_number DROP NOT NULL;
ALTER TABLE closure_case_numbers ADD COLUMN IF NOT EXISTS work_order_no text;

ALTER TABLE closure_cases
    ADD COLUMN IF NOT EXISTS work_order_no text,
    ADD COLUMN IF NOT EXISTS reply_due_at timestamptz,
    ADD COLUMN IF NOT EXISTS reply_outcome text,
    ADD COLUMN IF NOT EXISTS replied_at timestamptz,
    ADD COLUMN IF NOT EXISTS urge_count integer NOT NULL DEFAULT 0,
    ADD COLUMN IF NOT EXISTS last_urge_kind text,
    ADD COLUMN IF NOT EXISTS last_urged_at timestamptz;

-- The upsert of sql/003_timer_fired.sql with the new columns (the timers' one-statement write calls it too).
CREATE OR REPLACE FUNCTION closure_save_case(p_row jsonb) RETURNS void LANGUAGE sql SET search_path FROM CURRENT AS $$
    INSERT INTO closure_cases (case_id, case_number, status, unit_code, unit_name, category_code, area_code,
        self_disposed, next_stage, next_due_at, overdue, escalated, rework_count, reopen_count, closure_kind,
        callback_result, opened_at, updated_at, work_order_no, reply_due_at, reply_outcome, replied_at, urge_count,
        last_urge_kind, last_urged_at)
    SELECT case_id, case_number, status, unit_code, unit_name, category_code, area_code, self_disposed,
        next_stage, next_due_at, overdue, escalated, rework_count, reopen_count, closure_kind, callback_result,
        opened_at, updated_at, work_order_no, reply_due_at, reply_outcome, replied_at, coalesce(urge_count, 0),
        last_urge_kind, last_urged_at
    FROM jsonb_populate_record(NULL::closure_cases, p_row)
    ON CONFLICT (case_id) DO UPDATE SET
        status = excluded.status, unit_code = excluded.unit_code, unit_name = excluded.unit_name,
        next_stage = excluded.next_stage, next_due_at = excluded.next_due_at, overdue = excluded.overdue,
        escalated = excluded.escalated, rework_count = excluded.rework_count, reopen_count = excluded.reopen_count,
        closure_kind = excluded.closure_kind, callback_result = excluded.callback_result,
        updated_at = excluded.updated_at, work_order_no = excluded.work_order_no, reply_due_at = excluded.reply_due_at,
        reply_outcome = excluded.reply_outcome, replied_at = excluded.replied_at, urge_count = excluded.urge_count,
        last_urge_kind = excluded.last_urge_kind, last_urged_at = excluded.last_urged_at
$$;
