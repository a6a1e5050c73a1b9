import { beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/connection.js';
import { completionFunnel, computeResults, integerStats, type Results } from '../../src/results/aggregate.js';
import { checkCounts } from '../../src/results/counts.js';
import { NO_FILTER } from '../../src/results/filters.js';
import { territory } from '../../src/territory/communes.js';
import { addDraft, freshDb, q, seedFive, tableOf } from './helpers.js';

const communeName = (insee: string) => territory().byInsee.get(insee)?.name;

describe('results of a small known population (5 completed responses, 2 drafts)', () => {
  let db: Db;
  let results: Results;
  beforeAll(() => {
    db = freshDb();
    seedFive(db);
    addDraft(db, 0);
    addDraft(db, 2);
    results = computeResults(db, q, NO_FILTER, { communeName });
  });

  it('counts only completed responses, from the running totals when there is no filter', () => {
    expect(results.responses).toBe(5);
    expect(results.source).toBe('counts');
    expect(checkCounts(db)).toEqual([]);
  });

  it('single choice: count per option, base, percent of base', () => {
    const genre = tableOf(results, 'genre');
    expect(genre.base).toBe(5);
    expect(genre.count).toEqual({ masculin: 2, feminin: 2, autre: 1, non_reponse: 0 });
    expect(genre.percent).toEqual({ masculin: 40, feminin: 40, autre: 20, non_reponse: 0 });
    // Shown only to lycée students: the base is those who answered, not everyone.
    const filiere = tableOf(results, 'filiere');
    expect(filiere.base).toBe(2);
    expect(filiere.percent).toMatchObject({ generale: 50, professionnelle: 50, technologique: 0 });
  });

  it('multiple choice: percentages of respondents, summing to more than 100', () => {
    const pf = tableOf(results, 'points_forts');
    expect(pf.base).toBe(4);
    expect(pf.count).toMatchObject({ histoire: 4, sport_rc_lens: 1, qualite_vie: 1, nature: 1, activites: 0 });
    expect(pf.percent).toMatchObject({ histoire: 100, sport_rc_lens: 25, qualite_vie: 25, nature: 25 });
    const conv = tableOf(results, 'convaincre_industrie');
    expect(conv.base).toBe(4);
    expect(conv.count).toMatchObject({ rien: 2, connaitre_secteur: 2, salaires: 2, visiter_entreprises: 1, conditions_travail: 0 });
    expect(Object.values(conv.percent).reduce((a, b) => a! + b!, 0)).toBe(175);
    const table = results.questions.find((x) => x.id === 'convaincre_industrie')!.tables[0];
    expect(table.multiple).toBe(true);
  });

  it('ranking: share of first rank and of the top 3 per item', () => {
    const first = tableOf(results, 'attentes_emploi__rang1');
    expect(first.base).toBe(4);
    expect(first.count).toMatchObject({ salaire: 2, epanouissement: 1, conditions_travail: 1, utilite: 0 });
    expect(first.percent).toMatchObject({ salaire: 50, epanouissement: 25, conditions_travail: 25 });
    const top = tableOf(results, 'attentes_emploi__top3');
    expect(top.base).toBe(4);
    expect(top.count).toMatchObject({ salaire: 3, conditions_travail: 2, epanouissement: 2, utilite: 1, evolution: 1, temps_libre: 0 });
    expect(top.percent).toMatchObject({ salaire: 75, conditions_travail: 50, utilite: 25 });
  });

  it('integer: count, mean, median and the report’s age groups', () => {
    const age = results.questions.find((x) => x.id === 'age')!;
    expect(age.stats).toEqual({ count: 5, mean: 21.4, median: 20, min: 16, max: 30 });
    const groups = tableOf(results, 'age__groupe');
    expect(groups.base).toBe(5);
    expect(groups.count).toEqual({ mineurs_15_17: 2, jeunes_18_25: 2, autre: 1 });
    expect(groups.percent).toEqual({ mineurs_15_17: 40, jeunes_18_25: 40, autre: 20 });
    const values = tableOf(results, 'age');
    expect(values.count['16']).toBe(1);
    expect(values.count['11']).toBe(0); // the whole allowed range is listed
    expect(Object.keys(values.count)).toHaveLength(35 - 11 + 1);
  });

  it('median of an even count is the mean of the two middle values', () => {
    expect(integerStats([{ value: 15, n: 1 }, { value: 17, n: 1 }, { value: 20, n: 2 }]).median).toBe(18.5);
    expect(integerStats([{ value: 16, n: 3 }, { value: 18, n: 1 }]).median).toBe(16);
    expect(integerStats([])).toEqual({ count: 0, mean: null, median: null, min: null, max: null });
  });

  it('commune: counts per intercommunality and per commune', () => {
    const epci = tableOf(results, 'commune__epci');
    expect(epci.base).toBe(5);
    expect(epci.count).toEqual({ cabbalr: 1, call: 2, cahc: 1, hors_pma: 1 });
    const communes = results.questions.find((x) => x.id === 'commune')!.tables.find((t) => t.id === 'commune')!;
    expect(communes.base).toBe(5);
    expect(communes.options.map((o) => o.label).sort()).toEqual(['Arras', 'Béthune', 'Hénin-Beaumont', 'Lens', 'Liévin']);
    expect(communes.options.every((o) => o.count === 1 && /^\d[0-9AB]\d{3}$/.test(o.code))).toBe(true);
  });

  it('grid: each item like a single choice', () => {
    const fierte = tableOf(results, 'opinions_territoire__fierte');
    expect(fierte.base).toBe(3);
    expect(fierte.count).toEqual({ accord: 2, plutot_accord: 1, plutot_desaccord: 0, desaccord: 0 });
    expect(fierte.percent).toEqual({ accord: 66.7, plutot_accord: 33.3, plutot_desaccord: 0, desaccord: 0 });
    const dep = tableOf(results, 'opinions_territoire__deplacements');
    expect(dep.base).toBe(1);
    expect(dep.percent.desaccord).toBe(100);
    expect(tableOf(results, 'opinions_territoire__jeunes_ecoutes').base).toBe(0);
    expect(tableOf(results, 'opinions_territoire__jeunes_ecoutes').percent.accord).toBeNull();
  });

  it('free text: number of answers only', () => {
    const mots = tableOf(results, 'mots_industrie');
    expect(mots.count).toEqual({ '': 2 });
    expect(mots.base).toBe(5);
    expect(mots.percent).toEqual({ '': 40 });
    expect(JSON.stringify(results)).not.toContain('Usine à gaz');
  });

  it('every question of the definition has its tables, in order, with French labels', () => {
    expect(results.questions.map((x) => x.id)).toEqual(q.sections.flatMap((s) => s.questions.map((x) => x.id)));
    const first = results.questions[0];
    expect(first.section).toEqual({ id: 'identite', title: 'Mon identité' });
    expect(tableOf(results, 'attentes_emploi__rang1')).toBeDefined();
    const rank = results.questions.find((x) => x.id === 'attentes_emploi')!.tables[0];
    expect(rank.label).toBe('Qu’attends-tu en premier de ton futur emploi ? — 1er choix');
  });

  it('gives the same figures from the answers as from the running totals', () => {
    const scanned = computeResults(db, q, NO_FILTER, { communeName, source: 'answers' });
    expect(scanned.source).toBe('answers');
    expect({ ...scanned, source: 'counts' }).toEqual(results);
    // From the per-response summaries (above) and from the answers table.
    expect(computeResults(db, q, NO_FILTER, { communeName, source: 'answers', answersFrom: 'table' })).toEqual(scanned);
  });

  it('completion funnel from drafts and completed responses', () => {
    const funnel = completionFunnel(db, q);
    expect(funnel.map((s) => [s.key, s.count])).toEqual([
      ['started', 7],
      ['section_2', 6],
      ['section_3', 6],
      ['section_4', 5],
      ['completed', 5],
    ]);
    expect(funnel[4].percent).toBe(71.4);
    expect(funnel[1].label).toBe('Arrivés à l’étape 2 (Mon territoire)');
    expect(completionFunnel(db, q, { channels: ['iut-lens'] }).map((s) => s.count)).toEqual([2, 2, 2, 2, 2]);
  });

  it('handles an empty database', () => {
    const empty = computeResults(freshDb(), q);
    expect(empty.responses).toBe(0);
    expect(tableOf(empty, 'genre').percent.masculin).toBeNull();
    expect(completionFunnel(freshDb(), q)[0]).toMatchObject({ count: 0, percent: null });
  });
});
