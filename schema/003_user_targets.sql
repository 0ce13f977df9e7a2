-- 003_user_targets.sql: each user row carries its Target models, so that
-- reading an account (GET /account and every answer with the Account model)
-- is one statement instead of two.

ALTER TABLE users
  ADD COLUMN IF NOT EXISTS targets MEDIUMTEXT NULL
    COMMENT 'derived: the user''s targets rows as the JSON array of Target models, rewritten by latchkey in the transaction that changes them; NULL = read the targets table instead (set it to NULL after editing targets by hand)';

-- the targets of a user in their listed order straight from the index
ALTER TABLE targets
  ADD INDEX IF NOT EXISTS ix_targets_user_created (project_id, user_id, created_at, id);
ALTER TABLE targets
  DROP INDEX IF EXISTS ix_targets_user;
