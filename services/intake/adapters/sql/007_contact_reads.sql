-- Issue 9, personal data: every disclosure of a reporter's contact (and of the free text typed
-- before masking) is recorded here, in the transaction that reads the sealed rows
-- (adapters/views/contact_reads.py), so nothing is shown that is not on record.
-- An auditor queries it (GET /v1/audit/contact-reads); docs/access.md, "Personal data".
CREATE TABLE contact_reads (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id      uuid NOT NULL,
    case_number  text NOT NULL,
    actor        text NOT NULL,      -- the verified caller (`user:<sub>`), never a header
    roles        text[] NOT NULL,    -- the roles it held: why it was allowed
    purpose      text,               -- what the caller said it was for, e.g. 回访
    disclosed    text[] NOT NULL,    -- what was shown: name, phone, description, address, ...
    trace_id     text,
    read_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX contact_reads_by_case ON contact_reads (case_id, id DESC);
CREATE INDEX contact_reads_by_actor ON contact_reads (actor, id DESC);
CREATE INDEX contact_reads_by_time ON contact_reads (read_at);

-- An access log is append-only: the service never rewrites it. An operator purging entries
-- past their retention does so deliberately, as the schema's owner, with the trigger disabled.
CREATE FUNCTION contact_reads_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'contact_reads is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER contact_reads_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON contact_reads
    FOR EACH STATEMENT EXECUTE FUNCTION contact_reads_append_only();
