-- Callbacks move onto casekit's durable jobs (ADR 0007): one job of queue 'callbacks' per
-- delivery, keyed by subscription and status change, in order per subscription and case.
-- The deliveries and attempts recorded so far move with them; the old tables go.

-- A delivery's job: payload {subscription_id, status_change_id, status, channel}.
INSERT INTO jobs (queue, key, order_key, correlation_id, payload, state, due_at, attempts, last_error,
                  created_at, finished_at)
SELECT 'callbacks', d.subscription_id || ':' || d.status_change_id, d.subscription_id || ':' || d.case_id,
       d.case_id,
       jsonb_build_object('subscription_id', d.subscription_id, 'status_change_id', d.status_change_id,
                          'status', sc.status, 'channel', s.channel),
       CASE d.state WHEN 'delivered' THEN 'done' ELSE d.state END,
       d.next_attempt_at, d.attempts,
       (SELECT coalesce(a.error, 'HTTP ' || a.http_status) FROM callback_attempts a
        WHERE a.delivery_id = d.id AND NOT coalesce(a.http_status BETWEEN 200 AND 299, false)
        ORDER BY a.id DESC LIMIT 1),
       d.created_at, d.finished_at
FROM callback_deliveries d
JOIN status_changes sc ON sc.id = d.status_change_id
JOIN callback_subscriptions s ON s.id = d.subscription_id
ORDER BY d.id;

INSERT INTO job_attempts (job_id, attempt, started_at, finished_at, outcome, error, detail)
SELECT j.id, row_number() OVER (PARTITION BY a.delivery_id ORDER BY a.id), a.attempted_at,
       a.attempted_at + a.duration_ms * interval '1 millisecond',
       CASE WHEN a.http_status BETWEEN 200 AND 299 THEN 'done' ELSE 'failed' END,
       CASE WHEN a.http_status BETWEEN 200 AND 299 THEN NULL ELSE coalesce(a.error, 'HTTP ' || a.http_status) END,
       jsonb_strip_nulls(jsonb_build_object('http_status', a.http_status, 'duration_ms', a.duration_ms))
FROM callback_attempts a
JOIN callback_deliveries d ON d.id = a.delivery_id
JOIN jobs j ON j.queue = 'callbacks' AND j.key = d.subscription_id || ':' || d.status_change_id;

-- Owed in the status change's own transaction, as before; enqueue_job keeps order per key.
-- FOR KEY SHARE still waits for a concurrent unsubscribe (which locks FOR UPDATE) and then
-- skips the deleted row. search_path is pinned to the service's schema, the one being migrated.
CREATE OR REPLACE FUNCTION owe_callbacks() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    PERFORM enqueue_job(
        'callbacks',
        jsonb_build_object('subscription_id', s.id, 'status_change_id', NEW.id, 'status', NEW.status,
                           'channel', s.channel),
        p_key => s.id || ':' || NEW.id,
        p_order_key => s.id || ':' || NEW.case_id,
        p_correlation_id => NEW.case_id)
    FROM reports r JOIN callback_subscriptions s ON s.channel = r.channel AND s.deleted_at IS NULL
    WHERE r.case_id = NEW.case_id
    ORDER BY s.id
    FOR KEY SHARE OF s;
    RETURN NULL;
END
$$;

DROP TABLE callback_attempts;
DROP TABLE callback_deliveries;
