import fs from 'node:fs';
import path from 'node:path';
import Papa from 'papaparse';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/connection.js';
import { computeResults, type Results, type ResultTable } from '../../src/results/aggregate.js';
import { parseFilters, type Filter } from '../../src/results/filters.js';
import { weightedFromSummaries, WeightingUnavailableError } from '../../src/results/weighted.js';
import { addResponse, FIVE, freshDb, q } from './helpers.js';
import { FIVE_WEIGHTS, setWeights } from './weightedHelpers.js';

// « Résultats pondérés » (issue 12): weighted shares, raw counts beside them, Kish's effective
// sample size of each base and Wilson intervals on it.
//  1. Five hand-made respondents with hand-chosen weights 2, 1, 1, 0.5, 0.5 (sum 5): every expected
//     figure below is computed by hand in the comments; the one interval comes from R's prop.test.
//  2. 60 generated respondents raked with R's survey::rake (test/results/fixtures/weighted.R, which
//     wrote weighted-population.csv and weighted-expected.csv: R is not needed to run this test).

const filterOf = (query: Record<string, string | string[]>): Filter => {
  const r = parseFilters(query, q);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.filter;
};

function table(results: Results, id: string): ResultTable {
  const t = results.questions.flatMap((x) => x.tables).find((x) => x.id === id);
  expect(t, `table ${id}`).toBeDefined();
  return t!;
}

/** code → [count, weightedCount, weightedPercent] */
const cells = (t: ResultTable) => Object.fromEntries(t.options.map((o) => [o.code, [o.count, o.weightedCount, o.weightedPercent]]));

// Both ways of counting: the per-response summaries (what the app uses) and the answers table
// (responses without a summary).
const WAYS = ['summary', 'table'] as const;

