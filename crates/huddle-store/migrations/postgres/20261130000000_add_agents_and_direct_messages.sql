-- Agents are user accounts with a role. A direct message is a channel between one person and
-- one agent of a project, named dm:{agent}:{user}; the two columns say who may see it.

ALTER TABLE users ADD COLUMN agent_role TEXT
    CHECK (agent_role IN ('orchestrator', 'design', 'code', 'qa', 'data'));

ALTER TABLE channels ADD COLUMN dm_agent_id TEXT REFERENCES users(id) ON DELETE CASCADE;
ALTER TABLE channels ADD COLUMN dm_user_id TEXT REFERENCES users(id) ON DELETE CASCADE;
CREATE INDEX channels_direct_user ON channels(dm_user_id) WHERE dm_user_id IS NOT NULL;
