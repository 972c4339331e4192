-- The public view as its readers see it (merged reports carry the open case's number), and
-- idempotency keys scoped to the client that sent them, with the request's fingerprint
-- (issue 8: two integrators' keys never meet; a key reused with another body is refused).

CREATE VIEW report_summaries AS
    SELECT r.case_id, r.case_number, r.channel, r.category_code, r.description, r.lat, r.lon, r.address,
           r.grid_code, r.community_code, r.street_code, r.district_code, r.external_id, r.photo_urls,
           r.needs_confirmation, r.received_at, r.linked_to, primary_case.case_number AS linked_number,
           r.status, r.status_note, r.unit_code, r.unit_name, r.expected_at, r.updated_at
    FROM reports r LEFT JOIN reports primary_case ON primary_case.case_id = r.linked_to;

ALTER TABLE report_keys ADD COLUMN fingerprint text NOT NULL DEFAULT '';

DROP FUNCTION record_submission(text, uuid[], text[], integer[], timestamptz[], jsonb[], text, uuid, uuid,
                                text, text, text[], text, bytea, jsonb);

-- A submitted report's writes in one call (ADR 0006): the events first (ADR 0002), the keys,
-- the sealed contact, the public view and its first status change.
-- A report merged into an open case (并单) takes that case's public status as it stands: the
-- FOR SHARE waits for a status change of the open case in flight (apply_change updates the
-- open case's row first), so whichever commits first, the merged report ends up current.
CREATE FUNCTION record_submission(
    p_batch event_batch, p_keys text[], p_fingerprints text[], p_contact_key_id text, p_contact bytea,
    p_report jsonb
) RETURNS SETOF report_summaries LANGUAGE plpgsql AS $$
DECLARE
    report reports;
    open_case reports;
BEGIN
    PERFORM append_batch(p_batch);
    INSERT INTO report_keys (key, case_id, fingerprint)
        SELECT key, p_batch.correlation_id, fingerprint FROM unnest(p_keys, p_fingerprints) AS k(key, fingerprint);
    IF p_contact IS NOT NULL THEN
        INSERT INTO reporter_contacts (case_id, key_id, ciphertext)
        VALUES (p_batch.correlation_id, p_contact_key_id, p_contact);
    END IF;
    report := jsonb_populate_record(NULL::reports, p_report);
    IF report.linked_to IS NOT NULL THEN
        SELECT * INTO open_case FROM reports WHERE case_id = report.linked_to FOR SHARE;
        IF FOUND AND open_case.status <> 'received' THEN
            report.status := open_case.status;
            report.status_note := open_case.status_note;
            report.unit_code := open_case.unit_code;
            report.unit_name := open_case.unit_name;
            report.open := open_case.open;
        END IF;
    END IF;
    INSERT INTO reports SELECT report.*;
    INSERT INTO status_changes (case_id, status, note, unit_name)
        VALUES (report.case_id, report.status, report.status_note, report.unit_name);
    RETURN QUERY SELECT * FROM report_summaries WHERE case_id = report.case_id;
END $$;
