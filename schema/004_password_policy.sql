-- 004_password_policy.sql: a project's password-strength policy, beyond
-- Appwrite's dictionary switch (auth_password_dictionary, which now also
-- refuses what zxcvbn guesses in fewer than 10,000 tries). Every rule is off
-- by default; each refusal is 400 general_argument_invalid naming the rule.

ALTER TABLE projects
  ADD COLUMN IF NOT EXISTS auth_password_min_length INT NOT NULL DEFAULT 8
    COMMENT 'minimum password length in characters (8..256; 8 is Appwrite''s floor)',
  ADD COLUMN IF NOT EXISTS auth_password_upper TINYINT(1) NOT NULL DEFAULT 0
    COMMENT '1: a password needs an upper-case letter (A-Z or any Unicode capital)',
  ADD COLUMN IF NOT EXISTS auth_password_lower TINYINT(1) NOT NULL DEFAULT 0
    COMMENT '1: a password needs a lower-case letter',
  ADD COLUMN IF NOT EXISTS auth_password_number TINYINT(1) NOT NULL DEFAULT 0
    COMMENT '1: a password needs a digit 0-9',
  ADD COLUMN IF NOT EXISTS auth_password_symbol TINYINT(1) NOT NULL DEFAULT 0
    COMMENT '1: a password needs a character that is not a letter, digit or space',
  ADD COLUMN IF NOT EXISTS auth_password_min_score TINYINT NOT NULL DEFAULT 0
    COMMENT 'minimum zxcvbn strength score 0..4 (0 = off; 3 = safely unguessable online)';
