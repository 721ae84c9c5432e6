-- Anonymous attention counts; the same tables and columns as
-- sqlite/0003_attention.sql. No visitor identifier, address or cookie is
-- stored anywhere.
CREATE TABLE attention_counts (
    day TEXT NOT NULL,
    platform_no TEXT NOT NULL,
    event TEXT NOT NULL,
    count BIGINT NOT NULL,
    PRIMARY KEY (day, platform_no, event)
);
CREATE TABLE attention_batches (
    id TEXT PRIMARY KEY,
    day TEXT NOT NULL
);
