import type { Db } from '../../src/db/connection.js';

/** Hand-chosen weights of the five respondents of helpers.ts FIVE, in order (sum 5, mean 1). */
export const FIVE_WEIGHTS = [2, 1, 1, 0.5, 0.5];

/** Fills response_weights directly, as the weighting module (src/weights/) will. */
export function setWeights(db: Db, weights: Map<string, number>) {
  const put = db.prepare('INSERT OR REPLACE INTO response_weights (response_id, weight) VALUES (?, ?)');
  db.transaction(() => {
    for (const [id, w] of weights) put.run(id, w);
  })();
}
