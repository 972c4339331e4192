-- API keys of the systems that call this service (ADR 0012): stored as SHA-256 of the whole key
-- (keys are 256-bit random, so a slow hash adds nothing), scoped, rotated with an overlap, revoked.
CREATE TABLE IF NOT EXISTS api_keys (
    key_id     text PRIMARY KEY,
    client     text NOT NULL,
    key_hash   bytea NOT NULL UNIQUE,
    channels   text[] NOT NULL DEFAULT '{}',
    scopes     text[] NOT NULL DEFAULT '{}',
    note       text,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz,
    revoked_at timestamptz,
    replaced_by text REFERENCES api_keys (key_id)
);
CREATE INDEX IF NOT EXISTS api_keys_client ON api_keys (client);
