-- The first schema; the same tables and columns as sqlite/0001_initial.sql.
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE projects (
    position BIGINT PRIMARY KEY,
    platform_no TEXT NOT NULL UNIQUE,
    record TEXT NOT NULL
);
CREATE TABLE inquiries (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    body_digest TEXT NOT NULL,
    platform_no TEXT NOT NULL,
    agent_id TEXT NOT NULL,
    record TEXT NOT NULL,
    received_at TEXT NOT NULL
);
CREATE INDEX inquiries_by_agent ON inquiries (agent_id, id);
CREATE TABLE agent_tokens (
    token_sha256 TEXT PRIMARY KEY,
    agent_id TEXT NOT NULL,
    created_at TEXT NOT NULL
);
-- One token bucket per client address, shared by every replica.
CREATE TABLE rate_buckets (
    client TEXT PRIMARY KEY,
    tokens DOUBLE PRECISION NOT NULL,
    updated_at DOUBLE PRECISION NOT NULL,
    granted BIGINT NOT NULL
);
