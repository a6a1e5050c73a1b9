-- Responses and their answers. Anonymity by construction:
--  * ids are random, and the tables are WITHOUT ROWID so no hidden sequential rowid keeps the
--    order of arrival;
--  * times are truncated to the hour ("2026-11-22T14"); no IP, user agent or fingerprint column.
CREATE TABLE responses (
  id TEXT PRIMARY KEY,
  questionnaire_id TEXT NOT NULL,
  questionnaire_version INTEGER NOT NULL,
  channel TEXT,
  status TEXT NOT NULL CHECK (status IN ('draft', 'complete')),
  -- highest section index (1-based) saved so far: the completion funnel reads it
  reached_section INTEGER NOT NULL DEFAULT 0,
  started_hour TEXT NOT NULL,
  updated_hour TEXT NOT NULL,
  completed_hour TEXT,
  weight REAL NOT NULL DEFAULT 1,
  -- SHA-256 of the draft cookie; cleared on completion so no device stays linked to answers
  draft_token_hash TEXT UNIQUE
) STRICT, WITHOUT ROWID;

CREATE INDEX responses_status ON responses (status, completed_hour);

-- What a respondent typed in each section while the response is a draft (field name -> value),
-- restricted to the section's own fields. Re-rendered on resume and on "Précédent"; deleted when
-- the response is completed and its answers are written in long format.
CREATE TABLE draft_sections (
  response_id TEXT NOT NULL REFERENCES responses (id) ON DELETE CASCADE,
  section_id TEXT NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY (response_id, section_id)
) STRICT, WITHOUT ROWID;

-- Long format: one row per answered option / value. option_code is '' for plain values.
-- Single choice: option row (value_text = "Autre" precision). Multiple choice: one row per ticked
-- option. Grid: question_id "<grid>__<item>", option_code = scale code. Ranking: option row with
-- value_num = rank. Integer: value_num. Text: value_text. Commune: option_code = INSEE code, and a
-- derived row "<question>__epci" with the intercommunality code.
CREATE TABLE answers (
  response_id TEXT NOT NULL REFERENCES responses (id) ON DELETE CASCADE,
  question_id TEXT NOT NULL,
  option_code TEXT NOT NULL DEFAULT '',
  value_text TEXT,
  value_num REAL,
  PRIMARY KEY (response_id, question_id, option_code)
) STRICT, WITHOUT ROWID;

CREATE INDEX answers_question_option ON answers (question_id, option_code);

-- Draft cookies whose response was completed, without any link to the response: a resent or
-- double-tapped final POST is recognised and sent to the thank-you page instead of starting over.
CREATE TABLE completed_tokens (
  token_hash TEXT PRIMARY KEY,
  completed_day TEXT NOT NULL
) STRICT, WITHOUT ROWID;
