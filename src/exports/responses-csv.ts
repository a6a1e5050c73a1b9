import type { Db } from '../db/connection.js';
import type { Questionnaire } from '../questionnaire/schema.js';
import { compileFilter, NO_FILTER, type Filter } from '../results/filters.js';
import { responseColumns, rowWriters } from './columns.js';
import { csvCell, dialectOf, neutralizeFormula, pump, type CsvDialect, type Sink } from './csv.js';

// responses.csv: one line per completed response (passing the filter), one column per question,
// option or derived variable (see columns.ts). Built from a single ordered pass over the answers
// joined to their responses, page by page: each page is one query read to its end with .iterate()
// (no statement stays open while waiting for the client, so the connection stays usable by other
// requests), turned into one chunk of text, and handed to the sink when it asks for more.

export type ResponsesCsvOptions = {
  filter?: Filter;
  /** Labels instead of codes in the code columns (0/1 and ranks stay numbers). */
  labels?: boolean;
  excel?: boolean;
  /** Responses per page (one query and one chunk each). */
  pageSize?: number;
};

export function* responsesCsvChunks(db: Db, q: Questionnaire, opts: ResponsesCsvOptions = {}): Generator<string> {
  const d: CsvDialect = dialectOf(opts.excel);
  const cols = responseColumns(q);
  const writers = rowWriters(q, cols, Boolean(opts.labels));
  const textCols = cols.flatMap((c, i) => (c.kind === 'text' ? [i] : []));
  const f = compileFilter(db, q, opts.filter ?? NO_FILTER);
  const pageSize = opts.pageSize ?? 1000;
  // Keyset pagination on the primary key: each page starts after the last id of the previous one.
  const page = db
    .prepare(
      `SELECT r.id, r.questionnaire_version, r.channel, substr(r.completed_hour, 1, 10),
              a.question_id, a.option_code, a.value_text, a.value_num
       FROM (SELECT r.id, r.questionnaire_version, r.channel, r.completed_hour FROM responses r
             WHERE ${f.where} AND r.id > ? ORDER BY r.id LIMIT ?) r
       LEFT JOIN answers a ON a.response_id = r.id
       ORDER BY r.id`,
    )
    .raw(true);
  const width = cols.length;
  const { delimiter, newline } = d;

  const line = (cells: (string | number | null)[]) => {
    for (const i of textCols) {
      const v = cells[i];
      if (typeof v === 'string') cells[i] = neutralizeFormula(v);
    }
    let s = csvCell(cells[0], delimiter);
    for (let i = 1; i < width; i++) s += delimiter + csvCell(cells[i], delimiter);
    return s + newline;
  };

  yield (d.bom ? '\ufeff' : '') + cols.map((c) => csvCell(c.name, delimiter)).join(delimiter) + newline;
  let after = '';
  for (;;) {
    let chunk = '';
    let current: string | null = null;
    let cells: (string | number | null)[] = [];
    let responses = 0;
    for (const row of page.iterate(...f.params, after, pageSize) as Iterable<
      [string, number, string | null, string | null, string | null, string | null, string | null, number | null]
    >) {
      const [id, version, channel, day, question, option, text, num] = row;
      if (id !== current) {
        if (current !== null) chunk += line(cells);
        current = id;
        responses++;
        cells = new Array(width).fill(null);
        cells[0] = id;
        cells[1] = version;
        cells[2] = channel;
        cells[3] = day;
      }
      if (question !== null) writers.get(question)?.(cells, option ?? '', text, num);
    }
    if (current !== null) chunk += line(cells);
    if (chunk) yield chunk;
    if (responses < pageSize || current === null) return;
    after = current;
  }
}

/** Writes responses.csv to the sink (ended at the end), respecting backpressure. */
export function writeResponsesCsv(db: Db, q: Questionnaire, sink: Sink, opts: ResponsesCsvOptions = {}): Promise<void> {
  return pump(responsesCsvChunks(db, q, opts), sink);
}
