import type { Questionnaire } from '../questionnaire/schema.js';
import { frResults } from '../results/strings.js';
import { responseColumns, type Column } from './columns.js';
import { csvLine, dialectOf, pump, type Sink } from './csv.js';

// codebook.csv: every column of responses.csv, with its question text, type, section and the
// code → label list, so an analyst can read the export without the application.

export type CodebookRow = { column: string; question_id: string; question_label: string; type: string; section: string; codes: string };

export function codebookRows(q: Questionnaire): CodebookRow[] {
  return responseColumns(q).map((c: Column) => ({
    column: c.name,
    question_id: c.questionId ?? '',
    question_label: c.label,
    type: c.typeLabel,
    section: c.section ?? '',
    codes: (c.codes ?? []).map((x) => `${x.code} = ${x.label}`).join(' | '),
  }));
}

export function* codebookCsvChunks(q: Questionnaire, excel = false): Generator<string> {
  const d = dialectOf(excel);
  let out = (d.bom ? '\ufeff' : '') + csvLine(frResults.codebook.header, d);
  for (const r of codebookRows(q)) out += csvLine([r.column, r.question_id, r.question_label, r.type, r.section, r.codes], d);
  yield out;
}

export function writeCodebookCsv(q: Questionnaire, sink: Sink, opts: { excel?: boolean } = {}): Promise<void> {
  return pump(codebookCsvChunks(q, opts.excel), sink);
}
