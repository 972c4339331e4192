-- Intake's own tables beside its event store.

-- Idempotency: one case per channel + external id, and per Idempotency-Key header.
CREATE TABLE report_keys (
    key         text PRIMARY KEY,
    case_id     uuid NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- Daily case-number sequences per channel prefix (gaps are allowed; numbers never repeat).
CREATE TABLE case_number_counters (
    prefix  text NOT NULL,
    day     date NOT NULL,
    last    integer NOT NULL,
    PRIMARY KEY (prefix, day)
);

-- Reporter contact, encrypted (AES-GCM): personal data never leaves Intake.
CREATE TABLE reporter_contacts (
    case_id     uuid PRIMARY KEY,
    key_id      text NOT NULL,
    ciphertext  bytea NOT NULL
);

-- Read model: each case's public status, for the native API, Open311 and callbacks.
CREATE TABLE reports (
    case_id             uuid PRIMARY KEY,
    case_number         text NOT NULL UNIQUE,
    channel             text NOT NULL,
    category_code       text NOT NULL,
    description         text NOT NULL,
    lat                 double precision,
    lon                 double precision,
    address             text,
    grid_code           text,
    community_code      text,
    street_code         text,
    district_code       text,
    external_id         text,
    photo_urls          text[] NOT NULL DEFAULT '{}',
    needs_confirmation  boolean NOT NULL,
    received_at         timestamptz NOT NULL,
    linked_to           uuid,
    status              text NOT NULL,
    status_note         text,
    unit_code           text,
    unit_name           text,
    expected_at         timestamptz,
    updated_at          timestamptz NOT NULL,
    open                boolean NOT NULL DEFAULT true
);
CREATE INDEX reports_by_time ON reports (received_at DESC, case_id DESC);
CREATE INDEX reports_open_nearby ON reports (category_code, lat, lon) WHERE open AND linked_to IS NULL;
CREATE INDEX reports_by_external ON reports (channel, external_id);
CREATE INDEX reports_linked ON reports (linked_to) WHERE linked_to IS NOT NULL;

-- Every public status change, in order per case: the audit trail and the callbacks' source.
CREATE TABLE status_changes (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id     uuid NOT NULL,
    status      text NOT NULL,
    note        text,
    unit_name   text,
    changed_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX status_changes_by_case ON status_changes (case_id, id);