describe.each(WAYS)('weighted results of five hand-weighted respondents (from the %s)', (from) => {
  let db: Db;
  const compute = (f: Filter, d = db) => computeResults(d, q, f, { answersFrom: from });
  let ids: string[];
  beforeAll(() => {
    db = freshDb();
    ids = FIVE.map((p) => addResponse(db, p));
    setWeights(db, new Map(ids.map((id, i) => [id, FIVE_WEIGHTS[i]])));
  });

  it('weighted=1 is read from the query and kept in the filter', () => {
    expect(filterOf({ weighted: '1' }).weighted).toBe(true);
    expect(filterOf({ weighted: '0' }).weighted).toBeUndefined();
    expect(parseFilters({ weighted: 'peut-être' }, q)).toEqual({ ok: false, errors: [{ field: 'weighted', message: 'Valeur attendue : 1 (oui) ou 0 (non).' }] });
  });

  it('single choice: weighted shares of the base, raw counts and raw shares kept', () => {
    const r = compute(filterOf({ weighted: '1' }));
    expect(r.weighted).toBe(true);
    expect(r.responses).toBe(5);
    // Σw = 5, Σw² = 4 + 1 + 1 + 0.25 + 0.25 = 6.5: n_eff = 25 / 6.5 = 3.846…, deff = 5 × 6.5 / 25 = 1.3.
    expect(r.weighting).toEqual({ responses: 5, unweighted: 0, weightedTotal: 5, effectiveN: 3.8, designEffect: 1.3 });
    const genre = table(r, 'genre');
    // Women: 2 + 0.5 = 2.5 of 5; men: 1 + 1; « autre »: 0.5.
    expect(cells(genre)).toEqual({ masculin: [2, 2, 40], feminin: [2, 2.5, 50], autre: [1, 0.5, 10], non_reponse: [0, 0, 0] });
    expect(genre.options.map((o) => o.percent)).toEqual([40, 40, 20, 0]);
    expect([genre.base, genre.weightedBase, genre.effectiveBase, genre.designEffect]).toEqual([5, 5, 3.8, 1.3]);
    // Only the two lycéens answered: weights 2 and 1, n_eff = 9 / 5 = 1.8, deff = 2 × 5 / 9.
    const filiere = table(r, 'filiere');
    expect(cells(filiere)).toEqual({ generale: [1, 2, 66.7], technologique: [0, 0, 0], professionnelle: [1, 1, 33.3] });
    expect([filiere.base, filiere.weightedBase, filiere.effectiveBase, filiere.designEffect]).toEqual([2, 3, 1.8, 1.111]);
  });

  it('the Wilson interval of a weighted share uses the effective sample size (checked with R)', () => {
    const r = compute(filterOf({ weighted: '1' }));
    const o = table(r, 'envisager_industrie').options.find((x) => x.code === 'plutot_oui')!;
    // 2 / 5 = 40 % on n_eff = 3.846: R's prop.test(0.4 × 3.846, 3.846, correct = FALSE) gives
    // [10.0079 %, 79.9860 %] (weighted.R prints it). On the raw n = 5 it would be [11.8 %, 76.9 %].
    expect(o).toMatchObject({ count: 1, percent: 20, weightedCount: 2, weightedPercent: 40, ciLow: 10, ciHigh: 80 });
  });

  it('multiple choice: the base is the respondents, each weighted once', () => {
    const r = compute(filterOf({ weighted: '1' }));
    const pf = table(r, 'points_forts');
    // Answered by the 1st (w 2), 2nd (1), 3rd (1) and 5th (0.5): Σw = 4.5, Σw² = 6.25,
    // n_eff = 20.25 / 6.25 = 3.24, deff = 4 × 6.25 / 20.25 = 1.235.
    expect([pf.base, pf.weightedBase, pf.effectiveBase, pf.designEffect]).toEqual([4, 4.5, 3.2, 1.235]);
    expect(cells(pf)).toMatchObject({ histoire: [4, 4.5, 100], sport_rc_lens: [1, 2, 44.4], qualite_vie: [1, 1, 22.2], nature: [1, 1, 22.2] });
  });

  it('rankings: 1st rank and top 3 weighted over the ranking base', () => {
    const r = compute(filterOf({ weighted: '1' }));
    // Rank 1: salaire (w 2 and 1), épanouissement (1), conditions de travail (0.5) of Σw = 4.5.
    expect(cells(table(r, 'attentes_emploi__rang1'))).toMatchObject({ salaire: [2, 3, 66.7], epanouissement: [1, 1, 22.2], conditions_travail: [1, 0.5, 11.1] });
    // Top 3: salaire 2 + 1 + 0.5 = 3.5; conditions 2 + 0.5; épanouissement 2 + 1; utilité 1; évolution 0.5.
    expect(cells(table(r, 'attentes_emploi__top3'))).toMatchObject({
      salaire: [3, 3.5, 77.8],
      conditions_travail: [2, 2.5, 55.6],
      epanouissement: [2, 3, 66.7],
      utilite: [1, 1, 22.2],
      evolution: [1, 0.5, 11.1],
    });
  });

  it('integer questions: weighted mean and median, age groups weighted', () => {
    const r = compute(filterOf({ weighted: '1' }));
    const age = r.questions.find((x) => x.id === 'age')!;
    // Ages 16 (w 2), 17 (1), 20 (1), 24 (0.5), 30 (0.5): mean (32 + 17 + 20 + 12 + 15) / 5 = 19.2;
    // half the weight (2.5) is reached at 17. Unweighted: mean 21.4, median 20.
    expect(age.stats).toEqual({ count: 5, mean: 19.2, median: 17, min: 16, max: 30 });
    expect(cells(table(r, 'age__groupe'))).toEqual({ mineurs_15_17: [2, 3, 60], jeunes_18_25: [2, 1.5, 30], autre: [1, 0.5, 10] });
  });

  it('free text: the share who wrote something, weighted over the selection', () => {
    const r = compute(filterOf({ weighted: '1' }));
    // mots_industrie: the 1st (w 2) and the 5th (0.5) wrote something: 2.5 of 5.
    expect(cells(table(r, 'mots_industrie'))).toEqual({ '': [2, 2.5, 50] });
  });

  it('under a filter: the weights of the selected responses only', () => {
    const r = compute(filterOf({ weighted: '1', 'f.situation': 'lycee' }));
    expect(r.responses).toBe(2);
    expect(r.filter).toEqual({ answers: [{ variable: 'situation', codes: ['lycee'] }], channels: [], excludeFlagged: false, weighted: true });
    const e = table(r, 'envisager_industrie');
    // The 1st (plutôt oui, w 2) and the 2nd (oui tout à fait, w 1): n_eff = 9 / 5.
    expect(cells(e)).toMatchObject({ plutot_oui: [1, 2, 66.7], oui_tout_a_fait: [1, 1, 33.3], nsp: [0, 0, 0] });
    expect([e.base, e.weightedBase, e.effectiveBase]).toEqual([2, 3, 1.8]);
    // A filter on the channel and the dates goes through the same selection SQL.
    const carnot = compute(filterOf({ weighted: '1', channel: 'lycee-carnot', to: '2022-12-01' }));
    expect(carnot.responses).toBe(1);
    expect(cells(table(carnot, 'genre'))).toMatchObject({ feminin: [1, 2, 100] });
  });

  it('responses without a weight are left out and counted apart', () => {
    const other = freshDb();
    const weighted = FIVE.map((p) => addResponse(other, p));
    setWeights(other, new Map(weighted.map((id, i) => [id, FIVE_WEIGHTS[i]])));
    addResponse(other, FIVE[1]);
    const r = compute(filterOf({ weighted: '1' }), other);
    expect(r.responses).toBe(5);
    expect(r.weighting).toMatchObject({ responses: 5, unweighted: 1 });
    expect(cells(table(r, 'genre')).masculin).toEqual([2, 2, 40]);
  });

  it('the unweighted results are unchanged, without any weighted field', () => {
    const r = compute(filterOf({}));
    expect(r.weighted).toBeUndefined();
    expect(r.source).toBe('counts');
    const genre = table(r, 'genre');
    expect(genre).not.toHaveProperty('weightedBase');
    expect(genre.options[0]).toEqual({ code: 'masculin', label: 'Masculin', count: 2, percent: 40 });
  });

  it('without weighting in force, weighted results are refused in French', () => {
    const empty = freshDb();
    addResponse(empty, FIVE[0]);
    expect(() => compute(filterOf({ weighted: '1' }), empty)).toThrow(WeightingUnavailableError);
    expect(() => compute(filterOf({ weighted: '1' }), empty)).toThrow(/Aucune pondération n’est enregistrée/);
  });
});

