import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  chiSquareGoodnessOfFit,
  chiSquareIndependence,
  chiSquareSurvival,
  designEffect,
  logGamma,
  rake,
  ratioOfProportions,
  trimWeights,
  wilson,
} from '../../src/results/statistics.js';

// Reference values: test/results/fixtures/statistics.json, printed by the R script beside it
// (test/results/fixtures/statistics.R: chisq.test, prop.test, survey::rake and trimWeights,
// including the documentation examples of chisq.test and rake). CI reads the JSON; R is only
// needed to regenerate it.
const ref = JSON.parse(fs.readFileSync(new URL('./fixtures/statistics.json', import.meta.url), 'utf8'));

describe('Wilson interval', () => {
  it('gives 14.3 %–37.4 % for 12 of 50 (the issue’s value)', () => {
    const ci = wilson(12, 50)!;
    expect(ci.low * 100).toBeCloseTo(14.3, 1);
    expect(ci.high * 100).toBeCloseTo(37.4, 1);
  });
  it.each(ref.wilson as { x: number; n: number; low: number; high: number }[])('matches R prop.test for $x of $n', ({ x, n, low, high }) => {
    const ci = wilson(x, n)!;
    expect(ci.low).toBeCloseTo(low, 10);
    expect(ci.high).toBeCloseTo(high, 10);
  });
  it('has no interval without a base', () => {
    expect(wilson(0, 0)).toBeNull();
    expect(wilson(3, 2)).toBeNull();
  });
});

describe('chi-square', () => {
  it('computes log Γ and the chi-square tail', () => {
    expect(logGamma(1)).toBeCloseTo(0, 12);
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
    // Textbook quantiles: 3.841 (df 1) and 5.991 (df 2) leave 5 %.
    expect(chiSquareSurvival(3.841458820694124, 1)).toBeCloseTo(0.05, 10);
    expect(chiSquareSurvival(5.991464547107979, 2)).toBeCloseTo(0.05, 10);
    expect(chiSquareSurvival(100, 3)).toBeGreaterThan(0);
  });

  it('reproduces the chisq.test documentation example: X² = 30.07, df = 2, p ≈ 2.95e-07', () => {
    const t = chiSquareIndependence(ref.chisq_doc.table)!;
    expect(t.chi2).toBeCloseTo(30.07, 2);
    expect(t.chi2).toBeCloseTo(ref.chisq_doc.chi2, 9);
    expect(t.df).toBe(2);
    expect(t.pValue / ref.chisq_doc.p).toBeCloseTo(1, 8);
    expect(t.pValue).toBeCloseTo(2.95e-7, 9);
    t.expected.forEach((row, i) => row.forEach((e, j) => expect(e).toBeCloseTo(ref.chisq_doc.expected[i][j], 9)));
  });

  it('leaves an empty column out and reports small expected counts', () => {
    const t = chiSquareIndependence(ref.chisq_small.table)!;
    expect(t.df).toBe(ref.chisq_small.df);
    expect(t.chi2).toBeCloseTo(ref.chisq_small.chi2, 9);
    expect(t.pValue).toBeCloseTo(ref.chisq_small.p, 10);
    expect(t.minExpected).toBeCloseTo(ref.chisq_small.min_expected, 10);
    expect(t.shareExpectedUnder5).toBeGreaterThan(0.2);
  });

  it('has no test on a single row or column', () => {
    expect(chiSquareIndependence([[3, 4, 5]])).toBeNull();
    expect(chiSquareIndependence([[3], [4]])).toBeNull();
    expect(chiSquareIndependence([[0, 0], [0, 0]])).toBeNull();
  });

  it('tests goodness of fit against census shares as R does', () => {
    const t = chiSquareGoodnessOfFit(ref.gof.observed, ref.gof.shares)!;
    expect(t.chi2).toBeCloseTo(ref.gof.chi2, 10);
    expect(t.df).toBe(1);
    expect(t.pValue).toBeCloseTo(ref.gof.p, 10);
  });
});

describe('ratio of proportions', () => {
  it('matches a hand-computed case', () => {
    // 20 of 100 girls against 40 of 100 boys: ratio 0.5; se = √(1/20 − 1/100 + 1/40 − 1/100) = √0.055.
    const r = ratioOfProportions(20, 100, 40, 100)!;
    expect(r.ratio).toBeCloseTo(0.5, 12);
    const se = Math.sqrt(0.055);
    expect(r.low).toBeCloseTo(0.5 * Math.exp(-1.959963984540054 * se), 12);
    expect(r.high).toBeCloseTo(0.5 * Math.exp(1.959963984540054 * se), 12);
    expect(r.low).toBeCloseTo(0.3158, 4);
    expect(r.high).toBeCloseTo(0.7918, 4);
  });
  it('is undefined when a share is zero', () => {
    expect(ratioOfProportions(0, 10, 3, 10)).toBeNull();
    expect(ratioOfProportions(3, 10, 0, 10)).toBeNull();
  });
});

