-- Projections (read models fed from events) and where each generation of them has read to (ADR 0009).
-- A projection's tables are `<table>_g<generation>`; a view `<table>` names the live generation,
-- so a rebuild fills generation N+1 beside N and one transaction swaps the views.

CREATE TABLE projections (
    name         text PRIMARY KEY,
    generation   integer NOT NULL,
    -- What built the live generation (its tables' DDL and its version); '' when its tables were
    -- created empty after the consumer group had already handled messages: a rebuild is due.
    fingerprint  text NOT NULL,
    rebuilt_at   timestamptz,
    updated_at   timestamptz NOT NULL DEFAULT now()
);

-- Next Kafka offset per partition a projection's generation has applied, written in the same
-- transaction as the rows it reflects.
CREATE TABLE projection_checkpoints (
    projection       text    NOT NULL,
    generation       integer NOT NULL,
    topic            text    NOT NULL,
    kafka_partition  integer NOT NULL,
    next_offset      bigint  NOT NULL,
    PRIMARY KEY (projection, generation, topic, kafka_partition)
);
