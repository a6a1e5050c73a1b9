import { describe, expect, it } from 'vitest';
import { answeredReady, ensureAnswered, rebuildAnswered } from '../../src/results/answered.js';
import { computeResults } from '../../src/results/aggregate.js';
import { parseFilters } from '../../src/results/filters.js';
import { removeDemo, generateDemo } from '../../src/results/demo.js';
import { freshDb, q } from './helpers.js';

const filterOf = (query: Record<string, string>) => {
  const r = parseFilters(query, q);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.filter;
};
const bases = (res: ReturnType<typeof computeResults>) =>
  Object.fromEntries(res.questions.flatMap((x) => x.tables.map((t) => [t.id, t.base])));

describe('answered_questions: the bases of multiple-choice questions under a filter', () => {
  it('gives exactly the bases of the per-response lookups, and follows completions and deletions', () => {
    const db = freshDb();
    generateDemo(db, { count: 400, seed: 3 });
    const filters: Record<string, string>[] = [{ 'f.genre': 'feminin' }, { 'f.genre': 'masculin', 'f.commune__epci': 'call' }, { channel: 'lycee-carnot' }, { 'f.convaincre_industrie': 'rien' }];
    // Without the summary marked ready, results use lookups in the answers.
    expect(answeredReady(db, q)).toBe(false);
    const expected = filters.map((f) => bases(computeResults(db, q, filterOf(f))));
    ensureAnswered(db, q);
    expect(answeredReady(db, q)).toBe(true);
    filters.forEach((f, i) => expect(bases(computeResults(db, q, filterOf(f)))).toEqual(expected[i]));
    const multipleBase = expected[0].convaincre_industrie;
    expect(multipleBase).toBeGreaterThan(0);

    // New completions are recorded as they happen: the two paths still agree.
    generateDemo(db, { count: 50, seed: 4, drafts: 0 });
    const withTable = bases(computeResults(db, q, filterOf(filters[0])));
    rebuildAnswered(db, q);
    expect(bases(computeResults(db, q, filterOf(filters[0])))).toEqual(withTable);
    // Deleting responses deletes their rows (foreign key cascade).
    removeDemo(db);
    expect(db.prepare('SELECT count(*) AS n FROM answered_questions').get()).toEqual({ n: 0 });
  });
});
