import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/connection.js';
import type { Questionnaire } from '../questionnaire/schema.js';
import { computeResults, type Results, type ResultsOptions } from './aggregate.js';
import { TOTAL_KEY } from './counts.js';
import type { Filter } from './filters.js';
import { ensureWeights } from '../weights/current.js';

// Filtered results of a large campaign cost up to a few seconds of the server's only thread, and
// the dashboard asks for the same few views again and again: page loads, section after section,
// every live refresh of every open dashboard. This keeps the results of the last filters used,
// until the data they come from changes.
//
// The stamp of the data is the number of completed responses and results_version (migration
// 007), which triggers on `responses` move at every completion, deletion (wipe included), flag or
// unflag, whatever the code path or process; and derived_version (migration 023), which moves at
// every recode or reference coding written. A new stamp empties the cache; otherwise the least
// recently used filter goes when `max` is reached.

export const DEFAULT_CACHE_SIZE = 50;

/** The same string for the same filter, whatever the order of its values in the URL. */
export function filterKey(f: Filter): string {
  const answers = f.answers.map((a) => [a.variable, [...a.codes].sort()] as const).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return JSON.stringify([answers, [...f.channels].sort(), f.from ?? '', f.to ?? '', f.excludeFlagged, f.releasedOnly === true, f.weighted === true]);
}

export type ResultsCache = {
  /** computeResults(db, q, filter, options), computed at most once per filter and data stamp. */
  get(filter: Filter): Results;
  readonly size: number;
  readonly stats: { hits: number; misses: number };
};

export function createResultsCache(db: Db, q: Questionnaire, opts: ResultsOptions & { max?: number; stamp?: 'all' | 'released' } = {}): ResultsCache {
  const { max = DEFAULT_CACHE_SIZE, stamp: stampKind = 'all', ...resultsOptions } = opts;
  // weights: for weighted results, the state of response_weights they were computed with.
  const entries = new Map<string, { results: Results; weights?: string }>();
  const stats = { hits: 0, misses: 0 };
  let current = '';
  const versioned = db.prepare(`SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'results_version'`).get() !== undefined;
  // 'released': the results of protected viewers (filter.releasedOnly) change only when the
  // released set does (migration 011's released_version), not at every completion: they are
  // computed again once per release, i.e. at most once every K completions.
  // Recodes and codings (derived variables, migration 023's derived_version) change figures too.
  const derived = db.prepare(`SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'derived_version'`).get() !== undefined;
  const derivedStamp = derived ? ` || '/' || (SELECT n FROM derived_version WHERE id = 1)` : '';
  const stampQuery = !versioned
    ? null
    : stampKind === 'released'
      ? db.prepare(`SELECT ? || (SELECT n FROM released_version WHERE id = 1)${derivedStamp}`).pluck(true)
      : db.prepare(`SELECT (SELECT n FROM results_version WHERE id = 1) || '/' || coalesce((SELECT n FROM result_bases WHERE question_id = ?), 0)${derivedStamp}`).pluck(true);
  // Weighted results (filter.weighted) also depend on the weights, which a new weighting changes
  // without any response changing: one pass over response_weights (a few ms per 100,000 rows,
  // far less than the weighted results) tells whether they are still those of the cached entry.
  // Prepared at the first weighted request (a database migrated only partly has no such table).
  let weightsQuery: Statement | undefined;
  const weightsStamp = () =>
    (weightsQuery ??= db.prepare(`SELECT count(*) || '/' || total(weight) || '/' || total(weight * weight) || '/' || max(weight) FROM response_weights`).pluck(true)).get() as string;

  const get = (filter: Filter): Results => {
    // Without migration 007 nothing tells when the data changed: no cache.
    if (!stampQuery) return computeResults(db, q, filter, resultsOptions);
    // The stamp and the figures from one snapshot: results cached under a stamp are its figures.
    return db.transaction(() => {
      const stamp = stampQuery.get(TOTAL_KEY) as string;
      if (stamp !== current) {
        entries.clear();
        current = stamp;
      }
      const key = filterKey(filter);
      // The weighting module brings the weights up to date before they are read (or says none).
      const weights = filter.weighted && ensureWeights(db, q) ? weightsStamp() : undefined;
      const entry = entries.get(key);
      if (entry && entry.weights === weights) {
        const hit = entry.results;
        stats.hits++;
        entries.delete(key);
        entries.set(key, entry);
        // The caller's filter when its values come in another order.
        return hit.filter === filter || JSON.stringify(hit.filter) === JSON.stringify(filter) ? hit : { ...hit, filter };
      }
      stats.misses++;
      const results = computeResults(db, q, filter, resultsOptions);
      entries.delete(key);
      entries.set(key, { results, weights });
      while (entries.size > max) entries.delete(entries.keys().next().value!);
      return results;
    })();
  };

  return {
    get,
    get size() {
      return entries.size;
    },
    stats,
  };
}
