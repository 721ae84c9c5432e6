-- Anonymous attention counts: per conference day, project and event, a
-- number. No visitor identifier, address or cookie is stored anywhere.
CREATE TABLE attention_counts (
    day TEXT NOT NULL,
    platform_no TEXT NOT NULL,
    event TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (day, platform_no, event)
);
-- Batches already counted (a retried batch counts once), by day received.
CREATE TABLE attention_batches (
    id TEXT PRIMARY KEY,
    day TEXT NOT NULL
);
