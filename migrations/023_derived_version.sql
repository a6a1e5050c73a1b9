-- A number that changes whenever a derived variable can change (src/results/derived.ts): a recode
-- written or deleted, a theme added, renamed or deleted, a coding written or removed. The registry
-- of derived variables and the results cache (src/results/cache.ts) key on it, whichever code
-- path or process made the change.
CREATE TABLE derived_version (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  n INTEGER NOT NULL
) STRICT;
INSERT INTO derived_version (id, n) VALUES (1, 0);

CREATE TRIGGER derived_version_recodes_insert AFTER INSERT ON recodes BEGIN UPDATE derived_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER derived_version_recodes_update AFTER UPDATE ON recodes BEGIN UPDATE derived_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER derived_version_recodes_delete AFTER DELETE ON recodes BEGIN UPDATE derived_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER derived_version_themes_insert AFTER INSERT ON themes BEGIN UPDATE derived_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER derived_version_themes_update AFTER UPDATE ON themes BEGIN UPDATE derived_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER derived_version_themes_delete AFTER DELETE ON themes BEGIN UPDATE derived_version SET n = n + 1 WHERE id = 1; END;
-- Only the reference coding (coder '') counts in the results: an analyst's independent coding of
-- a sample (kappa) changes no figure.
CREATE TRIGGER derived_version_codings_insert AFTER INSERT ON codings WHEN NEW.coder = '' BEGIN UPDATE derived_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER derived_version_codings_update AFTER UPDATE ON codings WHEN OLD.coder = '' OR NEW.coder = '' BEGIN UPDATE derived_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER derived_version_codings_delete AFTER DELETE ON codings WHEN OLD.coder = '' BEGIN UPDATE derived_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER derived_version_coding_themes_insert AFTER INSERT ON coding_themes WHEN NEW.coder = '' BEGIN UPDATE derived_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER derived_version_coding_themes_update AFTER UPDATE ON coding_themes WHEN OLD.coder = '' OR NEW.coder = '' BEGIN UPDATE derived_version SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER derived_version_coding_themes_delete AFTER DELETE ON coding_themes WHEN OLD.coder = '' BEGIN UPDATE derived_version SET n = n + 1 WHERE id = 1; END;
