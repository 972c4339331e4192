-- Who registered a subscription (the access issue): a system sees and deletes only its own.
-- Older rows have no owner: only an admin sees them.
ALTER TABLE callback_subscriptions ADD COLUMN owner text;
CREATE INDEX callback_subscriptions_owner ON callback_subscriptions (owner) WHERE deleted_at IS NULL;