type Expected = {
  case: string;
  table: string;
  option: string;
  base: number;
  weighted_base: number;
  effective_base: number;
  design_effect: number;
  count: number;
  weighted_count: number;
  weighted_percent: number;
  ci_low: number;
  ci_high: number;
};

describe.each(WAYS)('weighted results of 60 respondents raked with R survey::rake (fixtures/weighted.R), from the %s', (from) => {
  const dir = path.join(import.meta.dirname, 'fixtures');
  const population = Papa.parse<Record<string, string>>(fs.readFileSync(path.join(dir, 'weighted-population.csv'), 'utf8'), { header: true, skipEmptyLines: true }).data;
  const expected = Papa.parse<Expected>(fs.readFileSync(path.join(dir, 'weighted-expected.csv'), 'utf8'), { header: true, skipEmptyLines: true, dynamicTyping: true }).data;
  let db: Db;
  const compute = (f: Filter) => computeResults(db, q, f, { answersFrom: from });
  beforeAll(() => {
    db = freshDb();
    for (const p of population) {
      addResponse(db, {
        id: p.id,
        answers: { 1: { age: '17', genre: p.genre, commune: 'Lens', situation: p.situation }, 4: p.envisager_industrie ? { envisager_industrie: p.envisager_industrie } : {} },
      });
    }
    setWeights(db, new Map(population.map((p) => [p.id, Number(p.weight)])));
  });

  it.each([
    ['all', {}],
    ['feminin', { 'f.genre': 'feminin' }],
  ] as const)('%s: counts, weighted shares, effective n, design effect and Wilson intervals as R says', (name, query) => {
    const r = compute(filterOf({ weighted: '1', ...query }));
    const rows = expected.filter((e) => e.case === name);
    expect(rows.length).toBeGreaterThan(0);
    for (const e of rows) {
      const t = table(r, e.table);
      const o = t.options.find((x) => x.code === e.option)!;
      const where = `${name} ${e.table}=${e.option}`;
      expect([t.base, o.count], where).toEqual([e.base, e.count]);
      // Our figures are rounded as shown: 2 decimals for sums of weights, 1 for percentages and n_eff.
      expect(t.weightedBase, where).toBeCloseTo(e.weighted_base, 2);
      expect(t.effectiveBase, where).toBeCloseTo(e.effective_base, 1);
      expect(t.designEffect, where).toBeCloseTo(e.design_effect, 3);
      expect(o.weightedCount, where).toBeCloseTo(e.weighted_count, 2);
      expect(o.weightedPercent, where).toBeCloseTo(e.weighted_percent, 1);
      expect(o.ciLow, where).toBeCloseTo(e.ci_low, 1);
      expect(o.ciHigh, where).toBeCloseTo(e.ci_high, 1);
    }
  });

  it('the selection as a whole: Kish n_eff 37.7 and design effect 1.591 (R)', () => {
    const r = compute(filterOf({ weighted: '1' }));
    expect(r.weighting).toEqual({ responses: 60, unweighted: 0, weightedTotal: 60, effectiveN: 37.7, designEffect: 1.591 });
  });
});

