-- The event store, its relay checkpoints and the consumer inbox (ADR 0002, ADR 0003).
-- Append-only: no code path updates or deletes a row of `events`.

CREATE TABLE events (
    global_position  bigint GENERATED ALWAYS AS IDENTITY,
    -- The writing transaction's id: readers stop below the oldest running one, so no
    -- event can appear behind a reader's position (ADR 0002).
    transaction_id   bigint      NOT NULL DEFAULT (pg_current_xact_id()::text::bigint),
    event_id         uuid        NOT NULL,
    stream_id        text        NOT NULL,
    version          integer     NOT NULL,
    type             text        NOT NULL,
    schema_version   integer     NOT NULL,
    occurred_at      timestamptz NOT NULL,
    recorded_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor            text        NOT NULL,
    correlation_id   uuid,
    causation_id     uuid,
    traceparent      text,
    tracestate       text,
    data             jsonb       NOT NULL,
    PRIMARY KEY (stream_id, version)
);
CREATE INDEX events_global_order ON events (transaction_id, global_position);

CREATE FUNCTION forbid_event_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events are append-only' USING ERRCODE = 'CK403';
END $$;
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION forbid_event_changes();

-- Append events to one stream if it is still at the expected version.
CREATE FUNCTION append_events(
    p_stream_id text, p_expected_version integer,
    p_event_ids uuid[], p_types text[], p_schema_versions integer[],
    p_occurred_at timestamptz[], p_data jsonb[],
    p_actor text, p_correlation_id uuid, p_causation_id uuid,
    p_traceparent text, p_tracestate text
) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    current_version integer;
BEGIN
    -- xid order must agree with each stream's order: a transaction that wrote before
    -- reading the stream could hold an older xid than the writer it follows (ADR 0002).
    IF pg_current_xact_id_if_assigned() IS NOT NULL THEN
        RAISE EXCEPTION 'append must be the first write of its transaction' USING ERRCODE = 'CK001';
    END IF;
    SELECT max(version) INTO current_version FROM events WHERE stream_id = p_stream_id;
    current_version := coalesce(current_version, 0);
    IF current_version <> p_expected_version THEN
        RAISE EXCEPTION 'stream % is at version %, not %', p_stream_id, current_version, p_expected_version
            USING ERRCODE = 'CK409';
    END IF;
    INSERT INTO events (event_id, stream_id, version, type, schema_version, occurred_at, data,
                        actor, correlation_id, causation_id, traceparent, tracestate)
    SELECT e.event_id, p_stream_id, current_version + e.n::integer, e.type, e.schema_version,
           e.occurred_at, e.data, p_actor, p_correlation_id, p_causation_id, p_traceparent, p_tracestate
    FROM unnest(p_event_ids, p_types, p_schema_versions, p_occurred_at, p_data)
         WITH ORDINALITY AS e(event_id, type, schema_version, occurred_at, data, n);
    RETURN current_version + cardinality(p_event_ids);
END $$;

-- Where each relay has published up to.
CREATE TABLE relay_checkpoints (
    relay            text PRIMARY KEY,
    transaction_id   bigint NOT NULL,
    global_position  bigint NOT NULL,
    updated_at       timestamptz NOT NULL DEFAULT now()
);

-- Messages each consumer group has handled, written in the same transaction as the effects.
CREATE TABLE inbox (
    consumer     text NOT NULL,
    message_id   text NOT NULL,
    handled_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, message_id)
);
