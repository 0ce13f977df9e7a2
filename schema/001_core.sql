-- 001_core.sql: projects, platforms, API keys, users, targets, sessions,
-- tokens, identities, the security log and rate-limit counters.
-- Galera-ready: InnoDB only, a primary key on every table, no AUTO_INCREMENT
-- ordering; IDs are 20-hex-char strings made by the server (or client IDs).
-- All text is utf8mb4; identifiers compare byte-wise (utf8mb4_bin).

CREATE TABLE IF NOT EXISTS projects (
  id              VARCHAR(36)  NOT NULL COMMENT 'project ID, the X-Appwrite-Project value',
  name            VARCHAR(128) NOT NULL DEFAULT '' COMMENT 'shown in emails and as TOTP issuer',
  api_rest        TINYINT(1)   NOT NULL DEFAULT 1 COMMENT '0: REST API disabled (403 general_api_disabled)',
  service_account TINYINT(1)   NOT NULL DEFAULT 1 COMMENT '0: account service disabled (403 general_service_disabled)',
  auth_limit      INT          NOT NULL DEFAULT 0 COMMENT 'max users, 0 = unlimited (0..10000)',
  auth_max_sessions INT        NOT NULL DEFAULT 10 COMMENT 'sessions kept per user, oldest evicted (1..100)',
  auth_duration   INT          NOT NULL DEFAULT 31536000 COMMENT 'session lifetime in seconds (0..31536000)',
  auth_password_history INT    NOT NULL DEFAULT 0 COMMENT 'remembered password hashes (0..20)',
  auth_password_dictionary TINYINT(1) NOT NULL DEFAULT 0 COMMENT 'reject the 10k common passwords',
  auth_personal_data_check TINYINT(1) NOT NULL DEFAULT 0 COMMENT 'reject passwords containing id/email/name/phone',
  auth_session_alerts TINYINT(1) NOT NULL DEFAULT 0 COMMENT 'email on new sessions',
  auth_mock_numbers JSON       NULL COMMENT '[{"phone":"+1...","otp":"123456"}], max 10',
  auth_email_password TINYINT(1) NOT NULL DEFAULT 1 COMMENT 'email/password sign-up and sign-in',
  auth_magic_url  TINYINT(1)   NOT NULL DEFAULT 1 COMMENT 'magic URL tokens',
  auth_email_otp  TINYINT(1)   NOT NULL DEFAULT 1 COMMENT 'email OTP tokens',
  auth_anonymous  TINYINT(1)   NOT NULL DEFAULT 1 COMMENT 'anonymous sessions',
  auth_phone      TINYINT(1)   NOT NULL DEFAULT 1 COMMENT 'phone tokens and phone verification',
  auth_jwt        TINYINT(1)   NOT NULL DEFAULT 1 COMMENT 'POST /account/jwts',
  auth_invites    TINYINT(1)   NOT NULL DEFAULT 1 COMMENT 'team invites',
  auth_invalidate_sessions TINYINT(1) NOT NULL DEFAULT 1 COMMENT 'password change/reset ends the other sessions (SECURITY.md 6)',
  auth_recovery_oracle TINYINT(1) NOT NULL DEFAULT 0 COMMENT '1: recovery for an unknown email answers 404 user_not_found as Appwrite does (SECURITY.md 5)',
  created_at      DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at      DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin
  COMMENT='one row per project; auth_* are the auth settings of spec/CONTRACT.md 7';

CREATE TABLE IF NOT EXISTS platforms (
  project_id  VARCHAR(36)  NOT NULL COMMENT 'owning project',
  id          VARCHAR(36)  NOT NULL COMMENT 'platform ID (any unique string)',
  type        VARCHAR(32)  NOT NULL COMMENT 'web, flutter-web, android, apple-ios, flutter-ios, ...',
  name        VARCHAR(128) NOT NULL DEFAULT '' COMMENT 'label for admins',
  hostname    VARCHAR(255) NOT NULL DEFAULT '' COMMENT 'web types: allowed origin host, "*" or "*.example.com"',
  `key`       VARCHAR(255) NOT NULL DEFAULT '' COMMENT 'native types: bundle ID / package name',
  created_at  DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (project_id, id),
  CONSTRAINT fk_platforms_project FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin
  COMMENT='origins allowed for CORS and redirect URLs (spec/CONTRACT.md 3.3)';

CREATE TABLE IF NOT EXISTS api_keys (
  project_id  VARCHAR(36)  NOT NULL COMMENT 'owning project',
  id          VARCHAR(36)  NOT NULL COMMENT 'key ID',
  secret_hash CHAR(64)     NOT NULL COMMENT 'sha256 hex of the whole key string (standard_...)',
  scopes      JSON         NOT NULL COMMENT 'e.g. ["sessions.write","users.read"]',
  expire      DATETIME(3)  NULL COMMENT 'NULL = never',
  created_at  DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (project_id, id),
  UNIQUE KEY uq_api_keys_secret (secret_hash),
  CONSTRAINT fk_api_keys_project FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin
  COMMENT='server API keys (X-Appwrite-Key); only hashes are stored';

CREATE TABLE IF NOT EXISTS users (
  project_id  VARCHAR(36)  NOT NULL COMMENT 'owning project',
  id          VARCHAR(36)  NOT NULL COMMENT 'user ID ($id)',
  name        VARCHAR(512) NOT NULL DEFAULT '' COMMENT 'display name (<= 128 characters)',
  email       VARCHAR(320) NULL COMMENT 'lower-cased; NULL when none; unique per project',
  phone       VARCHAR(16)  NULL COMMENT 'E.164; NULL when none; unique per project',
  password    VARCHAR(512) NULL COMMENT 'PHC string (argon2id) or an imported hash; NULL = no password',
  hash        VARCHAR(16)  NULL COMMENT 'algorithm name: argon2, bcrypt, ...',
  hash_options JSON        NULL COMMENT 'options object as reported in hashOptions',
  password_history JSON    NULL COMMENT 'array of previous hashes (auth_password_history)',
  password_update DATETIME(3) NULL COMMENT 'last password change; NULL = never had a password',
  registration DATETIME(3) NOT NULL COMMENT 'sign-up time',
  status      TINYINT(1)   NOT NULL DEFAULT 1 COMMENT '0 = blocked',
  labels      JSON         NULL COMMENT 'array of strings',
  email_verification TINYINT(1) NOT NULL DEFAULT 0,
  phone_verification TINYINT(1) NOT NULL DEFAULT 0,
  mfa         TINYINT(1)   NOT NULL DEFAULT 0 COMMENT 'MFA enforcement switch',
  prefs       MEDIUMTEXT   NULL COMMENT 'JSON object, validated on the way in, <= 65535 bytes',
  accessed_at DATETIME(3)  NULL COMMENT 'last activity, refreshed at most daily',
  created_at  DATETIME(3)  NOT NULL,
  updated_at  DATETIME(3)  NOT NULL,
  PRIMARY KEY (project_id, id),
  UNIQUE KEY uq_users_email (project_id, email),
  UNIQUE KEY uq_users_phone (project_id, phone),
  CONSTRAINT fk_users_project FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin
  COMMENT='accounts; the unique keys make duplicate emails/phones impossible under concurrency';

CREATE TABLE IF NOT EXISTS targets (
  project_id  VARCHAR(36)  NOT NULL,
  id          VARCHAR(36)  NOT NULL COMMENT 'target ID',
  user_id     VARCHAR(36)  NOT NULL COMMENT 'owner',
  session_id  VARCHAR(36)  NULL COMMENT 'push targets: the session that created it',
  name        VARCHAR(128) NOT NULL DEFAULT '',
  provider_id VARCHAR(36)  NULL COMMENT 'messaging provider, NULL = default',
  provider_type VARCHAR(8) NOT NULL COMMENT 'email, sms or push',
  identifier  VARCHAR(512) NOT NULL COMMENT 'email address, phone number or push token',
  expired     TINYINT(1)   NOT NULL DEFAULT 0,
  created_at  DATETIME(3)  NOT NULL,
  updated_at  DATETIME(3)  NOT NULL,
  PRIMARY KEY (project_id, id),
  UNIQUE KEY uq_targets_identifier (project_id, identifier(255)),
  KEY ix_targets_user (project_id, user_id),
  CONSTRAINT fk_targets_user FOREIGN KEY (project_id, user_id) REFERENCES users (project_id, id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin
  COMMENT='messaging targets (email target made at sign-up)';

CREATE TABLE IF NOT EXISTS sessions (
  project_id  VARCHAR(36)  NOT NULL,
  id          VARCHAR(36)  NOT NULL COMMENT 'session ID',
  user_id     VARCHAR(36)  NOT NULL,
  secret      CHAR(64)     NOT NULL COMMENT 'sha256 hex of the 256-hex-char session secret; the secret itself is never stored',
  provider    VARCHAR(32)  NOT NULL COMMENT 'email, anonymous, magic-url, phone, token, oauth2, server or an OAuth provider',
  provider_uid VARCHAR(320) NOT NULL DEFAULT '',
  provider_access_token TEXT NULL,
  provider_access_token_expiry DATETIME(3) NULL,
  provider_refresh_token TEXT NULL,
  ip          VARCHAR(45)  NOT NULL DEFAULT '',
  user_agent  VARCHAR(1024) NOT NULL DEFAULT '' COMMENT 'raw User-Agent at creation (UNKNOWN when absent)',
  os_code VARCHAR(8) NOT NULL DEFAULT '', os_name VARCHAR(32) NOT NULL DEFAULT '',
  os_version VARCHAR(24) NOT NULL DEFAULT '', client_type VARCHAR(16) NOT NULL DEFAULT '',
  client_code VARCHAR(8) NOT NULL DEFAULT '', client_name VARCHAR(40) NOT NULL DEFAULT '',
  client_version VARCHAR(24) NOT NULL DEFAULT '', client_engine VARCHAR(24) NOT NULL DEFAULT '',
  client_engine_version VARCHAR(24) NOT NULL DEFAULT '', device_name VARCHAR(24) NOT NULL DEFAULT '',
  device_brand VARCHAR(24) NOT NULL DEFAULT '', device_model VARCHAR(32) NOT NULL DEFAULT '',
  country_code CHAR(2)     NOT NULL DEFAULT '--',
  factors     VARCHAR(255) NOT NULL DEFAULT '[]' COMMENT 'JSON array of factor names',
  mfa_updated_at DATETIME(3) NULL,
  expire      DATETIME(3)  NOT NULL,
  created_at  DATETIME(6)  NOT NULL COMMENT 'microseconds: orders sessions oldest first',
  updated_at  DATETIME(3)  NOT NULL,
  PRIMARY KEY (project_id, id),
  UNIQUE KEY uq_sessions_secret (secret),
  KEY ix_sessions_user (project_id, user_id, created_at),
  CONSTRAINT fk_sessions_user FOREIGN KEY (project_id, user_id) REFERENCES users (project_id, id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin
  COMMENT='sessions; a request is authenticated by (user, sha256(secret), expire >= now)';

CREATE TABLE IF NOT EXISTS tokens (
  project_id  VARCHAR(36)  NOT NULL,
  id          VARCHAR(36)  NOT NULL,
  user_id     VARCHAR(36)  NOT NULL,
  type        TINYINT      NOT NULL COMMENT '2 verification, 3 recovery, 5 magic URL, 6 phone, 7 oauth2, 8 generic, 9 email OTP',
  secret      CHAR(64)     NOT NULL COMMENT 'sha256 hex (long secrets) or HMAC-SHA256 hex (OTPs)',
  expire      DATETIME(3)  NOT NULL,
  ip          VARCHAR(45)  NOT NULL DEFAULT '',
  user_agent  VARCHAR(1024) NOT NULL DEFAULT '',
  created_at  DATETIME(3)  NOT NULL,
  PRIMARY KEY (project_id, id),
  KEY ix_tokens_user (project_id, user_id, type),
  CONSTRAINT fk_tokens_user FOREIGN KEY (project_id, user_id) REFERENCES users (project_id, id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin
  COMMENT='single-use secrets; consumed by one DELETE with a checked row count';

CREATE TABLE IF NOT EXISTS identities (
  project_id  VARCHAR(36)  NOT NULL,
  id          VARCHAR(36)  NOT NULL,
  user_id     VARCHAR(36)  NOT NULL,
  provider    VARCHAR(32)  NOT NULL COMMENT 'OAuth2 provider key',
  provider_uid VARCHAR(255) NOT NULL,
  provider_email VARCHAR(320) NOT NULL DEFAULT '',
  provider_access_token TEXT NULL,
  provider_access_token_expiry DATETIME(3) NULL,
  provider_refresh_token TEXT NULL,
  created_at  DATETIME(6)  NOT NULL,
  updated_at  DATETIME(3)  NOT NULL,
  PRIMARY KEY (project_id, id),
  UNIQUE KEY uq_identities_provider (project_id, provider, provider_uid),
  KEY ix_identities_user (project_id, user_id),
  KEY ix_identities_email (project_id, provider_email),
  CONSTRAINT fk_identities_user FOREIGN KEY (project_id, user_id) REFERENCES users (project_id, id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin
  COMMENT='OAuth2 identities linked to users';

CREATE TABLE IF NOT EXISTS logs (
  project_id  VARCHAR(36)  NOT NULL,
  id          CHAR(20)     NOT NULL COMMENT 'server-made unique ID',
  user_id     VARCHAR(36)  NOT NULL COMMENT 'actor (the user the action was done by or on)',
  event       VARCHAR(32)  NOT NULL COMMENT 'user.create, session.create, ... (spec/CONTRACT.md 9.2)',
  resource    VARCHAR(80)  NOT NULL DEFAULT '' COMMENT 'user/<id>',
  user_email  VARCHAR(320) NOT NULL DEFAULT '' COMMENT 'actor email at the time',
  user_name   VARCHAR(512) NOT NULL DEFAULT '' COMMENT 'actor name at the time',
  mode        VARCHAR(8)   NOT NULL DEFAULT 'default',
  ip          VARCHAR(45)  NOT NULL DEFAULT '',
  user_agent  VARCHAR(1024) NOT NULL DEFAULT '',
  time        DATETIME(6)  NOT NULL COMMENT 'microseconds: newest-first ordering',
  PRIMARY KEY (project_id, id),
  KEY ix_logs_user (project_id, user_id, time)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin
  COMMENT='security log; GET /account/logs reads it (no FK: entries outlive the user)';

CREATE TABLE IF NOT EXISTS rate_limits (
  key_hash     CHAR(64)    NOT NULL COMMENT 'sha256 hex of the rendered key (route id, project, parameter)',
  window_start BIGINT      NOT NULL COMMENT 'unix seconds, multiple of 3600',
  hits         INT         NOT NULL DEFAULT 0,
  PRIMARY KEY (key_hash, window_start),
  KEY ix_rate_limits_window (window_start)
) ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin
  COMMENT='fixed hourly windows shared by every worker and host';
