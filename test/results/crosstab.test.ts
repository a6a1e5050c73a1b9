import { describe, expect, it } from 'vitest';
import { crossVariables, crosstab, findCrossVariables, readCrosstab, type CrossVariable } from '../../src/results/crosstab.js';
import { chiSquareIndependence, ratioOfProportions, wilson } from '../../src/results/statistics.js';
import { addResponse, freshDb, q } from './helpers.js';

const v = (id: string): CrossVariable => crossVariables(q).find((x) => x.id === id)!;

type Spec = { genre: string; envisager: string; convaincre: string[]; age: string; n: number };

/** Respondents by profile, through the same validation and writes as the questionnaire. */
function seed(specs: Spec[]) {
  const db = freshDb();
  for (const s of specs) {
    for (let i = 0; i < s.n; i++) {
      addResponse(db, {
        answers: {
          1: { age: s.age, genre: s.genre, commune: 'Lens', situation: 'lycee', filiere: 'generale', lieu_activite: 'pma' },
          4: { envisager_industrie: s.envisager, convaincre_industrie: s.convaincre },
        },
      });
    }
  }
  return db;
}

// 100 girls, 100 boys: the girls half as many to answer « Oui, tout à fait » (12 against 24).
const SPECS: Spec[] = [
  { genre: 'feminin', envisager: 'oui_tout_a_fait', convaincre: ['salaires'], age: '16', n: 12 },
  { genre: 'feminin', envisager: 'plutot_non', convaincre: ['salaires', 'visiter_entreprises'], age: '17', n: 50 },
  { genre: 'feminin', envisager: 'nsp', convaincre: ['rien'], age: '19', n: 38 },
  { genre: 'masculin', envisager: 'oui_tout_a_fait', convaincre: ['salaires'], age: '16', n: 24 },
  { genre: 'masculin', envisager: 'plutot_non', convaincre: ['visiter_entreprises'], age: '20', n: 40 },
  { genre: 'masculin', envisager: 'nsp', convaincre: ['rien'], age: '15', n: 36 },
  // Answered the gender only with « autre »: a third row, left out of the two-group comparison when filtered.
  { genre: 'autre', envisager: 'nsp', convaincre: ['rien'], age: '18', n: 3 },
];

