-- Durable jobs: work due at an instant, claimed by one worker, retried, given up with a record
-- (casekit/jobs.py owns every statement on these tables; ADR 0007).

CREATE TABLE jobs (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    queue           text        NOT NULL,
    -- At most one live (pending or running) job per key in a queue: enqueueing twice is harmless.
    key             text,
    -- Jobs of one order key run one at a time, in id order (enqueue_job makes id order commit order).
    order_key       text,
    -- The case the job is about, for logs and lookups.
    correlation_id  uuid,
    payload         jsonb       NOT NULL,
    state           text        NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'running', 'done', 'given_up', 'cancelled')),
    due_at          timestamptz NOT NULL DEFAULT now(),
    attempts        integer     NOT NULL DEFAULT 0,
    -- Per-job limits; when null the worker's policy decides.
    max_attempts    integer CHECK (max_attempts > 0),
    give_up_at      timestamptz,
    -- Set while running: only the holder of the token may settle the job, until leased_until.
    lease_token     uuid,
    leased_until    timestamptz,
    last_error      text,
    traceparent     text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz
);
CREATE INDEX jobs_due ON jobs (queue, due_at, id) WHERE state = 'pending';
CREATE INDEX jobs_leased ON jobs (queue, leased_until) WHERE state = 'running';
CREATE UNIQUE INDEX jobs_live_key ON jobs (queue, key) WHERE state IN ('pending', 'running');
-- The order rule's lookup: is an earlier job of this order key still live?
CREATE INDEX jobs_in_order ON jobs (queue, order_key, id) WHERE state IN ('pending', 'running');
CREATE INDEX jobs_by_key ON jobs (queue, key, id);
CREATE INDEX jobs_by_correlation ON jobs (correlation_id, id);

-- Every attempt, opened at the claim and closed by its outcome (or by its lease expiring).
CREATE TABLE job_attempts (
    job_id       bigint      NOT NULL REFERENCES jobs (id),
    attempt      integer     NOT NULL,
    started_at   timestamptz NOT NULL,
    finished_at  timestamptz,
    outcome      text CHECK (outcome IN ('done', 'failed', 'lease_expired', 'cancelled')),
    error        text,
    -- What the handler chose to record (an HTTP status, say).
    detail       jsonb,
    PRIMARY KEY (job_id, attempt)
);

-- Enqueue a job in the caller's transaction; callable from a trigger. Returns the job's id, or
-- the id of the live job already holding `p_key`.
-- The transaction-scoped advisory lock serialises the enqueuers of one order key until they
-- commit, so ids of one order key are handed out in commit order and a worker never runs a
-- later job before an earlier one that was still committing. It writes nothing, so an
-- `append_events` before it stays the transaction's first write (ADR 0002).
-- search_path is pinned to the schema being migrated (the service's).
CREATE FUNCTION enqueue_job(
    p_queue text, p_payload jsonb, p_due_at timestamptz DEFAULT NULL, p_key text DEFAULT NULL,
    p_order_key text DEFAULT NULL, p_correlation_id uuid DEFAULT NULL, p_max_attempts integer DEFAULT NULL,
    p_give_up_at timestamptz DEFAULT NULL, p_traceparent text DEFAULT NULL
) RETURNS bigint LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    job_id bigint;
BEGIN
    IF p_order_key IS NOT NULL THEN
        PERFORM pg_advisory_xact_lock(hashtext(current_schema() || '.jobs.' || p_queue), hashtext(p_order_key));
    END IF;
    INSERT INTO jobs (queue, key, order_key, correlation_id, payload, due_at, max_attempts, give_up_at, traceparent)
    VALUES (p_queue, p_key, p_order_key, p_correlation_id, p_payload, coalesce(p_due_at, now()), p_max_attempts,
            p_give_up_at, p_traceparent)
    ON CONFLICT (queue, key) WHERE state IN ('pending', 'running') DO NOTHING
    RETURNING id INTO job_id;
    IF job_id IS NULL THEN
        SELECT id INTO job_id FROM jobs WHERE queue = p_queue AND key = p_key AND state IN ('pending', 'running');
    END IF;
    RETURN job_id;
END
$$;
