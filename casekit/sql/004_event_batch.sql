-- Events to append, as one SQL value: a service's function that appends and updates its read
-- models in one round trip (ADR 0006) takes `p_batch event_batch` and calls
-- `append_batch(p_batch)` as its first write, instead of re-declaring append_events' parameters.
CREATE TYPE event_batch AS (
    stream_id text, expected_version integer,
    event_ids uuid[], types text[], schema_versions integer[], occurred_at timestamptz[], data jsonb[],
    actor text, correlation_id uuid, causation_id uuid, traceparent text, tracestate text
);

CREATE FUNCTION append_batch(b event_batch) RETURNS integer LANGUAGE sql AS $$
    SELECT append_events(b.stream_id, b.expected_version, b.event_ids, b.types, b.schema_versions,
                         b.occurred_at, b.data, b.actor, b.correlation_id, b.causation_id,
                         b.traceparent, b.tracestate)
$$;
