import Papa from 'papaparse';
import { csvLine, dialectOf } from '../exports/csv.js';
import { fr } from '../strings.js';
import { splitKeywords, THEMES_MAX, themeErrors, type Theme, type ThemeInput } from './codebook.js';

// The codebook as a CSV file, reused from one consultation to the next:
//   code,label,definition,keywords    (keywords separated by « | »)
// Read: UTF-8 with or without BOM, « , » or « ; » (detected on the header line), CRLF or LF,
// columns in any order, French headers accepted. A file with any bad line is refused whole, with
// one French message per problem (« Ligne 4 : … »).

export const CSV_COLUMNS = ['code', 'label', 'definition', 'keywords'] as const;
type Column = (typeof CSV_COLUMNS)[number];

// Headers an analyst may have typed in French (folded, no accents).
const HEADER_NAMES: Record<string, Column> = {
  code: 'code',
  label: 'label',
  libelle: 'label',
  theme: 'label',
  definition: 'definition',
  keywords: 'keywords',
  'mots-cles': 'keywords',
  'mots cles': 'keywords',
  motscles: 'keywords',
};

const t = fr.coding.csv;
export const CSV_MAX_BYTES = 256 * 1024;

/** A problem of the file: its line (when it has one) and the French message, « Ligne 4 : … ». */
export type CsvError = { line?: number; message: string };
export type ParsedCodebook = { ok: true; themes: ThemeInput[] } | { ok: false; errors: CsvError[] };

const foldHeader = (s: string) => s.normalize('NFD').replace(/\p{M}+/gu, '').trim().toLowerCase().replace(/_/g, ' ');

/** « , » or « ; »: whichever the header line (outside quotes) uses more. */
export function detectDelimiter(text: string): ',' | ';' {
  const end = text.search(/\r?\n/);
  const head = (end < 0 ? text : text.slice(0, end)).replace(/"[^"]*"/g, '');
  return (head.match(/;/g)?.length ?? 0) > (head.match(/,/g)?.length ?? 0) ? ';' : ',';
}

/** Reads a codebook CSV; every problem at once, each with its line number. */
export function parseCodebookCsv(input: string): ParsedCodebook {
  const text = input.replace(/^\ufeff/, '');
  if (!text.trim()) return { ok: false, errors: [{ message: t.empty }] };
  if (text.includes('\u0000') || text.includes('\ufffd')) return { ok: false, errors: [{ message: t.notUtf8 }] };
  const delimiter = detectDelimiter(text);
  const rows: { line: number; cells: string[] }[] = [];
  const errors: CsvError[] = [];
  const at = (n: number, message: string) => errors.push({ line: n, message: t.line(n, message) });
  // Line numbers as a spreadsheet shows them: a quoted cell may span several lines.
  let line = 1;
  let consumed = 0;
  const countLines = (upTo: number) => {
    for (let i = consumed; i < upTo; i++) if (text.charCodeAt(i) === 10) line++;
    consumed = upTo;
  };
  Papa.parse<string[]>(text, {
    delimiter,
    newline: undefined,
    quoteChar: '"',
    skipEmptyLines: false,
    step: (r) => {
      const start = line;
      countLines(r.meta.cursor);
      for (const e of r.errors) at(start, e.code === 'MissingQuotes' ? t.missingQuote : t.malformed);
      rows.push({ line: start, cells: r.data });
    },
  });
  const nonEmpty = rows.filter((r) => r.cells.some((c) => c.trim() !== ''));
  if (!nonEmpty.length) return { ok: false, errors: [{ message: t.empty }] };
  const [header, ...body] = nonEmpty;
  const columns = header.cells.map((c) => HEADER_NAMES[foldHeader(c)]);
  const missing = (['code', 'label'] as const).filter((c) => !columns.includes(c));
  const unknown = header.cells.filter((c, i) => !columns[i] && c.trim() !== '');
  const twice = CSV_COLUMNS.filter((c) => columns.filter((x) => x === c).length > 1);
  if (missing.length || unknown.length || twice.length) {
    return { ok: false, errors: [{ line: header.line, message: t.line(header.line, t.badHeader(header.cells.join(delimiter), CSV_COLUMNS.join(delimiter))) }] };
  }
  if (body.length > THEMES_MAX) errors.push({ message: t.tooManyThemes(body.length, THEMES_MAX) });
  const themes: ThemeInput[] = [];
  const firstLine = new Map<string, number>();
  for (const row of body) {
    const extra = row.cells.slice(columns.length).filter((c) => c.trim() !== '');
    if (row.cells.length > columns.length && extra.length) {
      at(row.line, t.tooManyCells(row.cells.length, columns.length, delimiter));
      continue;
    }
    const cell = (c: Column) => {
      const i = columns.indexOf(c);
      return i < 0 ? '' : (row.cells[i] ?? '');
    };
    const theme: ThemeInput = {
      code: cell('code').trim(),
      label: cell('label').replace(/\s+/g, ' ').trim(),
      definition: cell('definition').trim(),
      keywords: splitKeywords(cell('keywords')),
    };
    for (const e of themeErrors(theme)) at(row.line, e.message);
    const seen = firstLine.get(theme.code);
    if (theme.code && seen !== undefined) at(row.line, t.duplicate(theme.code, seen));
    else if (theme.code) firstLine.set(theme.code, row.line);
    themes.push(theme);
  }
  if (!body.length) errors.push({ message: t.noTheme });
  // In the file's order (a quote left open is found by the parser, before the other checks).
  errors.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
  return errors.length ? { ok: false, errors } : { ok: true, themes };
}

/** The codebook as CSV: standard (« , », LF, no BOM) or for a French Excel (« ; », CRLF, BOM). */
export function codebookCsv(themes: readonly Theme[], opts: { excel?: boolean } = {}): string {
  const d = dialectOf(opts.excel);
  let out = d.bom ? '\ufeff' : '';
  out += csvLine(CSV_COLUMNS, d);
  for (const x of themes) out += csvLine([x.code, x.label, x.definition, x.keywords.join('|')], d);
  return out;
}
