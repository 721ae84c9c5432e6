-- The first schema. `IF NOT EXISTS` adopts a database made before
-- migrations existed (same tables), so an old SQLite file keeps its data.
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS projects (
    position INTEGER PRIMARY KEY,
    platform_no TEXT NOT NULL UNIQUE,
    record TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS inquiries (
    id INTEGER PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    body_digest TEXT NOT NULL,
    platform_no TEXT NOT NULL,
    agent_id TEXT NOT NULL,
    record TEXT NOT NULL,
    received_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS inquiries_by_agent ON inquiries (agent_id, id);
CREATE TABLE IF NOT EXISTS agent_tokens (
    token_sha256 TEXT PRIMARY KEY,
    agent_id TEXT NOT NULL,
    created_at TEXT NOT NULL
);
-- One token bucket per client address, shared by every replica.
CREATE TABLE IF NOT EXISTS rate_buckets (
    client TEXT PRIMARY KEY,
    tokens REAL NOT NULL,
    updated_at REAL NOT NULL,
    granted INTEGER NOT NULL
);
