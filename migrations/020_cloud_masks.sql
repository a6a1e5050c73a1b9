-- The survey's word cloud and the analysts' manual masking of personal data (issue #13).
-- Nothing here changes what a respondent answered: the answers table stays as typed.

-- Words an analyst keeps out of a source's word cloud. A source is a text question's id or an
-- « Autre (précise) » precision "<question>__<option>__precision" (src/analysis/freeText.ts).
-- entry_key is the word's key in the shared French normalisation (src/text/normalise.ts,
-- entryKey): excluding « usines » also keeps out « Usine » and « l'usine ».
CREATE TABLE cloud_exclusions (
  source TEXT NOT NULL,
  entry_key TEXT NOT NULL,
  -- the word as the analyst typed it, shown back in the list
  word TEXT NOT NULL,
  PRIMARY KEY (source, entry_key)
) STRICT, WITHOUT ROWID;

-- Passages of one answer an analyst masked by hand, on top of the automatic screening
-- (src/privacy/answerScreening.ts): every occurrence of the exact passage in that answer is shown
-- as « [nom] » or « [masqué] » wherever free text leaves the analysts' reading screens.
-- No time is stored: the audit log says who masked what answer, never the passage.
CREATE TABLE manual_masks (
  id INTEGER PRIMARY KEY,
  response_id TEXT NOT NULL REFERENCES responses (id) ON DELETE CASCADE,
  source TEXT NOT NULL,
  passage TEXT NOT NULL CHECK (length(passage) BETWEEN 1 AND 200),
  kind TEXT NOT NULL CHECK (kind IN ('nom', 'masque')),
  UNIQUE (response_id, source, passage)
) STRICT;

-- A number that moves at every change of the manual masks, whichever code path or process made
-- it: caches of screened text (word clouds, the list of masked data) key on it.
CREATE TABLE mask_version (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  n INTEGER NOT NULL
) STRICT;
INSERT INTO mask_version (id, n) VALUES (1, 0);

CREATE TRIGGER mask_version_insert AFTER INSERT ON manual_masks
BEGIN
  UPDATE mask_version SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER mask_version_update AFTER UPDATE ON manual_masks
BEGIN
  UPDATE mask_version SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER mask_version_delete AFTER DELETE ON manual_masks
BEGIN
  UPDATE mask_version SET n = n + 1 WHERE id = 1;
END;