describe('crosstabs', () => {
  it('lists the variables one can cross, with multiple-choice ones marked', () => {
    const ids = crossVariables(q).map((x) => x.id);
    expect(ids).toContain('genre');
    expect(ids).toContain('age__groupe');
    expect(ids).toContain('commune__epci');
    expect(ids).not.toContain('commune'); // 150 communes: an open list, not a crosstab
    expect(v('convaincre_industrie').multiple).toBe(true);
    expect(v('genre').multiple).toBe(false);
  });

  it('checks the chosen variables', () => {
    expect(findCrossVariables(q, 'genre', 'genre')).toEqual({ errors: [{ field: 'col', message: 'Choisis deux variables différentes.' }] });
    expect(findCrossVariables(q, undefined, 'nope')).toEqual({
      errors: [
        { field: 'row', message: 'Choisis la variable en lignes.' },
        { field: 'col', message: '« nope » n’est pas une variable que l’on peut croiser.' },
      ],
    });
  });

  it('counts, shares with Wilson intervals, margins and the chi-square of two exclusive variables', () => {
    const db = seed(SPECS);
    const ct = crosstab(db, q, v('genre'), v('envisager_industrie'));
    expect(ct.responses).toBe(203);
    expect(ct.base).toBe(203);
    const at = (r: string, c: string) => ct.cells[ct.rows.findIndex((x) => x.code === r)][ct.cols.findIndex((x) => x.code === c)];
    expect(at('feminin', 'oui_tout_a_fait').count).toBe(12);
    expect(at('masculin', 'oui_tout_a_fait').count).toBe(24);
    expect(at('feminin', 'plutot_oui').count).toBe(0);
    // Row share: 12 of the 100 girls, with its Wilson interval in percent.
    const girls = at('feminin', 'oui_tout_a_fait').rowShare;
    expect(girls.percent).toBeCloseTo(12, 10);
    expect(girls.ciLow).toBeCloseTo(100 * wilson(12, 100)!.low, 10);
    expect(girls.ciHigh).toBeCloseTo(100 * wilson(12, 100)!.high, 10);
    // Column share: 12 of the 36 who answered « Oui, tout à fait ».
    expect(at('feminin', 'oui_tout_a_fait').colShare.percent).toBeCloseTo((100 * 12) / 36, 10);
    expect(ct.rowTotals.find((x) => x.code === 'feminin')!.count).toBe(100);
    expect(ct.colTotals.find((x) => x.code === 'nsp')!.count).toBe(77);
    // The test is the chi-square of the same table (empty rows and columns left out).
    const expected = chiSquareIndependence(ct.cells.map((r) => r.map((x) => x.count)))!;
    expect(ct.test).toEqual(expected);
    expect(ct.test!.df).toBe(4); // 3 non-empty genders × 3 non-empty answers
    expect(ct.ratios).toBeNull(); // three groups
  });

  it('compares two groups: ratio of proportions and a reading that says what the test shows', () => {
    const db = seed(SPECS);
    const ct = crosstab(db, q, v('genre'), v('envisager_industrie'), { answers: [{ variable: 'genre', codes: ['feminin', 'masculin'] }], channels: [], excludeFlagged: false });
    expect(ct.base).toBe(200);
    const j = ct.cols.findIndex((c) => c.code === 'oui_tout_a_fait');
    const r = ct.ratios![j].ratio!;
    const byHand = ratioOfProportions(24, 100, 12, 100)!; // masculin is the first row
    expect(r.ratio).toBeCloseTo(byHand.ratio, 12);
    expect(r.low).toBeCloseTo(byHand.low, 12);
    const reading = readCrosstab(ct);
    // Over the three answers the gap is not significant (R: chisq.test gives X² = 5.165, p = 0.0756)…
    const t = chiSquareIndependence([[24, 0, 40, 36], [12, 0, 50, 38]].map((r) => r.filter((_, i) => i !== 1)))!;
    expect(ct.test!.chi2).toBeCloseTo(t.chi2, 10);
    expect(reading[0]).toBe(
      `Les écarts entre les groupes de « ${v('genre').label} » pour « ${v('envisager_industrie').label} » ne sont pas statistiquement significatifs au seuil de 5 % (χ² = 5,2 ; ddl = 2 ; p = 0,076) : ils peuvent être dus au hasard.`,
    );
    // …while for « Oui, tout à fait » alone the ratio's interval leaves out 1.
    expect(reading).toContain(
      '« Oui, tout à fait » : 24,0 % des « Masculin » contre 12,0 % des « Féminin », soit 2,00 fois plus (IC 95 % : 1,06 à 3,77) ; différence significative.',
    );
    // « Plutôt oui »: nobody, no ratio, no sentence.
    expect(reading.some((s) => s.startsWith('« Plutôt oui »'))).toBe(false);
  });

  it('never claims significance the test does not show', () => {
    const db = seed([
      { genre: 'feminin', envisager: 'oui_tout_a_fait', convaincre: ['salaires'], age: '16', n: 5 },
      { genre: 'feminin', envisager: 'nsp', convaincre: ['salaires'], age: '16', n: 5 },
      { genre: 'masculin', envisager: 'oui_tout_a_fait', convaincre: ['salaires'], age: '16', n: 6 },
      { genre: 'masculin', envisager: 'nsp', convaincre: ['salaires'], age: '16', n: 4 },
    ]);
    const reading = readCrosstab(crosstab(db, q, v('genre'), v('envisager_industrie')));
    expect(reading[0]).toMatch(/ne sont pas statistiquement significatifs au seuil de 5 %/);
    expect(reading[1]).toMatch(/^Prudence : certaines cases ont un effectif attendu inférieur à 5/);
    expect(reading.filter((s) => s.includes('différence significative'))).toEqual([]);
    expect(reading.filter((s) => s.includes('non significative'))).toHaveLength(2);
  });

  it('crosses a multiple-choice question option by option, never as if options were exclusive', () => {
    const db = seed(SPECS);
    const ct = crosstab(db, q, v('convaincre_industrie'), v('genre'));
    const at = (r: string, c: string) => ct.cells[ct.rows.findIndex((x) => x.code === r)][ct.cols.findIndex((x) => x.code === c)];
    // « Salaires »: 62 of the 100 girls, 24 of the 100 boys; girls ticked two options (50 of them).
    expect(at('salaires', 'feminin').count).toBe(62);
    expect(at('salaires', 'feminin').colShare.percent).toBeCloseTo(62, 10);
    expect(at('visiter_entreprises', 'feminin').colShare.percent).toBeCloseTo(50, 10);
    // Column shares add up to more than 100 % for the girls: several options each.
    const girlsTotal = ct.rows.reduce((s, r) => s + (at(r.code, 'feminin').colShare.percent ?? 0), 0);
    expect(girlsTotal).toBeGreaterThan(100);
    expect(ct.colTotals.find((c) => c.code === 'feminin')!.count).toBe(100);
    // One test per option: ticked / not ticked by gender.
    const salaires = ct.optionTests.find((t) => t.code === 'salaires')!.test!;
    expect(salaires).toEqual(chiSquareIndependence([[24, 62, 0, 0], [76, 38, 3, 0]]));
    expect(ct.test).toBeNull();
    expect(ct.ratios).toBeNull();
  });

  it('crosses derived variables: age groups from the age', () => {
    const db = seed(SPECS);
    const ct = crosstab(db, q, v('age__groupe'), v('genre'));
    const row = (code: string) => ct.cells[ct.rows.findIndex((x) => x.code === code)];
    const cols = ct.cols.map((c) => c.code);
    expect(row('mineurs_15_17')[cols.indexOf('feminin')].count).toBe(62);
    expect(row('jeunes_18_25')[cols.indexOf('feminin')].count).toBe(38);
    expect(row('mineurs_15_17')[cols.indexOf('masculin')].count).toBe(60);
    expect(row('jeunes_18_25')[cols.indexOf('autre')].count).toBe(3);
    expect(ct.rowTotals.map((r) => r.count)).toEqual([122, 81, 0]);
  });
});
