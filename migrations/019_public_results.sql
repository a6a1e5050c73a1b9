-- The public results page for the young people (issue 12, /resultats-publics): what an admin
-- chose to publish. One row. Nothing here is a response: the page computes its figures at each
-- request, over released responses, through disclosure control (src/privacy/).
CREATE TABLE public_results (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  -- 1: the page is public; 0: /resultats-publics answers « page introuvable »
  published INTEGER NOT NULL DEFAULT 0 CHECK (published IN (0, 1)),
  -- optional short introduction written by the admin (plain text, at most 600 characters)
  intro TEXT NOT NULL DEFAULT '',
  -- JSON array of the question ids shown, in questionnaire order (closed questions only)
  questions TEXT NOT NULL DEFAULT '[]',
  updated_at TEXT
) STRICT;
INSERT INTO public_results (id) VALUES (1);
