// Survey statistics on plain numbers: confidence intervals, the chi-square test of independence,
// the ratio of two proportions, and raking weights. Checked against published worked examples
// and values computed with R (test/results/statistics.test.ts says which).

/** z for a two-sided 95 % interval. */
export const Z95 = 1.959963984540054;

export type Interval = { low: number; high: number };

/**
 * Wilson score interval of a proportion x/n (as shares, 0–1). Unlike the textbook p ± z·se it
 * stays inside [0, 1] and keeps its coverage for small n and extreme shares. With weights, pass
 * the weighted share times the effective sample size as x and that size as n.
 */
export function wilson(x: number, n: number, z = Z95): Interval | null {
  if (!(n > 0) || x < 0 || x > n) return null;
  const p = x / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

// ln Γ(x), Lanczos approximation (g = 7, n = 9): ~15 significant digits for x > 0.
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const xm = x - 1;
  let a = LANCZOS[0];
  const t = xm + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i] / (xm + i);
  return 0.5 * Math.log(2 * Math.PI) + (xm + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Regularised upper incomplete gamma Q(a, x) = 1 − P(a, x) (series below a+1, Lentz's continued fraction above). */
export function gammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  const lnPrefix = -x + a * Math.log(x) - logGamma(a);
  if (x < a + 1) {
    let sum = 1 / a;
    let term = sum;
    for (let n = 1; n < 1000; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-16) break;
    }
    return Math.max(0, 1 - sum * Math.exp(lnPrefix));
  }
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(lnPrefix) * h;
}

/** P(X² ≥ x) for a chi-square distribution with df degrees of freedom. */
export function chiSquareSurvival(x: number, df: number): number {
  return gammaQ(df / 2, x / 2);
}

export type ChiSquareTest = {
  chi2: number;
  df: number;
  pValue: number;
  /** The smallest expected count: under 5, the chi-square approximation is doubtful. */
  minExpected: number;
  /** Share of cells whose expected count is under 5 (Cochran: at most 20 %, none under 1). */
  shareExpectedUnder5: number;
  expected: number[][];
};

/**
 * Pearson's chi-square test of independence on a table of counts (rows × columns), without
 * continuity correction (as R's chisq.test(correct = FALSE), which is also its default beyond
 * 2×2). Empty rows and columns carry no information and are left out of the degrees of freedom.
 * With weighted counts, pass counts scaled to the effective sample size.
 */
export function chiSquareIndependence(table: number[][]): ChiSquareTest | null {
  const rowsKept = table.map((r, i) => ({ r, i, sum: r.reduce((a, b) => a + b, 0) })).filter((x) => x.sum > 0);
  if (rowsKept.length === 0) return null;
  const nCols = table[0].length;
  const colSums = Array.from({ length: nCols }, (_, j) => rowsKept.reduce((s, x) => s + x.r[j], 0));
  const colsKept = colSums.map((s, j) => ({ s, j })).filter((c) => c.s > 0);
  const total = colSums.reduce((a, b) => a + b, 0);
  const df = (rowsKept.length - 1) * (colsKept.length - 1);
  if (df < 1) return null;
  const expected = table.map((r) => r.map(() => 0));
  let chi2 = 0;
  let minExpected = Infinity;
  let under5 = 0;
  for (const { r, i, sum } of rowsKept) {
    for (const { s, j } of colsKept) {
      const e = (sum * s) / total;
      expected[i][j] = e;
      chi2 += ((r[j] - e) * (r[j] - e)) / e;
      minExpected = Math.min(minExpected, e);
      if (e < 5) under5++;
    }
  }
  return { chi2, df, pValue: chiSquareSurvival(chi2, df), minExpected, shareExpectedUnder5: under5 / (rowsKept.length * colsKept.length), expected };
}

/**
 * Chi-square goodness of fit of observed counts against expected shares (which are rescaled to
 * sum to 1 over the categories given).
 */
export function chiSquareGoodnessOfFit(observed: number[], shares: number[]): ChiSquareTest | null {
  const n = observed.reduce((a, b) => a + b, 0);
  const shareSum = shares.reduce((a, b) => a + b, 0);
  if (!(n > 0) || !(shareSum > 0) || observed.length < 2) return null;
  const expected = shares.map((s) => (n * s) / shareSum);
  let chi2 = 0;
  for (let i = 0; i < observed.length; i++) if (expected[i] > 0) chi2 += (observed[i] - expected[i]) ** 2 / expected[i];
  const df = observed.length - 1;
  const minExpected = Math.min(...expected);
  return { chi2, df, pValue: chiSquareSurvival(chi2, df), minExpected, shareExpectedUnder5: expected.filter((e) => e < 5).length / expected.length, expected: [expected] };
}

