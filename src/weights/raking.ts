import type { Db } from '../db/connection.js';
import type { Questionnaire } from '../questionnaire/schema.js';
import { rake, type RakingIteration } from '../results/statistics.js';
import { fr } from '../strings.js';
import { getMargin, isFilled, resolveMargin, type ResolvedMargin } from './margins.js';

// Raking weights of the completed responses on reference margins. Raking runs on cells: the
// responses are grouped in SQL by the combination of their categories on the chosen margins
// (a few dozen cells, whatever the number of responses), the cells are raked with their counts,
// and response_weights is written in one INSERT … SELECT joining each response to its cell.
// Every respondent of a cell gets the same weight, exactly what raking them one by one gives.

export type WeightingSpec = {
  /** ids of reference margins, in raking order */
  margins: string[];
  /** largest gap left between a weighted share and its target, in share (0–1) */
  tolerance: number;
  maxIterations: number;
  /** trimming: weights capped at cap × the mean weight; null = none */
  cap: number | null;
};

export const DEFAULT_SPEC: WeightingSpec = { margins: [], tolerance: 1e-4, maxIterations: 50, cap: null };

export type MarginSummary = {
  id: string;
  variable: string;
  label: string;
  population: string;
  source: string;
  year: number | null;
  categories: { code: string; label: string; target: number; sample: number; achieved: number; respondents: number }[];
  /** Share of all respondents outside the reference (other codes, no answer, outside the universe): before = after. */
  outsideShare: number;
  outsideRespondents: number;
  /** Codes of the categories with no respondent: their target can't be reached. */
  empty: string[];
};

export type WeightDistribution = {
  min: number;
  q1: number;
  median: number;
  q3: number;
  max: number;
  histogram: { from: number; to: number; count: number }[];
};

export type WeightingSummary = {
  spec: WeightingSpec;
  responses: number;
  cells: number;
  iterations: RakingIteration[];
  converged: boolean;
  maxGap: number;
  deff: number;
  effectiveN: number;
  trimmed: number;
  distribution: WeightDistribution | null;
  margins: MarginSummary[];
};

export type Computed = { summary: WeightingSummary; cells: { key: number[]; weight: number }[]; resolved: ResolvedMargin[]; materialized: boolean };

export type SpecError = { field: string; message: string };

const t = fr.weights.weighting;

/** The margins of a spec read against the questionnaire; every problem at once. */
export function resolveSpec(db: Db, q: Questionnaire, spec: WeightingSpec): { ok: true; resolved: ResolvedMargin[] } | { ok: false; errors: SpecError[] } {
  const errors: SpecError[] = [];
  const resolved: ResolvedMargin[] = [];
  if (!spec.margins.length) errors.push({ field: 'margins', message: t.noMargin });
  const seen = new Set<string>();
  for (const id of spec.margins) {
    const m = getMargin(db, id);
    if (!m) {
      errors.push({ field: 'margins', message: t.unknownMargin(id) });
      continue;
    }
    if (!isFilled(m)) {
      errors.push({ field: 'margins', message: t.marginToFill(m.label) });
      continue;
    }
    if (seen.has(m.variable) && !m.universe) {
      errors.push({ field: 'margins', message: t.sameVariable(m.label) });
      continue;
    }
    seen.add(m.variable);
    const r = resolveMargin(db, q, m);
    if ('error' in r) errors.push({ field: 'margins', message: r.error });
    else resolved.push(r);
  }
  return errors.length ? { ok: false, errors } : { ok: true, resolved };
}

const cellColumns = (k: number) => Array.from({ length: k }, (_, i) => `c${i}`);

/** SELECT of each completed response's id and categories (c0, c1, …) on the resolved margins. */
function categoriesSelect(resolved: ResolvedMargin[]): { sql: string; params: (string | number)[] } {
  const cols = cellColumns(resolved.length);
  return {
    sql: `SELECT r.id AS id, ${resolved.map((m, i) => `${m.categorySql} AS ${cols[i]}`).join(', ')} FROM responses r WHERE r.status = 'complete'`,
    params: resolved.flatMap((m) => m.categoryParams),
  };
}

/**
 * Each completed response's categories, computed once into a temporary table (the answers are
 * read once for the GROUP BY and the INSERT that follow). Dropped by dropMembers.
 */
export function materializeMembers(db: Db, resolved: ResolvedMargin[]): void {
  const sel = categoriesSelect(resolved);
  db.exec('DROP TABLE IF EXISTS temp.weight_members');
  db.prepare(`CREATE TEMP TABLE weight_members AS ${sel.sql}`).run(...sel.params);
}
export const dropMembers = (db: Db) => db.exec('DROP TABLE IF EXISTS temp.weight_members');

