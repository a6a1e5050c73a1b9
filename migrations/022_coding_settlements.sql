-- Disagreements between two independent codings of a free-text answer (src/coding/agreement.ts)
-- that an analyst settled: the settled coding was written as the reference coding (coder '').
-- Kept so the agreement page lists what is left to settle; no time is stored (anonymity rule:
-- nothing dates an answer more precisely than the responses table does).
CREATE TABLE coding_settlements (
  source TEXT NOT NULL,
  -- the two coders compared, in the order of the page (staff user ids, or '' for the reference)
  coder_a TEXT NOT NULL,
  coder_b TEXT NOT NULL,
  response_id TEXT NOT NULL REFERENCES responses (id) ON DELETE CASCADE,
  PRIMARY KEY (source, coder_a, coder_b, response_id)
) STRICT, WITHOUT ROWID;