export type RatioOfProportions = { ratio: number; low: number; high: number };

/**
 * Ratio of two proportions (a/n1) / (b/n2) with its 95 % interval on the log scale (Katz et al.
 * 1978, the interval of R's epitools::riskratio "wald"). Undefined when a share is 0.
 */
export function ratioOfProportions(a: number, n1: number, b: number, n2: number, z = Z95): RatioOfProportions | null {
  if (!(a > 0 && b > 0 && n1 >= a && n2 >= b)) return null;
  const ratio = a / n1 / (b / n2);
  const se = Math.sqrt(1 / a - 1 / n1 + 1 / b - 1 / n2);
  return { ratio, low: ratio * Math.exp(-z * se), high: ratio * Math.exp(z * se) };
}

/**
 * Kish's design effect of unequal weights (1 + CV², CV with the population variance) and the
 * effective sample size. `counts`: weight i is shared by counts[i] respondents (raking on cells).
 */
export function designEffect(weights: ArrayLike<number>, counts?: ArrayLike<number>): { deff: number; effectiveN: number } {
  let s = 0;
  let s2 = 0;
  let n = 0;
  for (let i = 0; i < weights.length; i++) {
    const c = counts ? counts[i] : 1;
    n += c;
    s += c * weights[i];
    s2 += c * weights[i] * weights[i];
  }
  if (!(s > 0)) return { deff: NaN, effectiveN: 0 };
  return { deff: (n * s2) / (s * s), effectiveN: (s * s) / s2 };
}

export type RakingMargin = {
  variable: string;
  /** For each respondent, the index of its category in `targets`, or -1 for a category the reference does not have. */
  categories: Int32Array | number[];
  /** Reference shares of the categories the reference has (rescaled to sum to 1). */
  targets: number[];
};

export type RakingOptions = {
  /** Stop when no margin's share is further than this from its target (in share, 0–1). */
  tolerance?: number;
  maxIterations?: number;
  /** Trimming: weights are capped at this multiple of the mean weight at each iteration (anesrake's cap). */
  cap?: number;
  /** Starting weights (design weights); 1 for everyone by default. */
  initial?: ArrayLike<number>;
  /**
   * Raking on cells: unit i stands for counts[i] respondents who share its categories and its
   * weight (a GROUP BY of the margins' codes). Shares, trimming, the mean of 1 and the design
   * effect are then over respondents, exactly as if each were a unit.
   */
  counts?: ArrayLike<number>;
};

export type RakingIteration = { iteration: number; maxGap: number };

export type RakingResult = {
  /** One weight per respondent (per cell with `counts`: each of its respondents' weight), mean 1 over respondents. */
  weights: Float64Array;
  converged: boolean;
  iterations: RakingIteration[];
  /** The largest gap left between a weighted share and its target, in share. */
  maxGap: number;
  deff: number;
  effectiveN: number;
  trimmed: number;
  /** Per margin: the shares the weights reach, over all respondents, -1 = outside the reference. */
  achieved: { variable: string; shares: number[]; outsideShare: number }[];
};

/**
 * Raking (iterative proportional fitting of weights to margins, Deming & Stephan 1940).
 * Respondents in a category the reference does not have (a gender « autre », « hors PMA », no
 * answer) keep their share of the sample on that margin: the reference shares apply to the others.
 */
