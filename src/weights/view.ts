import { formatP } from '../results/crosstab.js';
import { fr } from '../strings.js';
import type { ReferenceMargin } from './margins.js';
import type { WeightingSummary } from './raking.js';
import type { Comparison } from './representativeness.js';

// What the weights pages show, as plain data for the views: French numbers, readings, the
// histogram's bars. No arithmetic of the statistics here, only wording.

const t = fr.weights;
const d1 = new Intl.NumberFormat('fr-FR', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const d2 = new Intl.NumberFormat('fr-FR', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const d3 = new Intl.NumberFormat('fr-FR', { minimumFractionDigits: 3, maximumFractionDigits: 3 });
const int = new Intl.NumberFormat('fr-FR');
const small = new Intl.NumberFormat('fr-FR', { maximumSignificantDigits: 2 });

export const percent = (x: number | null) => (x === null ? '–' : t.pct(d1.format(x)));
/** « −0,7 point », « +2,3 points » (a true minus sign). */
export function gapWords(points: number): string {
  const r = Math.round(points * 10) / 10;
  const sign = r > 0 ? '+' : r < 0 ? '\u2212' : '';
  return t.points(`${sign}${d1.format(Math.abs(r))}`, Math.abs(r));
}
export const count = (x: number) => int.format(x);

export function comparisonView(c: Comparison, labelOf: (variable: string) => string) {
  const m = c.margin;
  const r = t.representativeness;
  const rows = c.categories.map((k) => ({
    code: k.code,
    label: k.label,
    respondents: count(k.respondents),
    percent: percent(k.percent),
    population: k.population === null ? t.margins.toFill : percent(k.population),
    gap: k.gap === null ? '–' : gapWords(k.gap),
  }));
  const readings =
    c.filled && c.compared > 0
      ? c.categories.map((k) =>
          r.reading({ label: k.label, percent: percent(k.percent), population: percent(k.population), who: m.population, gap: gapWords(k.gap ?? 0) }),
        )
      : [];
  const test = c.test && {
    text: r.test(d2.format(c.test.chi2), c.test.df, formatP(c.test.pValue)),
    verdict: c.test.pValue < 0.05 ? r.differs : r.fits,
    small: c.test.minExpected < 5 ? r.smallExpected(d2.format(c.test.minExpected)) : null,
  };
  return {
    id: m.id,
    label: m.label,
    population: m.population,
    variable: t.margins.variable(labelOf(m.variable)),
    universe: m.universe ? t.margins.universe(labelOf(m.universe.variable), m.universe.codes.join(', ')) : null,
    source: m.source ? r.source(m.source, m.year === null ? '' : String(m.year)) : null,
    note: m.note,
    filled: c.filled,
    error: c.error,
    compared: r.compared(count(c.compared)),
    noData: c.filled && !c.error && c.compared === 0,
    populationHeader: r.population(m.population),
    rows,
    readings,
    test,
    outside: c.outside.filter((o) => o.respondents > 0).map((o) => ({ label: o.label, respondents: count(o.respondents) })),
    outsideUniverse: c.outsideUniverse ? r.outsideUniverse(count(c.outsideUniverse)) : null,
  };
}

export function summaryView(s: WeightingSummary) {
  const w = t.weighting;
  const last = s.iterations.length;
  const dist = s.distribution;
  const maxCount = dist ? Math.max(1, ...dist.histogram.map((b) => b.count)) : 1;
  const barWidth = dist ? 100 / dist.histogram.length : 10;
  return {
    converged: s.converged,
    status: s.converged ? w.converged(last) : w.notConverged(last),
    maxGap: w.maxGap(small.format(100 * s.maxGap)),
    deff: w.deff(d3.format(s.deff)),
    effectiveN: w.effectiveN(d1.format(s.effectiveN), count(s.responses)),
    trimmed: s.spec.cap ? w.trimmed(count(s.trimmed)) : null,
    cells: w.cells(count(s.cells)),
    distribution: dist && {
      min: d3.format(dist.min),
      q1: d3.format(dist.q1),
      median: d3.format(dist.median),
      q3: d3.format(dist.q3),
      max: d3.format(dist.max),
      bars: dist.histogram.map((b, i) => {
        const h = (40 * b.count) / maxCount;
        return { x: (i * barWidth + 0.5).toFixed(2), width: (barWidth - 1).toFixed(2), y: (40 - h).toFixed(2), height: h.toFixed(2), label: `${d2.format(b.from)} – ${d2.format(b.to)} : ${count(b.count)}` };
      }),
    },
    iterations: s.iterations.map((it) => ({ iteration: it.iteration, gap: small.format(100 * it.maxGap) })),
    margins: s.margins.map((m) => ({
      label: m.label,
      population: m.population,
      categories: m.categories.map((c) => ({ label: c.label, target: percent(100 * c.target), sample: percent(100 * c.sample), achieved: percent(100 * c.achieved), respondents: count(c.respondents) })),
      outside: m.outsideRespondents ? w.outside(percent(100 * m.outsideShare), count(m.outsideRespondents)) : null,
      empty: m.empty.map((code) => w.empty(m.categories.find((c) => c.code === code)?.label ?? code)),
    })),
  };
}

/** A margin as the admin form shows it. */
export function marginChoiceLabel(m: ReferenceMargin): string {
  return `${m.label} — ${m.population}${m.year ? ` (${m.year})` : ''}`;
}

/** The weights' summary for /api/weights.json (documented in the README). */
export function weightsJson(s: WeightingSummary, meta: { savedAt: string; savedBy: string | null }) {
  const r6 = (x: number) => Math.round(x * 1e6) / 1e6;
  return {
    margins: s.margins.map((m) => ({
      id: m.id,
      variable: m.variable,
      population: m.population,
      source: m.source,
      year: m.year,
      targets: Object.fromEntries(m.categories.map((c) => [c.code, r6(c.target)])),
      achieved: Object.fromEntries(m.categories.map((c) => [c.code, r6(c.achieved)])),
      sample: Object.fromEntries(m.categories.map((c) => [c.code, r6(c.sample)])),
      outside_share: r6(m.outsideShare),
    })),
    responses: s.responses,
    iterations: s.iterations.length,
    converged: s.converged,
    max_gap: s.maxGap,
    tolerance: s.spec.tolerance,
    max_iterations: s.spec.maxIterations,
    cap: s.spec.cap,
    trimmed: s.trimmed,
    design_effect: r6(s.deff),
    effective_sample_size: r6(s.effectiveN),
    distribution: s.distribution && {
      min: r6(s.distribution.min),
      q1: r6(s.distribution.q1),
      median: r6(s.distribution.median),
      q3: r6(s.distribution.q3),
      max: r6(s.distribution.max),
      histogram: s.distribution.histogram.map((b) => ({ from: r6(b.from), to: r6(b.to), count: b.count })),
    },
    saved_at: meta.savedAt,
    saved_by: meta.savedBy,
  };
}
