-- 003_user_targets.sql: the read path of every signed-in request. Each user
-- row carries its Target models, so that reading an account (GET /account
-- and every answer with the Account model) is one statement instead of two,
-- and a session is found by the primary key its token leads to.

ALTER TABLE users
  ADD COLUMN IF NOT EXISTS targets MEDIUMTEXT NULL
    COMMENT 'derived: the user''s targets rows as the JSON array of Target models, rewritten by latchkey in the transaction that changes them; NULL = read the targets table instead (set it to NULL after editing targets by hand)';

-- the targets of a user in their listed order straight from the index
ALTER TABLE targets
  ADD INDEX IF NOT EXISTS ix_targets_user_created (project_id, user_id, created_at, id);
ALTER TABLE targets
  DROP INDEX IF EXISTS ix_targets_user;

-- sessions clustered by the hash of their secret: the session check of every
-- request is one primary-key lookup (the session ID stays unique per project)
ALTER TABLE sessions
  MODIFY secret CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL
    COMMENT 'sha256 hex of the 256-hex-char session secret; the secret itself is never stored',
  DROP PRIMARY KEY,
  ADD PRIMARY KEY (secret),
  ADD UNIQUE KEY IF NOT EXISTS uq_sessions_id (project_id, id),
  DROP INDEX IF EXISTS uq_sessions_secret;
