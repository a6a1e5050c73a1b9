-- Results engine (issue 5).
--
-- Synthetic responses of `npm run demo` are marked so that one command removes them all.
ALTER TABLE responses ADD COLUMN demo INTEGER NOT NULL DEFAULT 0 CHECK (demo IN (0, 1));

-- Running totals of the completed responses, updated in the transaction that completes each
-- response (src/results/counts.ts, recordCompletion) and rebuildable from `answers` at any time
-- (rebuildCounts). The unfiltered results read these few hundred rows instead of every answer.

-- Answer rows per (question_id, option_code), mirroring the long format of `answers`.
CREATE TABLE result_counts (
  question_id TEXT NOT NULL,
  option_code TEXT NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (question_id, option_code)
) STRICT, WITHOUT ROWID;

-- Rows per value_num: the rank of each ranked option, the value of each integer answer. Mean,
-- median and age groups are computed from this small per-value table.
CREATE TABLE result_value_counts (
  question_id TEXT NOT NULL,
  option_code TEXT NOT NULL,
  value REAL NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (question_id, option_code, value)
) STRICT, WITHOUT ROWID;

-- Responses with at least one row for each question_id (the base of percentages: a multiple
-- choice has several rows per respondent). question_id '' holds the number of completed responses.
CREATE TABLE result_bases (
  question_id TEXT NOT NULL PRIMARY KEY,
  n INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- The totals start from the responses completed before this migration.
INSERT INTO result_counts (question_id, option_code, n)
  SELECT a.question_id, a.option_code, count(*)
  FROM answers a JOIN responses r ON r.id = a.response_id
  WHERE r.status = 'complete'
  GROUP BY a.question_id, a.option_code;

INSERT INTO result_value_counts (question_id, option_code, value, n)
  SELECT a.question_id, a.option_code, a.value_num, count(*)
  FROM answers a JOIN responses r ON r.id = a.response_id
  WHERE r.status = 'complete' AND a.value_num IS NOT NULL
  GROUP BY a.question_id, a.option_code, a.value_num;

INSERT INTO result_bases (question_id, n)
  SELECT question_id, count(*)
  FROM (SELECT DISTINCT a.response_id, a.question_id
        FROM answers a JOIN responses r ON r.id = a.response_id
        WHERE r.status = 'complete')
  GROUP BY question_id;

INSERT INTO result_bases (question_id, n)
  SELECT '', count(*) FROM responses WHERE status = 'complete';

-- The demo rows are found without scanning the table.
CREATE INDEX responses_demo ON responses (demo) WHERE demo = 1;
