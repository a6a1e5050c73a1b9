-- A number that changes whenever the filtered results can change: a response completed,
-- inserted as completed, deleted (a wipe of the campaign included), flagged or unflagged, or any
-- other change to a completed response. The dashboard keys its cache of filtered results on it
-- (src/results/cache.ts), whichever code path or process made the change. Drafts never move it.
CREATE TABLE results_version (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  n INTEGER NOT NULL
) STRICT;
INSERT INTO results_version (id, n) VALUES (1, 0);

CREATE TRIGGER results_version_insert AFTER INSERT ON responses
WHEN NEW.status = 'complete'
BEGIN
  UPDATE results_version SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER results_version_update AFTER UPDATE ON responses
WHEN OLD.status = 'complete' OR NEW.status = 'complete'
BEGIN
  UPDATE results_version SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER results_version_delete AFTER DELETE ON responses
WHEN OLD.status = 'complete'
BEGIN
  UPDATE results_version SET n = n + 1 WHERE id = 1;
END;
