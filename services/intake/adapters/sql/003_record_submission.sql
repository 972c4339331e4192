-- A submitted report's writes in one call, so a request costs one round trip, not seven:
-- the event (first, ADR 0002), the idempotency keys, the sealed contact, the public view
-- and its first status change. One statement is one transaction when none is open.
CREATE FUNCTION record_submission(
    p_stream_id text, p_event_ids uuid[], p_types text[], p_schema_versions integer[],
    p_occurred_at timestamptz[], p_data jsonb[], p_actor text, p_correlation_id uuid,
    p_causation_id uuid, p_traceparent text, p_tracestate text,
    p_keys text[], p_contact_key_id text, p_contact bytea, p_report jsonb
) RETURNS SETOF reports LANGUAGE plpgsql AS $$
BEGIN
    PERFORM append_events(p_stream_id, 0, p_event_ids, p_types, p_schema_versions, p_occurred_at,
                          p_data, p_actor, p_correlation_id, p_causation_id, p_traceparent, p_tracestate);
    INSERT INTO report_keys (key, case_id) SELECT key, p_correlation_id FROM unnest(p_keys) AS key;
    IF p_contact IS NOT NULL THEN
        INSERT INTO reporter_contacts (case_id, key_id, ciphertext)
        VALUES (p_correlation_id, p_contact_key_id, p_contact);
    END IF;
    RETURN QUERY
        WITH report AS (
            INSERT INTO reports SELECT * FROM jsonb_populate_record(NULL::reports, p_report) RETURNING *
        ), change AS (
            INSERT INTO status_changes (case_id, status, note) SELECT case_id, status, status_note FROM report
        )
        SELECT * FROM report;
END $$;
