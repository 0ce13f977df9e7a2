-- 005_mfa.sql: multi-factor authentication (spec 1.9, E38-E47). A user has
-- at most one TOTP authenticator, kept on the user row so that the session
-- check of every request (which reads the row anyway) knows the factors
-- without another statement; challenges are rows of their own.

ALTER TABLE users
  ADD COLUMN IF NOT EXISTS totp_secret VARBINARY(128) NULL
    COMMENT 'the TOTP authenticator''s 20-byte key sealed under enc_key (AES-256-GCM); NULL = no authenticator',
  ADD COLUMN IF NOT EXISTS totp_verified TINYINT(1) NOT NULL DEFAULT 0
    COMMENT '1 once a code of the authenticator was accepted (PUT /account/mfa/authenticators/totp)',
  ADD COLUMN IF NOT EXISTS totp_last_step BIGINT NOT NULL DEFAULT 0
    COMMENT 'the last 30-second step whose code was accepted: that code and older ones are refused (SECURITY.md 8)',
  ADD COLUMN IF NOT EXISTS mfa_recovery_codes VARBINARY(512) NULL
    COMMENT 'JSON array of the unused recovery codes sealed under enc_key (SECURITY.md 7); NULL = none generated';

CREATE TABLE IF NOT EXISTS mfa_challenges (
  project_id  VARCHAR(36)  NOT NULL,
  id          VARCHAR(36)  NOT NULL COMMENT 'challenge ID',
  user_id     VARCHAR(36)  NOT NULL,
  session_id  VARCHAR(36)  NULL COMMENT 'the session that asked; only it can complete the challenge (NULL: asked with a JWT, any session of the user)',
  type        VARCHAR(32)  NOT NULL COMMENT 'factor as the client sent it: email, phone, totp, recoverycode',
  code        CHAR(64)     NULL COMMENT 'HMAC-SHA256 hex (secret_key) of the 6-digit code sent by email or SMS; NULL for totp and recovery codes',
  used        TINYINT(1)   NOT NULL DEFAULT 0 COMMENT '1 once answered: the statement that sets it also elevates the session, so one answer wins',
  expire      DATETIME(3)  NOT NULL COMMENT 'mfa_challenge_ttl after creation',
  created_at  DATETIME(3)  NOT NULL,
  PRIMARY KEY (project_id, id),
  KEY ix_mfa_challenges_user (project_id, user_id),
  CONSTRAINT fk_mfa_challenges_user FOREIGN KEY (project_id, user_id) REFERENCES users (project_id, id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin
  COMMENT='MFA challenges: single use, consumed by one UPDATE whose row count decides; used and expired ones are deleted when the user asks for a new one';