/** The categories of every completed response: the materialised table when there is one. */
function membersSource(db: Db, resolved: ResolvedMargin[], materialized: boolean): { sql: string; params: (string | number)[] } {
  return materialized ? { sql: 'SELECT * FROM temp.weight_members', params: [] } : categoriesSelect(resolved);
}

/** Rakes the completed responses on the spec's margins (nothing written). */
export function computeWeighting(db: Db, resolved: ResolvedMargin[], spec: WeightingSpec, opts: { materialized?: boolean } = {}): Computed {
  const cols = cellColumns(resolved.length);
  const sel = membersSource(db, resolved, opts.materialized === true);
  const rows = db.prepare(`SELECT ${cols.join(', ')}, count(*) AS n FROM (${sel.sql}) GROUP BY ${cols.join(', ')}`).raw(true).all(...sel.params) as number[][];
  const k = resolved.length;
  const counts = rows.map((r) => r[k]);
  const margins = resolved.map((m, j) => ({
    variable: m.margin.variable,
    categories: Int32Array.from(rows, (r) => r[j]),
    targets: m.margin.categories.map((c) => c.share as number),
  }));
  const n = counts.reduce((a, b) => a + b, 0);
  const result = rows.length
    ? rake(rows.length, margins, { tolerance: spec.tolerance, maxIterations: spec.maxIterations, cap: spec.cap ?? undefined, counts })
    : { weights: new Float64Array(0), converged: false, iterations: [], maxGap: 0, deff: NaN, effectiveN: 0, trimmed: 0, achieved: margins.map((m) => ({ variable: m.variable, shares: m.targets.map(() => 0), outsideShare: 0 })) };
  const summaries: MarginSummary[] = resolved.map((m, j) => {
    const kc = m.margin.categories.length;
    const per = new Array<number>(kc).fill(0);
    let outside = 0;
    rows.forEach((r, i) => {
      const c = r[j];
      if (c >= 0 && c < kc) per[c] += counts[i];
      else outside += counts[i];
    });
    const covered = n - outside;
    // Among the respondents the census covers, after weighting (trimming may move their total a little).
    const coveredAfter = 1 - result.achieved[j].outsideShare;
    const shareSum = m.margin.categories.reduce((a, c) => a + (c.share as number), 0);
    return {
      id: m.margin.id,
      variable: m.margin.variable,
      label: m.margin.label,
      population: m.margin.population,
      source: m.margin.source,
      year: m.margin.year,
      categories: m.margin.categories.map((c, i) => ({
        code: c.code,
        label: c.label,
        target: (c.share as number) / shareSum,
        sample: covered > 0 ? per[i] / covered : 0,
        achieved: coveredAfter > 0 ? result.achieved[j].shares[i] / coveredAfter : 0,
        respondents: per[i],
      })),
      outsideShare: n ? outside / n : 0,
      outsideRespondents: outside,
      empty: m.margin.categories.filter((_, i) => per[i] === 0).map((c) => c.code),
    };
  });
  const summary: WeightingSummary = {
    spec,
    responses: n,
    cells: rows.length,
    iterations: result.iterations,
    converged: rows.length > 0 && result.converged,
    maxGap: result.maxGap,
    deff: result.deff,
    effectiveN: result.effectiveN,
    trimmed: result.trimmed,
    distribution: distribution(result.weights, counts),
    margins: summaries,
  };
  return { summary, cells: rows.map((r, i) => ({ key: r.slice(0, k), weight: result.weights[i] })), resolved, materialized: opts.materialized === true };
}

/** Replaces response_weights with the computed weights: one INSERT … SELECT joining each response to its cell. */
export function writeWeights(db: Db, c: Computed): void {
  const cols = cellColumns(c.resolved.length);
  const sel = membersSource(db, c.resolved, c.materialized);
  db.transaction(() => {
    db.exec('DELETE FROM response_weights');
    db.exec('DROP TABLE IF EXISTS temp.weight_cells');
    db.exec(`CREATE TEMP TABLE weight_cells (${cols.map((x) => `${x} INTEGER NOT NULL`).join(', ')}, weight REAL NOT NULL, PRIMARY KEY (${cols.join(', ')})) WITHOUT ROWID`);
    const ins = db.prepare(`INSERT INTO temp.weight_cells VALUES (${[...cols, 'w'].map(() => '?').join(', ')})`);
    for (const cell of c.cells) ins.run(...cell.key, cell.weight);
    db.prepare(`INSERT INTO response_weights (response_id, weight) SELECT x.id, wc.weight FROM (${sel.sql}) x JOIN temp.weight_cells wc ON ${cols.map((x) => `wc.${x} = x.${x}`).join(' AND ')}`).run(...sel.params);
    db.exec('DROP TABLE temp.weight_cells');
  })();
}

