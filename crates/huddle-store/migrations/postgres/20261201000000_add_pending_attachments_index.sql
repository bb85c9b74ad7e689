-- The bytes a user has uploaded but not yet sent are summed on every upload (the quota).
CREATE INDEX attachments_pending ON attachments(uploader_id) WHERE message_id IS NULL;
