import type { Db } from '../db/connection.js';
import type { Questionnaire } from '../questionnaire/schema.js';
import { dataStamp, rebuild, savedWeighting, type WeightDistribution } from './raking.js';

// The weights the results use when « résultats pondérés » is switched on (weighted=1): the table
// response_weights (migration 017). Every weighted path calls ensureWeights first: it rebuilds the
// table from the saved weighting (migration 018) when the responses changed since it was built
// (results_version, migration 007: a completion, a deletion, a flag) or a margin was edited
// (trigger of migration 018), then says what the weighted figures need.

export type CurrentWeights = {
  /** Completed responses that carry a weight (all the completed responses when the weighting is in force). */
  responses: number;
  /** Kish's design effect of the weights, 1 + CV². */
  deff: number;
  /** Kish's effective sample size of all the weighted responses, (Σw)² / Σw². */
  effectiveN: number;
  converged: boolean;
  iterations: number;
  /** The margins raked on: variable and target shares of the categories the census has (0–1). */
  margins: { id: string; variable: string; label: string; targets: Record<string, number> }[];
  distribution: WeightDistribution | null;
  /** When the weighting was saved (ISO, UTC, to the second) and by whom. */
  savedAt: string;
  savedBy: string | null;
};

/**
 * The weights in force, up to date; null when no weighting is saved or it can no longer be built
 * (a margin emptied since: weighted=1 is then refused with a French message).
 */
export function ensureWeights(db: Db, q: Questionnaire): CurrentWeights | null {
  if (!hasWeightingTable(db)) return null;
  // IMMEDIATE: two requests finding the weights stale rebuild them once, one after the other.
  return db.transaction(() => {
    let saved = savedWeighting(db);
    if (!saved) return imported(db);
    if (saved.builtFor !== dataStamp(db) || !saved.summary) {
      rebuild(db, q);
      saved = savedWeighting(db)!;
    }
    const s = saved.summary;
    if (!s || 'error' in s || !s.responses) return null;
    return {
      responses: s.responses,
      deff: s.deff,
      effectiveN: s.effectiveN,
      converged: s.converged,
      iterations: s.iterations.length,
      margins: s.margins.map((m) => ({ id: m.id, variable: m.variable, label: m.label, targets: Object.fromEntries(m.categories.map((c) => [c.code, c.target])) })),
      distribution: s.distribution,
      savedAt: saved.savedAt,
      savedBy: saved.savedBy,
    };
  }).immediate();
}

/**
 * Weights written into response_weights without a saved weighting (loaded by a script, or by
 * tests of the weighted results): used as they are, never rebuilt. Saving a weighting replaces
 * them; removing it empties the table.
 */
function imported(db: Db): CurrentWeights | null {
  const r = db
    .prepare(`SELECT count(*) AS n, total(w.weight) AS s, total(w.weight * w.weight) AS s2 FROM response_weights w JOIN responses r ON r.id = w.response_id AND r.status = 'complete'`)
    .get() as { n: number; s: number; s2: number };
  if (!r.n || !(r.s > 0)) return null;
  return { responses: r.n, deff: (r.n * r.s2) / (r.s * r.s), effectiveN: (r.s * r.s) / r.s2, converged: true, iterations: 0, margins: [], distribution: null, savedAt: '', savedBy: null };
}

const checked = new WeakSet<Db>();
function hasWeightingTable(db: Db): boolean {
  if (checked.has(db)) return true;
  const found = db.prepare(`SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'weighting'`).get() !== undefined;
  if (found) checked.add(db);
  return found;
}
