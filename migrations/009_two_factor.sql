-- Second factor for staff accounts (TOTP, RFC 6238) with single-use recovery codes, and the
-- half-done sign-in between the password and the code.

-- One authenticator per account. `secret` is encrypted (AES-256-GCM, key derived from
-- SESSION_SECRET or from a key file beside the database, never stored in the database).
-- `enabled_at` NULL = set-up started, not yet confirmed by a first valid code.
-- `last_step` is the 30-second step of the last accepted code: a code is accepted only once.
CREATE TABLE staff_totp (
  user_id TEXT PRIMARY KEY REFERENCES staff_users (id) ON DELETE CASCADE,
  secret TEXT NOT NULL,
  created_at TEXT NOT NULL,
  enabled_at TEXT,
  last_step INTEGER NOT NULL DEFAULT 0
) STRICT;

-- Ten single-use codes for a lost phone, stored hashed (SHA-256 of 50 random bits each).
CREATE TABLE staff_recovery_codes (
  user_id TEXT NOT NULL REFERENCES staff_users (id) ON DELETE CASCADE,
  code_hash TEXT NOT NULL,
  used_at TEXT,
  PRIMARY KEY (user_id, code_hash)
) WITHOUT ROWID, STRICT;

-- After a correct password, before the code: the browser holds a random id (cookie), only its
-- SHA-256 is here. Short-lived and limited to a few attempts.
CREATE TABLE staff_login_challenges (
  id_hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES staff_users (id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  retour TEXT NOT NULL
) STRICT;
CREATE INDEX staff_login_challenges_user ON staff_login_challenges (user_id);
