-- The case trace: every domain event of every service, one row each (rebuildable from Kafka).
CREATE TABLE case_trace (
    event_id     uuid PRIMARY KEY,
    case_id      uuid NOT NULL,
    service      text NOT NULL,
    type         text NOT NULL,
    occurred_at  timestamptz NOT NULL,
    actor        text,
    trace_id     text,
    data         jsonb NOT NULL,
    topic        text NOT NULL,
    kafka_partition integer NOT NULL,
    kafka_offset bigint NOT NULL,
    projected_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX case_trace_by_case ON case_trace (case_id, occurred_at, event_id);