describe('which way the weighted figures are counted', () => {
  it('from the summaries when every selected response has one, else from the answers table (same figures)', () => {
    const db = freshDb();
    const ids = FIVE.map((p) => addResponse(db, p));
    setWeights(db, new Map(ids.map((id, i) => [id, FIVE_WEIGHTS[i]])));
    const where = { where: "r.status = 'complete'", params: [] };
    const fromSummaries = db.transaction(() => weightedFromSummaries(db, where))();
    expect(fromSummaries?.raw.total).toBe(5);
    const before = computeResults(db, q, filterOf({ weighted: '1' }));
    db.prepare('DELETE FROM response_codes WHERE response_id = ?').run(ids[2]);
    expect(db.transaction(() => weightedFromSummaries(db, where))()).toBeNull();
    expect(computeResults(db, q, filterOf({ weighted: '1' })).questions).toEqual(before.questions);
  });
});

describe('the results cache and weighted results', () => {
  it('keeps weighted and unweighted results apart and sees a new weighting at once', async () => {
    const { createResultsCache } = await import('../../src/results/cache.js');
    const db = freshDb();
    const ids = FIVE.map((p) => addResponse(db, p));
    setWeights(db, new Map(ids.map((id, i) => [id, FIVE_WEIGHTS[i]])));
    const cache = createResultsCache(db, q);
    const weighted = filterOf({ weighted: '1' });
    const women = () => cache.get(weighted).questions.find((x) => x.id === 'genre')!.tables[0].options.find((o) => o.code === 'feminin')!;
    expect(women().weightedPercent).toBe(50);
    expect(cache.get(filterOf({})).weighted).toBeUndefined();
    expect(women().weightedPercent).toBe(50);
    expect(cache.stats).toEqual({ hits: 1, misses: 2 });
    // A new weighting (same responses, so the results stamp does not move): recomputed.
    setWeights(db, new Map(ids.map((id) => [id, 1])));
    expect(women().weightedPercent).toBe(40);
    expect(cache.stats).toEqual({ hits: 1, misses: 3 });
  });
});

describe('weighted figures of the dashboard', () => {
  it('a long list: « Autres » is a weighted share like the rows above it', async () => {
    const { questionFigures } = await import('../../src/results/figures.js');
    const commune = q.sections.flatMap((s) => s.questions).find((x) => x.type === 'commune')!;
    // c0: 5 respondents weighing 0.4 each (2); c1…c15: one respondent weighing 1.2 each.
    const options = Array.from({ length: 16 }, (_, i) => {
      const count = i === 0 ? 5 : 1;
      const weightedCount = i === 0 ? 2 : 1.2;
      return { code: `c${i}`, label: `Commune ${i}`, count, percent: Math.round(1000 * (count / 20)) / 10, weightedCount, weightedPercent: Math.round(1000 * (weightedCount / 20)) / 10 };
    });
    const table = { id: commune.id, label: 'Commune', base: 20, multiple: false, weightedBase: 20, effectiveBase: 17.2, options: options.map((o) => ({ ...o, percent: o.weightedPercent })) };
    const view = questionFigures(commune, { id: commune.id, type: 'commune', label: 'Commune', tables: [table] }, { weighted: true });
    const others = view.figures[0].rows.at(-1)!;
    // The 10 largest: c0 … c9 (2 + 9 × 1.2 = 12.8 of 20); « Autres (6) »: 7.2 of 20 = 36 %,
    // where the raw share would say 6 of 20 = 30 %.
    expect(others.label).toBe('Autres (6)');
    expect(others.cells.map((c) => c.text)).toEqual(['6', '36,0\u202f%', '–']);
  });
});