export function rake(n: number, margins: RakingMargin[], opts: RakingOptions = {}): RakingResult {
  const tolerance = opts.tolerance ?? 1e-6;
  const maxIterations = opts.maxIterations ?? 100;
  const w = opts.initial ? Float64Array.from(opts.initial) : new Float64Array(n).fill(1);
  if (w.length !== n) throw new RangeError('one starting weight per respondent');
  const counts = opts.counts ? Float64Array.from(opts.counts) : new Float64Array(n).fill(1);
  if (counts.length !== n) throw new RangeError('one count per cell');
  let respondents = 0;
  for (const c of counts) respondents += c;
  let size = 0;
  for (let i = 0; i < n; i++) size += counts[i] * w[i];
  // Target totals per category: reference shares of the (weighted) respondents the reference
  // covers; those outside it keep their total.
  const plans = margins.map((m) => {
    const k = m.targets.length;
    const sampleCounts = weightedSums(w, counts, m.categories, k); // last slot: outside the reference
    const covered = size - sampleCounts[k];
    const shareSum = m.targets.reduce((a, b) => a + b, 0);
    const totals = Float64Array.from([...m.targets.map((t) => (covered * t) / shareSum), sampleCounts[k]]);
    return { m, k, totals };
  });
  const gapOf = () => {
    let gap = 0;
    for (const { m, k, totals } of plans) {
      const sums = weightedSums(w, counts, m.categories, k);
      for (let c = 0; c <= k; c++) gap = Math.max(gap, Math.abs(sums[c] - totals[c]) / size);
    }
    return gap;
  };
  const iterations: RakingIteration[] = [];
  let trimmed = 0;
  let converged = false;
  let maxGap = gapOf();
  if (plans.length === 0 || maxGap <= tolerance) converged = true;
  for (let it = 1; !converged && it <= maxIterations; it++) {
    for (const { m, k, totals } of plans) {
      const sums = weightedSums(w, counts, m.categories, k);
      const factors = sums.map((s, c) => (s > 0 ? totals[c] / s : 1));
      for (let i = 0; i < n; i++) w[i] *= factors[slot(m.categories[i], k)];
    }
    if (opts.cap) trimmed = trimWeights(w, opts.cap, counts);
    maxGap = gapOf();
    iterations.push({ iteration: it, maxGap });
    if (maxGap <= tolerance) converged = true;
  }
  normaliseMean(w, counts, respondents);
  const { deff, effectiveN } = designEffect(w, counts);
  const achieved = plans.map(({ m, k }) => {
    const sums = weightedSums(w, counts, m.categories, k);
    return { variable: m.variable, shares: Array.from(sums.slice(0, k), (s) => s / respondents), outsideShare: sums[k] / respondents };
  });
  return { weights: w, converged, iterations, maxGap, deff, effectiveN, trimmed, achieved };
}

const slot = (c: number, k: number) => (c >= 0 && c < k ? c : k);

function weightedSums(w: Float64Array, counts: Float64Array, categories: ArrayLike<number>, k: number): Float64Array {
  const sums = new Float64Array(k + 1);
  for (let i = 0; i < w.length; i++) sums[slot(categories[i], k)] += counts[i] * w[i];
  return sums;
}

function normaliseMean(w: Float64Array, counts: Float64Array, respondents: number) {
  let s = 0;
  for (let i = 0; i < w.length; i++) s += counts[i] * w[i];
  const f = respondents / s;
  for (let i = 0; i < w.length; i++) w[i] *= f;
}

/**
 * Trims weights in place at cap × their mean and shares the excess equally among the weights
 * under the cap, until none exceeds it: survey::trimWeights(upper, strict = TRUE), so the total
 * is kept. `counts`: weight i is that of counts[i] respondents. Returns how many respondents'
 * weights were trimmed.
 */
export function trimWeights(w: Float64Array, cap: number, counts?: ArrayLike<number>): number {
  const c = (i: number) => (counts ? counts[i] : 1);
  let total = 0;
  let respondents = 0;
  for (let i = 0; i < w.length; i++) {
    total += c(i) * w[i];
    respondents += c(i);
  }
  const upper = (cap * total) / respondents;
  const trimmed = new Uint8Array(w.length);
  for (let round = 0; round < 100; round++) {
    let excess = 0;
    let inside = 0;
    for (let i = 0; i < w.length; i++) {
      if (w[i] > upper) {
        excess += c(i) * (w[i] - upper);
        w[i] = upper;
        trimmed[i] = 2; // trimmed this round
      } else inside += c(i);
    }
    if (excess <= 1e-12 * total || inside === 0) {
      for (let i = 0; i < w.length; i++) if (trimmed[i]) trimmed[i] = 1;
      break;
    }
    const share = excess / inside;
    for (let i = 0; i < w.length; i++) {
      if (trimmed[i] === 2) trimmed[i] = 1;
      else w[i] += share;
    }
  }
  let n = 0;
  for (let i = 0; i < w.length; i++) if (trimmed[i]) n += c(i);
  return n;
}
