-- Per-response summary of the answers, for the results under a filter (src/results/answered.ts).
-- Every distinct (question_id, option_code, value_num) of the long format gets an id (1-65535,
-- drawn at random: ids in order of first appearance would tell which responses came first); each
-- completed response then has one row holding the ids of all its answer rows (16-bit little
-- endian). A filtered computation reads one short blob per selected response instead of ~35
-- answer rows to sort and group, and the base of every question (responses with at least one row
-- for it) falls out of the same pass.
--
-- Written in the completion transaction, next to the answers; deleting a response deletes its
-- row (foreign key). Filled from the answers at start when incomplete (ensureAnswered). A
-- selected response without a row is read from `answers` instead, so the summary only ever
-- speeds results up.

-- Never renumbered: an id keeps its meaning for the life of the database.
CREATE TABLE answer_keys (
  id INTEGER PRIMARY KEY,
  question_id TEXT NOT NULL,
  option_code TEXT NOT NULL,
  value_num REAL
) STRICT;
CREATE UNIQUE INDEX answer_keys_key ON answer_keys (question_id, option_code, value_num);

CREATE TABLE response_codes (
  response_id TEXT PRIMARY KEY REFERENCES responses (id) ON DELETE CASCADE,
  codes BLOB NOT NULL
) STRICT, WITHOUT ROWID;

-- Replaced by response_codes (the bases of multiple-choice questions come from it).
DROP TABLE answered_questions;
DELETE FROM settings WHERE key LIKE 'answered_questions:%';