describe('raking', () => {
  it('reproduces survey::rake’s documentation example (apiclus1 on stype and sch.wide, from the design weights)', () => {
    const d = ref.rake_api;
    const stypes = ['E', 'H', 'M'];
    const sw = ['No', 'Yes'];
    const r = rake(
      d.stype.length,
      [
        { variable: 'stype', categories: d.stype.map((s: string) => stypes.indexOf(s)), targets: d.targets_stype },
        { variable: 'sch_wide', categories: d.sch_wide.map((s: string) => sw.indexOf(s)), targets: d.targets_schwide },
      ],
      { initial: d.pw, tolerance: 1e-12, maxIterations: 200 },
    );
    expect(r.converged).toBe(true);
    const meanRef = d.weights.reduce((a: number, b: number) => a + b, 0) / d.weights.length;
    r.weights.forEach((w, i) => expect(w).toBeCloseTo(d.weights[i] / meanRef, 8));
    // The weighted mean of api00 that the documentation prints.
    let num = 0;
    let den = 0;
    r.weights.forEach((w, i) => ((num += w * d.api00[i]), (den += w)));
    expect(num / den).toBeCloseTo(d.mean_api00, 8);
  });

  it('reaches the targets on a skewed sample; « autre » keeps its sample share; Kish deff and effective n as R', () => {
    const d = ref.rake_units;
    const sexes = ['h', 'f'];
    const tracks = ['pro', 'gen', 'tech'];
    const n = d.sex.length;
    const r = rake(
      n,
      [
        { variable: 'sexe', categories: d.sex.map((s: string) => sexes.indexOf(s)), targets: [0.515, 0.485] },
        { variable: 'filiere', categories: d.track.map((s: string) => tracks.indexOf(s)), targets: [0.4, 0.4, 0.2] },
      ],
      { tolerance: 1e-10 },
    );
    expect(r.converged).toBe(true);
    expect(r.iterations.length).toBeGreaterThan(1);
    r.weights.forEach((w, i) => expect(w).toBeCloseTo(d.weights[i], 8));
    const autre = d.sex.filter((s: string) => s === 'autre').length / n;
    expect(r.achieved[0].outsideShare).toBeCloseTo(autre, 8);
    expect(r.achieved[0].shares[0] / (1 - autre)).toBeCloseTo(0.515, 8);
    expect(r.achieved[1].shares).toEqual([expect.closeTo(0.4, 8), expect.closeTo(0.4, 8), expect.closeTo(0.2, 8)]);
    expect(r.deff).toBeCloseTo(d.deff_kish, 10);
    expect(r.effectiveN).toBeCloseTo(d.n_eff, 6);
    const mean = r.weights.reduce((a, b) => a + b, 0) / n;
    expect(mean).toBeCloseTo(1, 12);
  });

  it('trims as survey::trimWeights (excess given to the others, total kept)', () => {
    const w = Float64Array.from(ref.rake_units.weights as number[]);
    const count = trimWeights(w, ref.trim.upper_multiple);
    expect(count).toBeGreaterThan(0);
    w.forEach((x, i) => expect(x).toBeCloseTo(ref.trim.weights[i], 8));
    expect(Math.max(...w)).toBeLessThanOrEqual(2 + 1e-9);
  });

  it('caps weights during raking and says when the targets are not met', () => {
    // 90 % girls in the sample against 48.5 % in the population: boys' weights would pass 4.
    const n = 200;
    const sex = Array.from({ length: n }, (_, i) => (i < 20 ? 0 : 1));
    const r = rake(n, [{ variable: 'sexe', categories: sex, targets: [0.515, 0.485] }], { cap: 3, maxIterations: 20, tolerance: 1e-6 });
    expect(Math.max(...r.weights)).toBeLessThanOrEqual(3 + 1e-9);
    expect(r.trimmed).toBe(20);
    expect(r.converged).toBe(false);
    expect(r.iterations).toHaveLength(20);
    expect(r.maxGap).toBeGreaterThan(0.1);
  });

  it('stops at once when the sample already fits, and computes the design effect of equal weights', () => {
    const r = rake(4, [{ variable: 'x', categories: [0, 0, 1, 1], targets: [0.5, 0.5] }]);
    expect(r.converged).toBe(true);
    expect(r.iterations).toHaveLength(0);
    expect(designEffect([1, 1, 1, 1])).toEqual({ deff: 1, effectiveN: 4 });
  });
});
