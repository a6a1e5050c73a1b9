-- Analysis data written by analysts (issues #12 and #13): derived variables, free-text coding and
-- raking weights. None of it changes what a respondent answered: the answers table stays as typed.

-- Recodes: an analyst groups the codes of a single-choice variable (a question, a grid item, an
-- intercommunality, an age group) into a derived single-choice variable (src/results/derived.ts).
CREATE TABLE recodes (
  -- stable ASCII snake_case id: a column of the exports, a filter key f.<id>
  id TEXT PRIMARY KEY,
  -- the filter variable whose codes are grouped ("envisager_industrie", "commune__epci", …)
  source TEXT NOT NULL,
  label TEXT NOT NULL,
  -- JSON [{"code": "oui", "label": "Oui", "sources": ["oui_tout_a_fait", "plutot_oui"]}, …]:
  -- each source code in at most one group; a source code in no group counts as no answer
  groups TEXT NOT NULL,
  position INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- Codebooks of free text (src/coding/): themes per text source. A source is a text question's id
-- or an « Autre (précise) » precision "<question>__<option>__precision" (src/analysis/freeText.ts).
CREATE TABLE themes (
  source TEXT NOT NULL,
  -- stable ASCII code: the column "<source>__theme__<code>" of responses.csv
  code TEXT NOT NULL,
  label TEXT NOT NULL,
  definition TEXT NOT NULL DEFAULT '',
  -- keyword rules, '|'-separated, matched with the shared French normalisation (src/text/)
  keywords TEXT NOT NULL DEFAULT '',
  position INTEGER NOT NULL,
  PRIMARY KEY (source, code)
) STRICT, WITHOUT ROWID;

-- The coding of one answer by one coder. coder = '' is the reference coding, the one the results
-- use; coder = a staff user id is an independent coding of a sample, for the agreement (kappa).
-- A row with no theme row and uncodable = 0 is an answer looked at and given no theme.
CREATE TABLE codings (
  source TEXT NOT NULL,
  coder TEXT NOT NULL,
  response_id TEXT NOT NULL REFERENCES responses (id) ON DELETE CASCADE,
  uncodable INTEGER NOT NULL DEFAULT 0 CHECK (uncodable IN (0, 1)),
  PRIMARY KEY (source, coder, response_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX codings_response ON codings (response_id);

CREATE TABLE coding_themes (
  source TEXT NOT NULL,
  coder TEXT NOT NULL,
  response_id TEXT NOT NULL,
  code TEXT NOT NULL,
  PRIMARY KEY (source, coder, response_id, code),
  FOREIGN KEY (source, coder, response_id) REFERENCES codings (source, coder, response_id) ON DELETE CASCADE,
  FOREIGN KEY (source, code) REFERENCES themes (source, code) ON DELETE CASCADE ON UPDATE CASCADE
) STRICT, WITHOUT ROWID;
CREATE INDEX coding_themes_code ON coding_themes (source, coder, code);

-- Raking weights of the completed responses for the saved weighting (src/weights/), mean 1 over
-- the responses weighted. Rebuilt from the margins when they or the responses change; a response
-- without a row has no weight yet.
CREATE TABLE response_weights (
  response_id TEXT PRIMARY KEY REFERENCES responses (id) ON DELETE CASCADE,
  weight REAL NOT NULL CHECK (weight > 0)
) STRICT, WITHOUT ROWID;
