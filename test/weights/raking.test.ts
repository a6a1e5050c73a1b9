import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { rake } from '../../src/results/statistics.js';
import { ensureWeights } from '../../src/weights/current.js';
import { getMargin, saveMargin } from '../../src/weights/margins.js';
import { computeWeighting, removeWeighting, resolveSpec, saveWeighting, savedWeighting, type WeightingSpec } from '../../src/weights/raking.js';
import { addResponse, freshDb, q } from '../results/helpers.js';
import { addPeople, COMMUNE_OF, weightedShares } from './helpers.js';

// Reference values computed with R (survey::rake) by test/weights/fixtures/raking.R, whose
// output is committed beside it (raking.json): the worked example of the Wikipedia article
// « Iterative proportional fitting » and a skewed sample with « autre » and « hors PMA ».
const ref = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, 'fixtures/raking.json'), 'utf8'));

const spec = (margins: string[], more: Partial<WeightingSpec> = {}): WeightingSpec => ({ margins, tolerance: 1e-12, maxIterations: 1000, cap: null, ...more });

/** The skewed sample of raking.R: sex (masculin, feminin, autre) × intercommunality, as responses. */
function skewedDb() {
  const db = freshDb();
  const d = ref.skewed;
  addPeople(
    db,
    d.n.map((n: number, i: number) => ({ genre: d.sexe[i], epci: d.epci[i], n })),
  );
  return db;
}

describe('raking on cells', () => {
  it('fits the worked example of the Wikipedia article on IPF as R does (cells with their counts)', () => {
    const w = ref.wikipedia;
    const rows: number[] = [];
    const cols: number[] = [];
    const counts: number[] = [];
    w.table.forEach((r: number[], i: number) => r.forEach((n, j) => (rows.push(i), cols.push(j), counts.push(n))));
    const total = w.row_targets.reduce((a: number, b: number) => a + b, 0);
    const r = rake(
      counts.length,
      [
        { variable: 'row', categories: rows, targets: w.row_targets.map((x: number) => x / total) },
        { variable: 'col', categories: cols, targets: w.col_targets.map((x: number) => x / total) },
      ],
      { counts, tolerance: 1e-13, maxIterations: 1000 },
    );
    expect(r.converged).toBe(true);
    // Weights of mean 1 over the 800 respondents: the fitted table is count × weight × 1000/800.
    const sample = counts.reduce((a, b) => a + b, 0);
    const fitted = counts.map((n, k) => (n * r.weights[k] * total) / sample);
    fitted.forEach((x, k) => expect(x).toBeCloseTo(w.fitted[rows[k]][cols[k]], 6));
    // The article's rounded first row.
    expect(fitted.slice(0, 4).map((x) => Math.round(x * 100) / 100)).toEqual([64.56, 46.23, 35.38, 3.82]);
  });

  it('gives each respondent of a cell what raking respondents one by one gives', () => {
    const sex = [0, 0, 1, -1];
    const epci = [0, 1, 1, 0];
    const counts = [30, 5, 12, 3];
    const margins = (expand: boolean) => {
      const e = (xs: number[]) => (expand ? xs.flatMap((x, i) => Array(counts[i]).fill(x)) : xs);
      return [
        { variable: 's', categories: e(sex), targets: [0.515, 0.485] },
        { variable: 'e', categories: e(epci), targets: [0.6, 0.4] },
      ];
    };
    const byCell = rake(4, margins(false), { counts, cap: 2, tolerance: 1e-12, maxIterations: 500 });
    const byUnit = rake(50, margins(true), { cap: 2, tolerance: 1e-12, maxIterations: 500 });
    const expanded = counts.flatMap((n, i) => Array(n).fill(byCell.weights[i]));
    expanded.forEach((x, i) => expect(x).toBeCloseTo(byUnit.weights[i], 10));
    expect(byCell.deff).toBeCloseTo(byUnit.deff, 10);
    expect(byCell.effectiveN).toBeCloseTo(byUnit.effectiveN, 8);
    expect(byCell.trimmed).toBe(byUnit.trimmed);
    expect(byCell.converged).toBe(byUnit.converged);
  });
});

