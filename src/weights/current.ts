import type { Db } from '../db/connection.js';
import type { Questionnaire } from '../questionnaire/schema.js';

// The weights the results use when « résultats pondérés » is switched on (weighted=1): the table
// response_weights (migration 017). Every weighted path calls ensureWeights first, so that the
// weighting module can bring the table up to date with the saved margins and the responses.

export type CurrentWeights = {
  /** Completed responses that carry a weight. */
  responses: number;
};

/**
 * The weights in force, up to date; null when no weighting is saved (weighted=1 is then refused
 * with a French message). This first version only reads the table; the weighting module rebuilds
 * it from the saved margins here when they or the responses changed.
 */
export function ensureWeights(db: Db, _q: Questionnaire): CurrentWeights | null {
  const { n } = db.prepare('SELECT count(*) AS n FROM response_weights').get() as { n: number };
  return n ? { responses: n } : null;
}
