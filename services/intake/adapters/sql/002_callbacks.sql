-- Callbacks: channel systems notified of every public status change (adapters/callbacks.py).

-- A channel system's URL and HMAC secret. The secret is stored as given because it must sign;
-- the API never returns it. Deleting only marks the row, so past deliveries keep their subscriber.
CREATE TABLE callback_subscriptions (
    id          uuid PRIMARY KEY,
    channel     text NOT NULL,
    url         text NOT NULL,
    secret      text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    deleted_at  timestamptz
);
CREATE INDEX callback_subscriptions_active ON callback_subscriptions (channel) WHERE deleted_at IS NULL;

-- One notification owed to one subscriber. `next_attempt_at` doubles as the claim's lease: a
-- worker that claims a row pushes it past its timeout, so a crashed replica's claim expires.
CREATE TABLE callback_deliveries (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    subscription_id   uuid NOT NULL REFERENCES callback_subscriptions (id),
    status_change_id  bigint NOT NULL REFERENCES status_changes (id),
    case_id           uuid NOT NULL,
    state             text NOT NULL DEFAULT 'pending'
                      CHECK (state IN ('pending', 'delivered', 'given_up', 'cancelled')),
    attempts          integer NOT NULL DEFAULT 0,
    next_attempt_at   timestamptz NOT NULL DEFAULT now(),
    claim_token       uuid,
    created_at        timestamptz NOT NULL DEFAULT now(),
    finished_at       timestamptz,
    UNIQUE (subscription_id, status_change_id)
);
CREATE INDEX callback_deliveries_due ON callback_deliveries (next_attempt_at) WHERE state = 'pending';
-- The order rule's lookup: is an earlier change of this case still owed to this subscriber?
CREATE INDEX callback_deliveries_in_order ON callback_deliveries (subscription_id, case_id, status_change_id)
    WHERE state = 'pending';
CREATE INDEX callback_deliveries_by_case ON callback_deliveries (case_id, id);

-- Every attempt: when, how long, and what came back (an HTTP status or the error).
CREATE TABLE callback_attempts (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    delivery_id   bigint NOT NULL REFERENCES callback_deliveries (id),
    attempted_at  timestamptz NOT NULL,
    duration_ms   integer NOT NULL,
    http_status   integer,
    error         text,
    CHECK (http_status IS NOT NULL OR error IS NOT NULL)
);
CREATE INDEX callback_attempts_by_delivery ON callback_attempts (delivery_id, id);

-- The deliveries are owed in the status change's own transaction: durable with it, and no
-- poller has to find its way along status_changes ids, which commit out of order.
-- FOR KEY SHARE waits for a concurrent unsubscribe (which locks FOR UPDATE) and then skips the
-- deleted row, so no delivery is ever owed to a subscription deleted before it committed.
-- search_path is pinned to the service's schema, the one being migrated.
CREATE FUNCTION owe_callbacks() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO callback_deliveries (subscription_id, status_change_id, case_id)
    SELECT s.id, NEW.id, NEW.case_id
    FROM reports r JOIN callback_subscriptions s ON s.channel = r.channel AND s.deleted_at IS NULL
    WHERE r.case_id = NEW.case_id
    FOR KEY SHARE OF s;
    RETURN NULL;
END
$$;

CREATE TRIGGER status_changes_owe_callbacks AFTER INSERT ON status_changes
    FOR EACH ROW EXECUTE FUNCTION owe_callbacks();
