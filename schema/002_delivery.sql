-- 002_delivery.sql: message delivery (outbox), per-project SMTP and SMS
-- settings, custom templates, and the project's default locale.

ALTER TABLE projects
  ADD COLUMN IF NOT EXISTS locale VARCHAR(16) NOT NULL DEFAULT 'en'
    COMMENT 'default locale of emails and SMS when the request names none',
  ADD COLUMN IF NOT EXISTS smtp_enabled TINYINT(1) NOT NULL DEFAULT 0
    COMMENT '1: send this project''s mail through the smtp_* settings below, and honour its custom email templates',
  ADD COLUMN IF NOT EXISTS smtp_host VARCHAR(255) NOT NULL DEFAULT '' COMMENT 'SMTP server host',
  ADD COLUMN IF NOT EXISTS smtp_port INT NOT NULL DEFAULT 0 COMMENT '0 = 25, or 465 with smtp_tls=tls',
  ADD COLUMN IF NOT EXISTS smtp_tls VARCHAR(8) NOT NULL DEFAULT 'none' COMMENT 'none, starttls or tls (implicit)',
  ADD COLUMN IF NOT EXISTS smtp_username VARCHAR(255) NOT NULL DEFAULT '' COMMENT 'AUTH user, empty = no AUTH',
  ADD COLUMN IF NOT EXISTS smtp_password VARCHAR(255) NOT NULL DEFAULT '' COMMENT 'AUTH password',
  ADD COLUMN IF NOT EXISTS smtp_sender_email VARCHAR(320) NOT NULL DEFAULT '' COMMENT 'From address',
  ADD COLUMN IF NOT EXISTS smtp_sender_name VARCHAR(255) NOT NULL DEFAULT '' COMMENT 'From display name',
  ADD COLUMN IF NOT EXISTS smtp_reply_to VARCHAR(320) NOT NULL DEFAULT '' COMMENT 'Reply-To address, empty = none',
  ADD COLUMN IF NOT EXISTS sms_provider VARCHAR(16) NULL
    COMMENT 'NULL = the server default; webhook, twilio, vonage, textmagic, telesign or msg91',
  ADD COLUMN IF NOT EXISTS sms_from VARCHAR(64) NOT NULL DEFAULT '' COMMENT 'sender number or name',
  ADD COLUMN IF NOT EXISTS sms_user VARCHAR(255) NOT NULL DEFAULT ''
    COMMENT 'Twilio account SID, Vonage API key, Textmagic username, Telesign customer ID, MSG91 sender',
  ADD COLUMN IF NOT EXISTS sms_secret VARCHAR(255) NOT NULL DEFAULT ''
    COMMENT 'Twilio auth token, Vonage API secret, Textmagic/Telesign API key, MSG91 auth key',
  ADD COLUMN IF NOT EXISTS sms_template_id VARCHAR(64) NOT NULL DEFAULT '' COMMENT 'MSG91 template/flow id',
  ADD COLUMN IF NOT EXISTS sms_url VARCHAR(1024) NOT NULL DEFAULT '' COMMENT 'webhook URL (provider webhook)';

CREATE TABLE IF NOT EXISTS templates (
  project_id   VARCHAR(36)  NOT NULL,
  channel      VARCHAR(8)   NOT NULL COMMENT 'email or sms',
  type         VARCHAR(16)  NOT NULL COMMENT 'email: verification, recovery, magicSession, otpSession, mfaChallenge, sessionAlert, invitation; sms: login, verification, mfaChallenge',
  locale       VARCHAR(16)  NOT NULL COMMENT 'e.g. en, de, pt-br',
  subject      VARCHAR(255) NOT NULL DEFAULT '' COMMENT 'email subject with {{variables}}',
  message      MEDIUMTEXT   NOT NULL COMMENT 'email HTML body or SMS text, with {{variables}}',
  sender_name  VARCHAR(255) NOT NULL DEFAULT '' COMMENT 'overrides the project sender name when set',
  sender_email VARCHAR(320) NOT NULL DEFAULT '' COMMENT 'overrides the project sender address when set',
  reply_to     VARCHAR(320) NOT NULL DEFAULT '' COMMENT 'overrides Reply-To when set',
  PRIMARY KEY (project_id, channel, type, locale),
  CONSTRAINT fk_templates_project FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin
  COMMENT='custom message templates per project and locale (email ones apply with smtp_enabled=1)';

CREATE TABLE IF NOT EXISTS outbox (
  id              CHAR(20)     NOT NULL COMMENT 'message ID; also the Message-ID of the email',
  project_id      VARCHAR(36)  NOT NULL,
  channel         VARCHAR(8)   NOT NULL COMMENT 'email or sms',
  recipient       VARCHAR(320) NOT NULL COMMENT 'email address or E.164 number',
  recipient_name  VARCHAR(512) NOT NULL DEFAULT '',
  subject         VARCHAR(998) NOT NULL DEFAULT '',
  body            MEDIUMBLOB   NULL COMMENT 'sealed (AES-256-GCM under enc_key) message: HTML and text for email, text for SMS; NULL once sent',
  sender_name     VARCHAR(255) NOT NULL DEFAULT '' COMMENT 'custom-template sender override',
  sender_email    VARCHAR(320) NOT NULL DEFAULT '',
  reply_to        VARCHAR(320) NOT NULL DEFAULT '',
  status          VARCHAR(8)   NOT NULL DEFAULT 'pending' COMMENT 'pending, sending, sent or failed',
  attempts        INT          NOT NULL DEFAULT 0,
  next_attempt_at DATETIME(3)  NOT NULL COMMENT 'not before this time',
  locked_by       VARCHAR(128) NOT NULL DEFAULT '' COMMENT 'host:pid of the delivery process sending it',
  locked_until    DATETIME(3)  NULL,
  last_error      VARCHAR(255) NOT NULL DEFAULT '' COMMENT 'last failure, never message content or secrets',
  created_at      DATETIME(3)  NOT NULL,
  sent_at         DATETIME(3)  NULL,
  PRIMARY KEY (id),
  KEY ix_outbox_due (status, next_attempt_at),
  KEY ix_outbox_lock (locked_by)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin
  COMMENT='durable outbox: written in the same transaction as the token; sent by the delivery process';
