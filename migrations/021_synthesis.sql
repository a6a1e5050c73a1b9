-- The printable synthesis (issue #13): what an analyst chose to put in it. One row (id = 1);
-- without it, the synthesis uses its defaults (every closed question, no crosstab).
CREATE TABLE synthesis_settings (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  title TEXT NOT NULL,
  introduction TEXT NOT NULL DEFAULT '',
  -- JSON array of question ids shown in « Résultats par question », in questionnaire order
  questions TEXT NOT NULL,
  -- JSON array of {"row": "<variable>", "col": "<variable>"} (src/results/crosstab.ts)
  crosstabs TEXT NOT NULL,
  -- JSON array of free-text sources whose themes are shown (src/analysis/freeText.ts keys)
  text_sources TEXT NOT NULL,
  updated_at TEXT NOT NULL
) STRICT;
