// CSV writing shared by every export: the two dialects, cell quoting, formula neutralisation and a
// backpressure-aware pump into any Writable (an express Response, a file, a test sink).

export type CsvDialect = {
  delimiter: string;
  newline: string;
  /** UTF-8 byte order mark: Excel otherwise reads UTF-8 as Windows-1252 (« Ã© » for « é »). */
  bom: boolean;
  /** "37,2" instead of "37.2" for decimal numbers, as a French Excel expects. */
  decimalComma: boolean;
};

/** For R, pandas, LibreOffice: RFC 4180 quoting, comma, LF, decimal point. */
export const STANDARD_CSV: CsvDialect = { delimiter: ',', newline: '\n', bom: false, decimalComma: false };
/** For a French Excel opening the file with a double click. */
export const EXCEL_CSV: CsvDialect = { delimiter: ';', newline: '\r\n', bom: true, decimalComma: true };

export const dialectOf = (excel: boolean | undefined): CsvDialect => (excel ? EXCEL_CSV : STANDARD_CSV);

export type Cell = string | number | null | undefined;

/**
 * Papa.unparse's quoting rules (papaparse 5, quotes: false), inlined because exports format
 * millions of cells: a cell is quoted when it contains the delimiter, a quote, CR, LF or a BOM, or
 * starts or ends with a space; quotes are doubled. A test checks this against Papa.unparse.
 */
export function csvCell(value: Cell, delimiter: string): string {
  if (value === null || value === undefined) return '';
  const s = typeof value === 'number' ? String(value) : value;
  if (s === '') return s;
  if (
    s.includes(delimiter) ||
    s.includes('"') ||
    s.includes('\n') ||
    s.includes('\r') ||
    s.includes('\ufeff') ||
    s.charCodeAt(0) === 32 ||
    s.charCodeAt(s.length - 1) === 32
  ) {
    return `"${s.replace(/"/g, '""')}"`;
  }
  return s;
}

export function csvLine(cells: readonly Cell[], d: CsvDialect): string {
  let line = '';
  for (let i = 0; i < cells.length; i++) {
    if (i) line += d.delimiter;
    line += csvCell(cells[i], d.delimiter);
  }
  return line + d.newline;
}

/**
 * Free text typed by a respondent, made inert for spreadsheets: a cell starting with = + - @,
 * a tab or a carriage return would be run as a formula by Excel or LibreOffice (CSV injection), so
 * it gets a leading apostrophe, which spreadsheets hide. Only free-text cells go through this: codes
 * and numbers (a negative number included) are written as they are, for R and pandas.
 */
export function neutralizeFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** A decimal number with one decimal at least ("37.2", "100.0"), in the dialect's notation. */
export function decimal(n: number | null, d: CsvDialect, digits = 1): string {
  if (n === null || !Number.isFinite(n)) return '';
  const s = n.toFixed(digits);
  return d.decimalComma ? s.replace('.', ',') : s;
}

/** What the exports write to: a Node Writable (express Response, file stream) fits. */
export interface Sink {
  write(chunk: string): boolean;
  once(event: 'drain' | 'close' | 'error', listener: (...args: any[]) => void): unknown;
  removeListener(event: 'drain' | 'close' | 'error', listener: (...args: any[]) => void): unknown;
  end(): unknown;
  readonly destroyed?: boolean;
}

/** Resolves when the sink can take more, or when it was closed (the caller then stops). */
function drained(sink: Sink): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      sink.removeListener('drain', done);
      sink.removeListener('close', done);
      sink.removeListener('error', fail);
      resolve();
    };
    const fail = (e: unknown) => {
      sink.removeListener('drain', done);
      sink.removeListener('close', done);
      reject(e);
    };
    sink.once('drain', done);
    sink.once('close', done);
    sink.once('error', fail);
  });
}

/**
 * Writes the chunks of a generator, waiting for 'drain' whenever the sink's buffer is full, so
 * memory stays flat however slow the reader. The generator computes a chunk only when asked: no
 * database statement stays open while waiting. Stops early (without error) if the sink is
 * destroyed, e.g. when the browser cancels the download.
 */
export async function pump(chunks: Iterable<string>, sink: Sink, opts: { end?: boolean } = {}): Promise<void> {
  for (const chunk of chunks) {
    if (sink.destroyed) return;
    if (!sink.write(chunk)) await drained(sink);
  }
  if (sink.destroyed) return;
  if (opts.end !== false) sink.end();
}
