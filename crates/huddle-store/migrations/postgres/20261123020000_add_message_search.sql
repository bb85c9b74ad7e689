-- Full-text search over message content with a generated tsvector and a GIN index.
ALTER TABLE messages
    ADD COLUMN search tsvector GENERATED ALWAYS AS (to_tsvector('simple', content)) STORED;

CREATE INDEX messages_search ON messages USING GIN (search);