/** Min, quartiles, max and a 10-bar histogram of the respondents' weights (type 7 quantiles, as R's default). */
export function distribution(weights: ArrayLike<number>, counts: ArrayLike<number>): WeightDistribution | null {
  const cells = Array.from({ length: weights.length }, (_, i) => ({ w: weights[i], n: counts[i] })).filter((c) => c.n > 0).sort((a, b) => a.w - b.w);
  const total = cells.reduce((a, c) => a + c.n, 0);
  if (!total) return null;
  // The weight of the respondent at rank i (0-based) in increasing order.
  const at = (i: number) => {
    let seen = 0;
    for (const c of cells) {
      seen += c.n;
      if (i < seen) return c.w;
    }
    return cells[cells.length - 1].w;
  };
  const quantile = (p: number) => {
    const h = (total - 1) * p;
    const lo = Math.floor(h);
    return at(lo) + (h - lo) * (at(Math.min(lo + 1, total - 1)) - at(lo));
  };
  const min = cells[0].w;
  const max = cells[cells.length - 1].w;
  const bins = 10;
  const width = (max - min) / bins;
  const histogram = Array.from({ length: bins }, (_, b) => ({ from: min + b * width, to: b === bins - 1 ? max : min + (b + 1) * width, count: 0 }));
  for (const c of cells) histogram[width > 0 ? Math.min(bins - 1, Math.floor((c.w - min) / width)) : 0].count += c.n;
  return { min, q1: quantile(0.25), median: quantile(0.5), q3: quantile(0.75), max, histogram: width > 0 ? histogram : [{ from: min, to: max, count: total }] };
}

// ---- The weighting in force ----

type WeightingRow = { margins: string; tolerance: number; max_iterations: number; cap: number | null; saved_by: string | null; saved_at: string; built_for: string | null; summary: string | null };

export type SavedWeighting = { spec: WeightingSpec; savedBy: string | null; savedAt: string; builtFor: string | null; summary: WeightingSummary | { error: string[] } | null };

export function savedWeighting(db: Db): SavedWeighting | null {
  const r = db.prepare('SELECT * FROM weighting WHERE id = 1').get() as WeightingRow | undefined;
  if (!r) return null;
  return {
    spec: { margins: JSON.parse(r.margins) as string[], tolerance: r.tolerance, maxIterations: r.max_iterations, cap: r.cap },
    savedBy: r.saved_by,
    savedAt: r.saved_at,
    builtFor: r.built_for,
    summary: r.summary ? (JSON.parse(r.summary) as SavedWeighting['summary']) : null,
  };
}

/** The stamp of the data the weights depend on: results_version moves at every change to a completed response (migration 007). */
export function dataStamp(db: Db): string {
  return String((db.prepare('SELECT n FROM results_version WHERE id = 1').get() as { n: number }).n);
}

/** Saves the weighting in force (built at once). */
export function saveWeighting(db: Db, q: Questionnaire, spec: WeightingSpec, by: string | null, now = new Date()): void {
  db.transaction(() => {
    db.prepare(
      `INSERT INTO weighting (id, margins, tolerance, max_iterations, cap, saved_by, saved_at, built_for, summary) VALUES (1, ?, ?, ?, ?, ?, ?, NULL, NULL)
       ON CONFLICT (id) DO UPDATE SET margins = excluded.margins, tolerance = excluded.tolerance, max_iterations = excluded.max_iterations, cap = excluded.cap,
         saved_by = excluded.saved_by, saved_at = excluded.saved_at, built_for = NULL, summary = NULL`,
    ).run(JSON.stringify(spec.margins), spec.tolerance, spec.maxIterations, spec.cap, by, now.toISOString().slice(0, 19) + 'Z');
    rebuild(db, q);
  })();
}

export function removeWeighting(db: Db): boolean {
  return db.transaction(() => {
    db.exec('DELETE FROM response_weights');
    return db.prepare('DELETE FROM weighting').run().changes > 0;
  })();
}

/** Builds response_weights for the saved weighting and records for which data (call inside a transaction). */
export function rebuild(db: Db, q: Questionnaire): WeightingSummary | { error: string[] } | null {
  const saved = savedWeighting(db);
  if (!saved) {
    db.exec('DELETE FROM response_weights');
    return null;
  }
  const stamp = dataStamp(db);
  const r = resolveSpec(db, q, saved.spec);
  let summary: WeightingSummary | { error: string[] };
  if (!r.ok) {
    // A margin emptied or deleted since: no weights rather than weights on other margins.
    db.exec('DELETE FROM response_weights');
    summary = { error: r.errors.map((e) => e.message) };
  } else {
    materializeMembers(db, r.resolved);
    try {
      const computed = computeWeighting(db, r.resolved, saved.spec, { materialized: true });
      writeWeights(db, computed);
      summary = computed.summary;
    } finally {
      dropMembers(db);
    }
  }
  db.prepare('UPDATE weighting SET built_for = ?, summary = ? WHERE id = 1').run(stamp, JSON.stringify(summary));
  return summary;
}
