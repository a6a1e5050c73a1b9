-- Forum workshops: a sequence of activities (poll, scale, word cloud, idea wall) that young people
-- join with a short code. Participants are anonymous: a random cookie, of which only a SHA-256 is
-- kept to give one answer per activity; no address, browser or time is stored with what they send.
-- Staff data (who created a workshop, when) may carry exact times: staff are accountable.
CREATE TABLE workshops (
  id TEXT PRIMARY KEY,
  code TEXT NOT NULL UNIQUE,
  title TEXT NOT NULL,
  day TEXT,
  place TEXT NOT NULL DEFAULT '',
  owner_id TEXT REFERENCES staff_users (id) ON DELETE SET NULL,
  created_at TEXT NOT NULL,
  archived INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1)),
  -- Position of the activity on screen (NULL: the welcome screen with the code).
  current INTEGER,
  show_count INTEGER NOT NULL DEFAULT 1 CHECK (show_count IN (0, 1))
) STRICT;

CREATE TABLE workshop_activities (
  workshop_id TEXT NOT NULL REFERENCES workshops (id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  type TEXT NOT NULL CHECK (type IN ('poll', 'scale', 'word_cloud', 'idea_wall')),
  prompt TEXT NOT NULL,
  -- The type's settings as JSON (options, multiple, question_id, scale kind).
  config TEXT NOT NULL DEFAULT '{}',
  state TEXT NOT NULL DEFAULT 'waiting' CHECK (state IN ('waiting', 'open', 'closed')),
  -- Results hidden from the room until the facilitator reveals them (no group-think).
  revealed INTEGER NOT NULL DEFAULT 1 CHECK (revealed IN (0, 1)),
  -- Idea wall: a proposal reaches the screen only once approved.
  premoderation INTEGER NOT NULL DEFAULT 0 CHECK (premoderation IN (0, 1)),
  PRIMARY KEY (workshop_id, position)
) STRICT, WITHOUT ROWID;

CREATE TABLE workshop_participants (
  workshop_id TEXT NOT NULL REFERENCES workshops (id) ON DELETE CASCADE,
  participant TEXT NOT NULL,
  PRIMARY KEY (workshop_id, participant)
) STRICT, WITHOUT ROWID;

-- One answer per participant and activity (poll codes, scale value, word-cloud entries), as JSON.
CREATE TABLE workshop_answers (
  workshop_id TEXT NOT NULL,
  position INTEGER NOT NULL,
  participant TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (workshop_id, position, participant),
  FOREIGN KEY (workshop_id, position) REFERENCES workshop_activities (workshop_id, position) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;

-- Word-cloud groups the facilitator hid (by normalised key): kept in the data, marked hidden.
CREATE TABLE workshop_hidden_entries (
  workshop_id TEXT NOT NULL,
  position INTEGER NOT NULL,
  entry_key TEXT NOT NULL,
  PRIMARY KEY (workshop_id, position, entry_key),
  FOREIGN KEY (workshop_id, position) REFERENCES workshop_activities (workshop_id, position) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;

CREATE TABLE workshop_themes (
  id TEXT PRIMARY KEY,
  workshop_id TEXT NOT NULL,
  position INTEGER NOT NULL,
  label TEXT NOT NULL,
  sort INTEGER NOT NULL DEFAULT 0,
  FOREIGN KEY (workshop_id, position) REFERENCES workshop_activities (workshop_id, position) ON DELETE CASCADE
) STRICT;
CREATE INDEX workshop_themes_activity ON workshop_themes (workshop_id, position);

-- Random ids: no arrival order in the table. status: 'visible', 'pending' (pre-moderation or the
-- profanity list), 'hidden' (moderated away; kept in the data, marked hidden).
CREATE TABLE workshop_ideas (
  id TEXT PRIMARY KEY,
  workshop_id TEXT NOT NULL,
  position INTEGER NOT NULL,
  participant TEXT NOT NULL,
  text TEXT NOT NULL,
  theme_id TEXT REFERENCES workshop_themes (id) ON DELETE SET NULL,
  status TEXT NOT NULL DEFAULT 'visible' CHECK (status IN ('visible', 'pending', 'hidden')),
  FOREIGN KEY (workshop_id, position) REFERENCES workshop_activities (workshop_id, position) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;
CREATE INDEX workshop_ideas_activity ON workshop_ideas (workshop_id, position);

CREATE TABLE workshop_votes (
  idea_id TEXT NOT NULL REFERENCES workshop_ideas (id) ON DELETE CASCADE,
  participant TEXT NOT NULL,
  PRIMARY KEY (idea_id, participant)
) STRICT, WITHOUT ROWID;
