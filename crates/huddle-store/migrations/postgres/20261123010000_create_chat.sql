-- Chat: channels, messages (threads are messages with a thread_id), reactions, read state.
-- Message ids are UUIDv7 text, so they sort by creation time and serve as keyset cursors.

CREATE TABLE channels (
    id              TEXT PRIMARY KEY,
    project_id      TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('general', 'workflow', 'agent', 'error')),
    description     TEXT NOT NULL DEFAULT '',
    archived_at     TEXT,
    created_at      TEXT NOT NULL,
    last_message_at TEXT,
    UNIQUE (project_id, name)
);

CREATE TABLE messages (
    id            TEXT PRIMARY KEY,
    project_id    TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    channel_id    TEXT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    author_type   TEXT NOT NULL CHECK (author_type IN ('user', 'agent', 'system')),
    author_id     TEXT NOT NULL,
    author_name   TEXT NOT NULL,
    kind          TEXT NOT NULL,
    content       TEXT NOT NULL,
    content_html  TEXT NOT NULL,
    mentions      TEXT NOT NULL DEFAULT '[]',
    thread_id     TEXT REFERENCES messages(id) ON DELETE CASCADE,
    reply_to      TEXT,
    client_id     TEXT,
    metadata      TEXT NOT NULL DEFAULT '{}',
    created_at    TEXT NOT NULL,
    edited_at     TEXT,
    deleted_at    TEXT,
    pinned_at     TEXT,
    reply_count   BIGINT NOT NULL DEFAULT 0,
    last_reply_at TEXT,
    UNIQUE (author_id, client_id)
);
CREATE INDEX messages_channel_page ON messages(channel_id, thread_id, id);
CREATE INDEX messages_thread_page ON messages(thread_id, id);

CREATE TABLE reactions (
    message_id TEXT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    username   TEXT NOT NULL,
    emoji      TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (message_id, user_id, emoji)
);

CREATE TABLE read_states (
    user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    channel_id   TEXT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    last_read_id TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    PRIMARY KEY (user_id, channel_id)
);

-- Projects that existed before chat get the default channels.
INSERT INTO channels (id, project_id, name, kind, description, created_at)
SELECT p.id || ':' || c.name, p.id, c.name, c.kind, c.description, p.created_at
FROM projects p
CROSS JOIN (
    SELECT 'general' AS name, 'general' AS kind, 'Talk about anything in this project' AS description
    UNION ALL SELECT 'workflow', 'workflow', 'Commands and workflow updates'
    UNION ALL SELECT 'agents', 'agent', 'What the agents are doing'
    UNION ALL SELECT 'errors', 'error', 'Failures that need a look'
) c;
