import type { Db } from '../db/connection.js';
import type { Questionnaire } from '../questionnaire/schema.js';
import { computeResults, type Results, type ResultsOptions } from '../results/aggregate.js';
import { NO_FILTER, type Filter } from '../results/filters.js';
import { csvLine, decimal, dialectOf, pump, type CsvDialect, type Sink } from './csv.js';

// results.csv: one row per table and option of the results (see results/aggregate.ts), the same
// figures as the JSON payload. Percentages are of the row's base; multiple choice and "top N"
// tables are percentages of respondents and add up to more than 100.

export const RESULTS_COLUMNS = ['question_id', 'question_label', 'option_code', 'option_label', 'count', 'base', 'percent'] as const;
/**
 * Added after those of RESULTS_COLUMNS by « résultats pondérés » (weighted=1), whose count, base and
 * percent stay the raw respondents and their raw share: sums of weights, the weighted share,
 * Kish's effective base and design effect, the 95 % Wilson interval on the effective base.
 */
export const WEIGHTED_COLUMNS = ['weighted_count', 'weighted_base', 'weighted_percent', 'effective_base', 'design_effect', 'ci_low', 'ci_high'] as const;
/** Decimals written, as rounded by the engine (src/results/weighted.ts). */
const WEIGHTED_DIGITS: Record<(typeof WEIGHTED_COLUMNS)[number], number> = {
  weighted_count: 2,
  weighted_base: 2,
  weighted_percent: 1,
  effective_base: 1,
  design_effect: 3,
  ci_low: 1,
  ci_high: 1,
};

export type ResultsRow = {
  question_id: string;
  question_label: string;
  option_code: string;
  option_label: string;
  count: number;
  base: number;
  percent: number | null;
  weighted?: { weighted_count: number | null; weighted_base: number | null; weighted_percent: number | null; effective_base: number | null; design_effect: number | null; ci_low: number | null; ci_high: number | null };
};

/** The rows of results.csv, in questionnaire order. */
export function resultsRows(results: Results): ResultsRow[] {
  return results.questions.flatMap((q) =>
    q.tables.flatMap((t) =>
      t.options.map((o) => ({
        question_id: t.id,
        question_label: t.label,
        option_code: o.code,
        option_label: o.label,
        count: o.count,
        base: t.base,
        percent: o.percent,
        ...(results.weighted
          ? {
              weighted: {
                weighted_count: o.weightedCount ?? null,
                weighted_base: t.weightedBase ?? null,
                weighted_percent: o.weightedPercent ?? null,
                effective_base: t.effectiveBase ?? null,
                design_effect: t.designEffect ?? null,
                ci_low: o.ciLow ?? null,
                ci_high: o.ciHigh ?? null,
              },
            }
          : {}),
      })),
    ),
  );
}

/**
 * The tables behind one figure of the dashboard (its « Tableau CSV » link): a table id, or a
 * question id for the questions drawn as one figure from several tables (grid, ranking).
 * Null for an unknown id.
 */
export function figureTables(results: Results, id: string): Set<string> | null {
  const question = results.questions.find((q) => q.id === id);
  // The question's own tables: its derived variables (recodes, themes) are figures of their own.
  if (question && (question.type === 'grid' || question.type === 'ranking')) return new Set(question.tables.filter((t) => !t.derived).map((t) => t.id));
  for (const q of results.questions) if (q.tables.some((t) => t.id === id)) return new Set([id]);
  return null;
}

export function* resultsCsvChunks(results: Results, d: CsvDialect, only?: Set<string>): Generator<string> {
  const weighted = results.weighted === true;
  let chunk = (d.bom ? '\ufeff' : '') + csvLine(weighted ? [...RESULTS_COLUMNS, ...WEIGHTED_COLUMNS] : RESULTS_COLUMNS, d);
  for (const r of resultsRows(results)) {
    if (only && !only.has(r.question_id)) continue;
    // Labels come from the questionnaire definition, not from respondents: no formula to fear.
    const cells: (string | number | null)[] = [r.question_id, r.question_label, r.option_code, r.option_label, r.count, r.base, decimal(r.percent, d)];
    if (r.weighted) for (const c of WEIGHTED_COLUMNS) cells.push(decimal(r.weighted[c], d, WEIGHTED_DIGITS[c]));
    chunk += csvLine(cells, d);
    if (chunk.length > 64 * 1024) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

export type ResultsCsvOptions = ResultsOptions & { filter?: Filter; excel?: boolean };

/** Computes the results with the filter and writes results.csv to the sink (ended at the end). */
export async function writeResultsCsv(db: Db, q: Questionnaire, sink: Sink, opts: ResultsCsvOptions = {}): Promise<Results> {
  const results = computeResults(db, q, opts.filter ?? NO_FILTER, opts);
  await pump(resultsCsvChunks(results, dialectOf(opts.excel)), sink);
  return results;
}

/** The /api/results.json payload: the same figures as results.csv, as plain JSON-able data. */
export function resultsPayload(db: Db, q: Questionnaire, filter: Filter = NO_FILTER, opts: ResultsOptions = {}): Results {
  return computeResults(db, q, filter, opts);
}
