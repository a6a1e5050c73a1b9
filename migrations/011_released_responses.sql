-- Disclosure control (issue 9): what people who are not analysts see moves only in steps of at
-- least K (the minimum group size) completed responses, so comparing the results just before and
-- after one new response tells nothing about that response.
--
-- A completed response starts unreleased. As soon as K completed responses are unreleased, all
-- of them are released together. Facilitators (and later the workshop projector and the public
-- page) see figures computed only over released responses (src/privacy/disclosure.ts).
-- A boolean reveals nothing of the arrival order beyond "among the latest fewer than K".
--
-- The release is done by triggers, like results_version (migration 007): every code path and
-- process that completes a response (respondents, demo data, imports, tests) goes through it.
-- K lives in disclosure_settings, written at every start from MIN_GROUP_SIZE
-- (src/privacy/release.ts, which also releases what a smaller K now allows).
ALTER TABLE responses ADD COLUMN released INTEGER NOT NULL DEFAULT 0 CHECK (released IN (0, 1));

-- Responses completed before this migration were already visible to everyone: released.
UPDATE responses SET released = 1 WHERE status = 'complete';

-- The unreleased ones (at most K - 1) are counted at every completion, and protected selections
-- walk the released ones: one small index serves both.
CREATE INDEX responses_status_released ON responses (status, released);

CREATE TABLE disclosure_settings (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  min_group_size INTEGER NOT NULL CHECK (min_group_size >= 1)
) STRICT;
INSERT INTO disclosure_settings (id, min_group_size) VALUES (1, 5);

CREATE TRIGGER responses_release_insert AFTER INSERT ON responses
WHEN NEW.status = 'complete'
BEGIN
  UPDATE responses SET released = 1
  WHERE status = 'complete' AND released = 0
    AND (SELECT count(*) FROM responses WHERE status = 'complete' AND released = 0)
        >= (SELECT min_group_size FROM disclosure_settings WHERE id = 1);
END;

CREATE TRIGGER responses_release_update AFTER UPDATE OF status ON responses
WHEN NEW.status = 'complete' AND OLD.status <> 'complete'
BEGIN
  UPDATE responses SET released = 1
  WHERE status = 'complete' AND released = 0
    AND (SELECT count(*) FROM responses WHERE status = 'complete' AND released = 0)
        >= (SELECT min_group_size FROM disclosure_settings WHERE id = 1);
END;

-- Like results_version, but only for what protected viewers see: it moves when the released
-- set changes (a release, a released response deleted, flagged or unflagged), never at a
-- completion that releases nothing. The cache of protected results is keyed on it.
CREATE TABLE released_version (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  n INTEGER NOT NULL
) STRICT;
INSERT INTO released_version (id, n) VALUES (1, 0);

CREATE TRIGGER released_version_insert AFTER INSERT ON responses
WHEN NEW.released = 1
BEGIN
  UPDATE released_version SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER released_version_update AFTER UPDATE ON responses
WHEN OLD.released = 1 OR NEW.released = 1
BEGIN
  UPDATE released_version SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER released_version_delete AFTER DELETE ON responses
WHEN OLD.released = 1
BEGIN
  UPDATE released_version SET n = n + 1 WHERE id = 1;
END;
