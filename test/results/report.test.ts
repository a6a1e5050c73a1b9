import { beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/connection.js';
import { computeResults, type Results } from '../../src/results/aggregate.js';
import { checkCounts } from '../../src/results/counts.js';
import { insertRespondents } from '../../src/demo/demo.js';
import { reportProfile } from '../../src/demo/profile.js';
import { parseFilters } from '../../src/results/filters.js';
import { quotas, syntheticRespondents } from '../../src/results/synthetic.js';
import { territory } from '../../src/territory/communes.js';
import { freshDb, q, tableOf } from './helpers.js';

// The 2022-2023 consultation had 1,047 respondents. A synthetic population of that size, built
// with the report's published shares, goes through the real completion path (form fields → engine →
// answer rows → counts) and the results engine must give back the report's table.

describe('the report’s published figures (1,047 respondents)', () => {
  let db: Db;
  let results: Results;
  beforeAll(() => {
    db = freshDb();
    const people = syntheticRespondents(q, { count: 1047, seed: 20230228, profile: reportProfile, territory: territory() });
    expect(insertRespondents(db, q, people, { counts: 'record' })).toBe(1047);
    results = computeResults(db, q);
  });

  it('« Pourrais-tu envisager de travailler dans l’industrie ? » 8,6 / 16,3 / 23,1 / 26,4 / 25,6 %', () => {
    const t = tableOf(results, 'envisager_industrie');
    expect(t.base).toBe(1047);
    expect(t.percent).toEqual({ oui_tout_a_fait: 8.6, plutot_oui: 16.3, plutot_non: 23.1, pas_du_tout: 26.4, nsp: 25.6 });
  });

  it('« Qu’est-ce qui pourrait te convaincre… » 37,2 / 36,8 / 24,5 / 23,3 / 21,1 / 19,1 / 13,2 %, in that order', () => {
    const question = results.questions.find((x) => x.id === 'convaincre_industrie')!;
    const table = question.tables[0];
    expect(table.base).toBe(1047);
    const ranked = table.options.filter((o) => o.code !== 'autre').sort((a, b) => b.count - a.count);
    expect(ranked.map((o) => [o.label, o.percent])).toEqual([
      ['Rien', 37.2],
      ['Mieux connaître le secteur industriel, en découvrir les métiers', 36.8],
      ['Connaître les conditions de travail', 24.5],
      ['Visiter des entreprises du secteur', 23.3],
      ['Prendre connaissance des salaires proposés', 21.1],
      ['Rencontrer des employés du secteur industriel', 19.1],
      ['Connaître le niveau de formation requis', 13.2],
    ]);
    // Percentages of respondents: their sum exceeds 100.
    expect(table.options.reduce((a, o) => a + o.count, 0)).toBeGreaterThan(1047);
  });

  it('women are about half as likely as men to consider industry (filters f.genre=…)', () => {
    const share = (genre: string) => {
      const parsed = parseFilters({ 'f.genre': genre }, q);
      if (!parsed.ok) throw new Error('filtre');
      const r = computeResults(db, q, parsed.filter);
      const t = tableOf(r, 'envisager_industrie');
      return (t.count.oui_tout_a_fait + t.count.plutot_oui) / t.base;
    };
    const women = share('feminin');
    const men = share('masculin');
    expect(men).toBeGreaterThan(0.25);
    expect(women / men).toBeGreaterThan(0.4);
    expect(women / men).toBeLessThan(0.6);
  });

  it('profile of the respondents: 50,8 % men, close to 65 % minors, 80 % in the PMA', () => {
    expect(tableOf(results, 'genre').percent.masculin).toBe(50.8);
    expect(tableOf(results, 'age__groupe').percent.mineurs_15_17).toBeCloseTo(65, -1);
    const epci = tableOf(results, 'commune__epci');
    expect(epci.percent.hors_pma).toBeGreaterThan(16);
    expect(epci.percent.hors_pma).toBeLessThan(24);
    const inPma = epci.count.cabbalr + epci.count.call + epci.count.cahc;
    expect(epci.count.cabbalr / inPma).toBeGreaterThan(0.47);
    expect(epci.count.cabbalr / inPma).toBeLessThan(0.57);
  });

  it('the job expectations come in the report’s order: salary, conditions, fulfilment, usefulness, evolution', () => {
    const top = results.questions.find((x) => x.id === 'attentes_emploi')!.tables[1];
    expect(top.options.sort((a, b) => b.count - a.count).slice(0, 5).map((o) => o.code)).toEqual([
      'salaire',
      'conditions_travail',
      'epanouissement',
      'utilite',
      'evolution',
    ]);
  });

  it('the counts kept at each completion equal a full recount', () => {
    expect(checkCounts(db)).toEqual([]);
  });
});

describe('quotas of the synthetic populations', () => {
  it('splits a population in proportion to shares, summing exactly (largest remainder)', () => {
    expect(quotas(1047, [8.6, 16.3, 23.1, 26.4, 25.6])).toEqual([90, 171, 242, 276, 268]);
    expect(quotas(10, [1, 1, 1])).toEqual([4, 3, 3]);
    expect(quotas(0, [1, 2])).toEqual([0, 0]);
  });
});
