-- Uploaded files. An upload belongs to its uploader until a message of theirs claims it.
CREATE TABLE attachments (
    id            TEXT PRIMARY KEY,
    project_id    TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    uploader_id   TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    message_id    TEXT REFERENCES messages(id) ON DELETE SET NULL,
    file_name     TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size          BIGINT NOT NULL,
    width         BIGINT,
    height        BIGINT,
    has_thumbnail BIGINT NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL
);
CREATE INDEX attachments_message ON attachments(message_id);
