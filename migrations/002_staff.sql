-- Staff accounts, their server-side sessions, personal API tokens, the audit log, campaign
-- settings, and the anti-abuse flag on responses. Staff data may carry exact times: staff are
-- accountable, respondents are anonymous.
CREATE TABLE staff_users (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL UNIQUE COLLATE NOCASE,
  password_hash TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('admin', 'analyst', 'facilitator')),
  disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
  created_at TEXT NOT NULL,
  failed_logins INTEGER NOT NULL DEFAULT 0,
  locked_until INTEGER
) STRICT;

-- The cookie holds a random id; only its SHA-256 is stored, so a copy of the database can't be
-- used to take over a session.
CREATE TABLE staff_sessions (
  id_hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES staff_users (id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL
) STRICT;
CREATE INDEX staff_sessions_user ON staff_sessions (user_id);

CREATE TABLE api_tokens (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES staff_users (id) ON DELETE CASCADE,
  label TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL,
  last_used_on TEXT,
  revoked_at TEXT
) STRICT;

CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  actor TEXT,
  action TEXT NOT NULL,
  details TEXT
) STRICT;
CREATE INDEX audit_log_at ON audit_log (at);

CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

-- Suspicious responses are kept, flagged, and excluded from results with one switch.
ALTER TABLE responses ADD COLUMN flagged INTEGER NOT NULL DEFAULT 0;
ALTER TABLE responses ADD COLUMN flag_reason TEXT;
