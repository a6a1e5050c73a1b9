import type { Questionnaire } from '../questionnaire/schema.js';
import type { Derived } from '../results/derived.js';
import { frResults } from '../results/strings.js';
import { fr } from '../strings.js';
import { responseColumns, type Column } from './columns.js';
import { csvLine, dialectOf, pump, type Sink } from './csv.js';

// codebook.csv: every column of responses.csv, with its question text, type, section and the
// code → label list, so an analyst can read the export without the application.

export type CodebookRow = { column: string; question_id: string; question_label: string; type: string; section: string; codes: string };

/** `derived`: the recodes and themes (src/results/derived.ts), described after the questionnaire's columns. */
export function codebookRows(q: Questionnaire, derived?: Derived): CodebookRow[] {
  return responseColumns(q, derived).map((c: Column) => ({
    column: c.name,
    question_id: c.questionId ?? '',
    question_label: c.label,
    type: c.typeLabel,
    section: c.section ?? '',
    // A recode's group lists the source codes it takes: « oui = Oui (oui_tout_a_fait = Oui, tout à fait + plutot_oui = Plutôt oui) ».
    codes: (c.codes ?? []).map((x) => (x.sources ? fr.derived.recodeCodes(x.code, x.label, x.sources.join(' + ')) : `${x.code} = ${x.label}`)).join(' | '),
  }));
}

export function* codebookCsvChunks(q: Questionnaire, excel = false, derived?: Derived): Generator<string> {
  const d = dialectOf(excel);
  let out = (d.bom ? '\ufeff' : '') + csvLine(frResults.codebook.header, d);
  for (const r of codebookRows(q, derived)) out += csvLine([r.column, r.question_id, r.question_label, r.type, r.section, r.codes], d);
  yield out;
}

export function writeCodebookCsv(q: Questionnaire, sink: Sink, opts: { excel?: boolean; derived?: Derived } = {}): Promise<void> {
  return pump(codebookCsvChunks(q, opts.excel, opts.derived), sink);
}
