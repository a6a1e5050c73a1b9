import type { Db } from '../db/connection.js';
import type { Questionnaire } from '../questionnaire/schema.js';
import { computeResults, type Results, type ResultsOptions } from '../results/aggregate.js';
import { NO_FILTER, type Filter } from '../results/filters.js';
import { csvLine, decimal, dialectOf, pump, type CsvDialect, type Sink } from './csv.js';

// results.csv: one row per table and option of the results (see results/aggregate.ts), the same
// figures as the JSON payload. Percentages are of the row's base; multiple choice and "top N"
// tables are percentages of respondents and add up to more than 100.

export const RESULTS_COLUMNS = ['question_id', 'question_label', 'option_code', 'option_label', 'count', 'base', 'percent'] as const;

export type ResultsRow = {
  question_id: string;
  question_label: string;
  option_code: string;
  option_label: string;
  count: number;
  base: number;
  percent: number | null;
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
  let chunk = (d.bom ? '\ufeff' : '') + csvLine(RESULTS_COLUMNS, d);
  for (const r of resultsRows(results)) {
    if (only && !only.has(r.question_id)) continue;
    // Labels come from the questionnaire definition, not from respondents: no formula to fear.
    chunk += csvLine([r.question_id, r.question_label, r.option_code, r.option_label, r.count, r.base, decimal(r.percent, d)], d);
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
