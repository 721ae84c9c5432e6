-- The deal pipeline, the visitor's thread and the workspace's sessions.
-- An organiser's token has role 'organiser' (its agent_id is their name).
ALTER TABLE agent_tokens ADD COLUMN role TEXT NOT NULL DEFAULT 'agent';
-- The inquiry's stage now, when the agent first replied, and whether the
-- last word is the visitor's (the inbox lists those first).
ALTER TABLE inquiries ADD COLUMN stage TEXT NOT NULL DEFAULT 'new';
ALTER TABLE inquiries ADD COLUMN first_reply_at TEXT;
ALTER TABLE inquiries ADD COLUMN awaiting_reply INTEGER NOT NULL DEFAULT 1;
-- Digests of the visitors' thread secrets; a replayed receipt adds one.
CREATE TABLE thread_secrets (
    secret_sha256 TEXT PRIMARY KEY,
    inquiry_id INTEGER NOT NULL
);
CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    inquiry_id INTEGER NOT NULL,
    author TEXT NOT NULL,
    author_id TEXT NOT NULL,
    body TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    idempotency_key TEXT UNIQUE,
    body_digest TEXT NOT NULL
);
CREATE INDEX messages_by_inquiry ON messages (inquiry_id, id);
-- The append-only history: stage changes and reassignments.
CREATE TABLE deal_events (
    id INTEGER PRIMARY KEY,
    inquiry_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    actor TEXT NOT NULL,
    at TEXT NOT NULL,
    from_value TEXT NOT NULL,
    to_value TEXT NOT NULL,
    record TEXT NOT NULL
);
CREATE INDEX deal_events_by_inquiry ON deal_events (inquiry_id, id);
-- One row per change of any thread, in order: every replica follows it to
-- push live updates (agent_id: who the inquiry belongs to now).
CREATE TABLE changes (
    id INTEGER PRIMARY KEY,
    inquiry_id INTEGER NOT NULL,
    agent_id TEXT NOT NULL
);
CREATE TABLE sessions (
    id_sha256 TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    subject TEXT NOT NULL,
    csrf TEXT NOT NULL,
    expires_at REAL NOT NULL
);
