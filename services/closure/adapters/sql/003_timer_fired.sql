-- The case's row as SqlCases.save writes it (services/closure/adapters/views/cases.py), by column
-- name from JSON: one upsert for the command path and the timers' one-statement write below.
CREATE FUNCTION closure_save_case(p_row jsonb) RETURNS void LANGUAGE sql SET search_path FROM CURRENT AS $$
    INSERT INTO closure_cases (case_id, case_number, status, unit_code, unit_name, category_code, area_code,
        self_disposed, next_stage, next_due_at, overdue, escalated, rework_count, reopen_count, closure_kind,
        callback_result, opened_at, updated_at)
    SELECT case_id, case_number, status, unit_code, unit_name, category_code, area_code, self_disposed,
        next_stage, next_due_at, overdue, escalated, rework_count, reopen_count, closure_kind, callback_result,
        opened_at, updated_at
    FROM jsonb_populate_record(NULL::closure_cases, p_row)
    ON CONFLICT (case_id) DO UPDATE SET
        status = excluded.status, unit_code = excluded.unit_code, unit_name = excluded.unit_name,
        next_stage = excluded.next_stage, next_due_at = excluded.next_due_at, overdue = excluded.overdue,
        escalated = excluded.escalated, rework_count = excluded.rework_count, reopen_count = excluded.reopen_count,
        closure_kind = excluded.closure_kind, callback_result = excluded.callback_result,
        updated_at = excluded.updated_at
$$;

-- 定时 in one statement (ADR 0006, 0007): what a timer decided, with its job completed, in the
-- statement's own transaction: the events first (ADR 0002), the case's row (as SqlCases.save
-- writes it, services/closure/adapters/views/cases.py), the timers it owes (enqueue_job), and the
-- job done, only if this worker still holds its lease (else CK410 and nothing is written).
-- Two round trips per timer (read the stream, this) instead of seven in a transaction.
CREATE FUNCTION closure_timer_fired(
    p_batch event_batch, p_row jsonb, p_owe jsonb, p_job_id bigint, p_lease_token uuid, p_attempt integer
) RETURNS integer LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    version integer;
BEGIN
    version := append_batch(p_batch);
    PERFORM closure_save_case(p_row);
    PERFORM enqueue_job(o->>'queue', o->'payload', (o->>'due_at')::timestamptz, o->>'key', NULL,
                        (o->>'correlation_id')::uuid, NULL, NULL, o->>'traceparent')
    FROM jsonb_array_elements(p_owe) AS o;
    IF NOT complete_job(p_job_id, p_lease_token, p_attempt) THEN
        RAISE EXCEPTION 'job % is no longer leased to this worker', p_job_id USING ERRCODE = 'CK410';
    END IF;
    RETURN version;
END $$;
