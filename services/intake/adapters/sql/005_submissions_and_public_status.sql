-- Issue 8: the public status becomes a rebuildable projection (ADR 0009), idempotency keys
-- are scoped per client with the request's fingerprint, and free text typed with personal
-- data is kept sealed beside its masked, published form.
--
-- `reports` keeps what was reported (written once, with the submission); where a case
-- stands lives in the projection `public_status` (adapters/views/reports.py), created by
-- `ensure()` at start and rebuilt from Dispatch's and Closure's topics at will. A merged
-- report (并单) has no status of its own: it shows its open case's.

DROP INDEX reports_open_nearby;
ALTER TABLE reports DROP COLUMN status, DROP COLUMN status_note, DROP COLUMN unit_code, DROP COLUMN unit_name,
    DROP COLUMN updated_at, DROP COLUMN open;
CREATE INDEX reports_primary_nearby ON reports (category_code, lat, lon) WHERE linked_to IS NULL;

ALTER TABLE report_keys ADD COLUMN fingerprint text NOT NULL DEFAULT '';

-- What the reporter typed, before personal data was masked in it (AES-GCM, like contacts).
CREATE TABLE sealed_texts (
    case_id     uuid PRIMARY KEY,
    key_id      text NOT NULL,
    ciphertext  bytea NOT NULL
);

DROP FUNCTION record_submission(text, uuid[], text[], integer[], timestamptz[], jsonb[], text, uuid, uuid,
                                text, text, text[], text, bytea, jsonb);

-- A submitted report's writes in one call (ADR 0006): the events first (ADR 0002), the keys,
-- the sealed contact and text, the report and its first status change.
-- A merged report's first change is its open case's status as it stands: FOR SHARE waits for
-- a status change of the open case in flight (which locks that row FOR UPDATE first, then
-- lists the reports merged into it), so whichever commits first, no change is missed.
CREATE FUNCTION record_submission(
    p_batch event_batch, p_keys text[], p_fingerprints text[], p_key_id text, p_contact bytea,
    p_sealed_text bytea, p_report jsonb
) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    report reports;
    current record;
BEGIN
    PERFORM append_batch(p_batch);
    INSERT INTO report_keys (key, case_id, fingerprint)
        SELECT key, p_batch.correlation_id, fingerprint FROM unnest(p_keys, p_fingerprints) AS k(key, fingerprint);
    IF p_contact IS NOT NULL THEN
        INSERT INTO reporter_contacts (case_id, key_id, ciphertext) VALUES (p_batch.correlation_id, p_key_id, p_contact);
    END IF;
    IF p_sealed_text IS NOT NULL THEN
        INSERT INTO sealed_texts (case_id, key_id, ciphertext) VALUES (p_batch.correlation_id, p_key_id, p_sealed_text);
    END IF;
    report := jsonb_populate_record(NULL::reports, p_report);
    INSERT INTO reports SELECT report.*;
    IF report.linked_to IS NULL THEN
        INSERT INTO status_changes (case_id, status) VALUES (report.case_id, 'received');
    ELSE
        PERFORM 1 FROM reports WHERE case_id = report.linked_to FOR SHARE;
        SELECT s.status, s.note, s.unit_name INTO current FROM public_status s WHERE s.case_id = report.linked_to;
        INSERT INTO status_changes (case_id, status, note, unit_name)
            VALUES (report.case_id, coalesce(current.status, 'received'),
                    coalesce(current.note, '已并入案件 ' || report.linked_to), current.unit_name);
    END IF;
END $$;
