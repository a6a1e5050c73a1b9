-- Which multiple-choice questions each completed response answered (one row per response and
-- question, however many options were ticked). The base of a multiple-choice question under a
-- filter is then one grouped read, instead of a lookup per response and question. Filled at
-- completion, and from the answers once per questionnaire version (src/results/answered.ts).
CREATE TABLE answered_questions (
  response_id TEXT NOT NULL REFERENCES responses (id) ON DELETE CASCADE,
  question_id TEXT NOT NULL,
  PRIMARY KEY (response_id, question_id)
) STRICT, WITHOUT ROWID;