describe('weights of the responses (response_weights)', () => {
  it('reproduces R on a skewed sample; « autre » and « hors PMA » keep their sample share', () => {
    const db = skewedDb();
    saveWeighting(db, q, spec(['sexe_15_24', 'epci_tous_ages']), 'ana@exemple.fr');
    const w = ensureWeights(db, q)!;
    const d = ref.skewed;
    expect(w.responses).toBe(344);
    expect(w.converged).toBe(true);
    // Each cell's weight, read back from the table the results use.
    const weightOf = db.prepare(
      `SELECT DISTINCT round(w.weight, 12) AS w FROM response_weights w
       JOIN answers g ON g.response_id = w.response_id AND g.question_id = 'genre' AND g.option_code = ?
       JOIN answers e ON e.response_id = w.response_id AND e.question_id = 'commune__epci' AND e.option_code = ?`,
    );
    d.sexe.forEach((s: string, i: number) => {
      const found = weightOf.all(s, d.epci[i]) as { w: number }[];
      expect(found).toHaveLength(1);
      expect(found[0].w).toBeCloseTo(d.weights[i], 8);
    });
    expect(w.deff).toBeCloseTo(d.deff, 8);
    // The rule: « autre » weighs what it counts in the sample (14 of 344); the 51.5 % apply to the others.
    const sexes = weightedShares(db, 'genre');
    expect(sexes.autre).toBeCloseTo(14 / 344, 10);
    expect(sexes.masculin / (sexes.masculin + sexes.feminin)).toBeCloseTo(0.515, 10);
    const epci = weightedShares(db, 'commune__epci');
    expect(epci.hors_pma).toBeCloseTo(49 / 344, 10);
    expect(epci.cahc / (1 - epci.hors_pma)).toBeCloseTo(0.197005, 6);
    // Mean 1 over the responses weighted.
    const { mean } = db.prepare('SELECT avg(weight) AS mean FROM response_weights').get() as { mean: number };
    expect(mean).toBeCloseTo(1, 12);
  });

  it('reaches the target margins within the tolerance on a skewed sample of four margins', () => {
    const db = freshDb();
    // Every combination present, in skewed proportions: 3 boys for 1 girl, 4 in the CABBALR for
    // 1 in the CAHC, 3 in the general track for 1 in each other; a few 15-17 in a college or not at school.
    const kinds = [];
    for (const [genre, g] of [['masculin', 3], ['feminin', 1], ['non_reponse', 1]] as const) {
      for (const [epci, e] of [['cabbalr', 4], ['call', 2], ['cahc', 1], ['hors_pma', 1]] as const) {
        for (const [filiere, f] of [['generale', 3], ['professionnelle', 1], ['technologique', 1]] as const) kinds.push({ genre, epci, filiere, n: g * e * f });
        // Not in a lycée: outside the track margin, which keeps their share, but the schooling
        // margin moves weight between the two groups (college pupils are at school).
        kinds.push({ genre, epci, situation: 'emploi', age: 17, n: e }, { genre, epci, situation: 'college', age: 15, n: 2 * e });
      }
    }
    addPeople(db, kinds);
    const tolerance = 1e-4;
    saveWeighting(db, q, spec(['sexe_15_24', 'voie_lycee', 'scolarisation_15_17', 'epci_tous_ages'], { tolerance, maxIterations: 200 }), null);
    const w = ensureWeights(db, q)!;
    expect(w.converged).toBe(true);
    const sexes = weightedShares(db, 'genre');
    expect(Math.abs(sexes.masculin / (sexes.masculin + sexes.feminin) - 0.515)).toBeLessThan(tolerance * 2);
    const tracks = weightedShares(db, 'filiere');
    const lycee = 1 - tracks['(aucune)'];
    expect(Math.abs(tracks.professionnelle / lycee - 0.4)).toBeLessThan(tolerance * 3);
    expect(Math.abs(tracks.technologique / lycee - 0.2)).toBeLessThan(tolerance * 3);
    const epci = weightedShares(db, 'commune__epci');
    expect(Math.abs(epci.cahc / (1 - epci.hors_pma) - 0.197005)).toBeLessThan(tolerance * 3);
    expect(w.margins.map((m) => m.variable)).toEqual(['genre', 'filiere', 'situation', 'commune__epci']);
    expect(w.margins[2].targets).toEqual({ scolarise: 0.946, non_scolarise: expect.closeTo(0.054, 12) });
  });

  it('trims: no weight above cap × mean; says how many were trimmed', () => {
    const db = freshDb();
    // 5 boys for 95 girls: untrimmed, each boy would weigh about 10.
    addPeople(db, [
      { genre: 'masculin', n: 5 },
      { genre: 'feminin', n: 95 },
    ]);
    saveWeighting(db, q, spec(['sexe_15_24'], { cap: 3, maxIterations: 30, tolerance: 1e-6 }), null);
    const w = ensureWeights(db, q)!;
    const { max, mean } = db.prepare('SELECT max(weight) AS max, avg(weight) AS mean FROM response_weights').get() as { max: number; mean: number };
    expect(mean).toBeCloseTo(1, 12);
    expect(max).toBeLessThanOrEqual(3 + 1e-9);
    const s = savedWeighting(db)!.summary as { trimmed: number; converged: boolean };
    expect(s.trimmed).toBe(5);
    expect(w.converged).toBe(false);
  });

  it('is rebuilt when a response arrives, when a margin is edited, and removed with the weighting', () => {
    const db = freshDb();
    addPeople(db, [
      { genre: 'masculin', n: 30 },
      { genre: 'feminin', n: 70 },
    ]);
    saveWeighting(db, q, spec(['sexe_15_24']), null);
    expect(ensureWeights(db, q)!.responses).toBe(100);
    addResponse(db, { answers: { 1: { age: '16', genre: 'masculin', commune: COMMUNE_OF.call, situation: 'emploi' } } });
    const after = ensureWeights(db, q)!;
    expect(after.responses).toBe(101);
    expect((db.prepare('SELECT count(*) AS n FROM response_weights').get() as { n: number }).n).toBe(101);
    let sexes = weightedShares(db, 'genre');
    expect(sexes.masculin).toBeCloseTo(0.515, 10);
    // An admin corrects the census share: the weights follow.
    const m = getMargin(db, 'sexe_15_24')!;
    saveMargin(db, m.id, { ...m, categories: m.categories.map((c) => ({ ...c, share: c.code === 'masculin' ? 50 : 50 })) });
    expect(ensureWeights(db, q)!.margins[0].targets).toEqual({ masculin: 0.5, feminin: 0.5 });
    sexes = weightedShares(db, 'genre');
    expect(sexes.masculin).toBeCloseTo(0.5, 10);
    // A margin emptied since: no weights rather than weights on other figures.
    saveMargin(db, m.id, { ...m, categories: m.categories.map((c) => ({ ...c, share: null })) });
    expect(ensureWeights(db, q)).toBeNull();
    expect((db.prepare('SELECT count(*) AS n FROM response_weights').get() as { n: number }).n).toBe(0);
    expect(savedWeighting(db)!.summary).toEqual({ error: ['La marge « Sexe des 15-24 ans » est à renseigner : on ne peut pas caler dessus.'] });
    expect(removeWeighting(db)).toBe(true);
    expect(ensureWeights(db, q)).toBeNull();
  });

  it('refuses margins to be filled, unknown or on the same variable; every problem at once', () => {
    const db = freshDb();
    const r = resolveSpec(db, q, spec(['epci_15_24', 'nope', 'epci_tous_ages', 'sexe_15_24']));
    expect(r).toEqual({
      ok: false,
      errors: [
        { field: 'margins', message: 'La marge « Habitants de 15 à 24 ans par intercommunalité » est à renseigner : on ne peut pas caler dessus.' },
        { field: 'margins', message: 'La marge « nope » n’existe pas.' },
      ],
    });
    expect(resolveSpec(db, q, spec([]))).toEqual({ ok: false, errors: [{ field: 'margins', message: 'Choisis au moins une marge.' }] });
  });

  it('computes a preview without writing anything', () => {
    const db = skewedDb();
    const r = resolveSpec(db, q, spec(['sexe_15_24']));
    if (!r.ok) throw new Error('marges');
    const c = computeWeighting(db, r.resolved, spec(['sexe_15_24']));
    expect(c.summary.responses).toBe(344);
    expect(c.summary.cells).toBe(3);
    expect(c.summary.distribution!.histogram.reduce((a, b) => a + b.count, 0)).toBe(344);
    expect((db.prepare('SELECT count(*) AS n FROM response_weights').get() as { n: number }).n).toBe(0);
  });
});
