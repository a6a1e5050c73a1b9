import { readCrosstab, type Crosstab, type OptionTest, type Share } from '../results/crosstab.js';
import type { Choice } from '../results/model.js';
import type { CrosstabMargins } from '../results/crosstabMargins.js';
import type { ChiSquareTest } from '../results/statistics.js';
import { fr } from '../strings.js';
import { isSmall, suppressTable, type CellStatus } from './disclosure.js';

// A crosstab (src/results/crosstab.ts) through the rules of disclosure.ts, for anyone who is not
// an analyst: no cell, row or column total on 1 to K−1 respondents, complementary cells hidden,
// percentages and intervals of hidden cells hidden, tests withheld when a cell is hidden.
//
// What the viewer is assumed to know: everything shown here, and the dashboard's figures for the
// same selection, i.e. each variable's counts over the whole selection (its « full » margins).
// So the table protected is the extended one, with a « sans réponse » row and column: a crosstab
// row total (those of the row who answered the column variable) minus the dashboard's count of
// the row is the row's « sans réponse » cell, a cell like any other.
//  - Exclusive variable: its codes plus « sans réponse ».
//  - Multiple variable: one yes/no variable per option (ticked / answered but not ticked /
//    « sans réponse »), as the crosstab itself reads it; so one extended table per pair of
//    options, linked by their shared « sans réponse » cells (hidden in one, hidden in all).
// Each extended table goes through suppressTable (every row and column of it is a group whose
// total the viewer knows). A crosstab total is shown only when its « sans réponse » cell is shown
// (it is then the dashboard's count minus that cell); the base (answered both) only when no
// « sans réponse » cell is hidden; a share only when its cell and its base are shown. The
// chi-square tests, the ratios of proportions and the readings are computed from the cells and
// the totals: with any cell hidden, they are withheld (a test statistic and its expected counts
// are equations in the hidden cells).

export type PublishedCell = { row: string; col: string; count: number | null; status: CellStatus; rowShare: Share; colShare: Share };
export type PublishedMargin = { code: string; label: string; count: number | null; share: Share };
export type PublishedCrosstab = {
  row: Crosstab['row'];
  col: Crosstab['col'];
  responses: number | null;
  base: number | null;
  rows: Choice[];
  cols: Choice[];
  cells: PublishedCell[][];
  rowTotals: PublishedMargin[];
  colTotals: PublishedMargin[];
  test: ChiSquareTest | null;
  optionTests: OptionTest[];
  ratios: Crosstab['ratios'];
  readings: string[];
  disclosure: { audience: 'protected'; minGroupSize: number; withheld?: string; notice?: string; testsWithheld?: string };
};

const NONE: Share = { percent: null, ciLow: null, ciHigh: null };
const t = fr.crosstabProtected;

type Category = { inner: number; full: number };

/** The categories of each layer of a variable (one layer, or one per option of a multiple one). */
function layersOf(multiple: boolean, inner: number[], full: number[], answered: number, both: number): Category[][] {
  if (!multiple) return [inner.map((n, i) => ({ inner: n, full: full[i] }))];
  return inner.map((n, i) => [
    { inner: n, full: full[i] },
    { inner: both - n, full: answered - full[i] },
  ]);
}

export function protectCrosstab(ct: Crosstab, m: CrosstabMargins, k: number): PublishedCrosstab {
  const disclosure = { audience: 'protected' as const, minGroupSize: k };
  const empty = {
    row: ct.row,
    col: ct.col,
    rows: ct.rows,
    cols: ct.cols,
    test: null,
    optionTests: [],
    ratios: null,
  };
  // The whole selection, or those who answered both, under K: nothing at all.
  if (m.selection < k || ct.base < k) {
    return { ...empty, responses: null, base: null, cells: [], rowTotals: [], colTotals: [], readings: [], disclosure: { ...disclosure, withheld: t.withheld(k) } };
  }
  const rowInner = ct.rowTotals.map((x) => x.count);
  const colInner = ct.colTotals.map((x) => x.count);
  const rowLayers = layersOf(ct.row.multiple, rowInner, ct.rows.map((c) => m.row.counts.get(c.code) ?? 0), m.row.answered, ct.base);
  const colLayers = layersOf(ct.col.multiple, colInner, ct.cols.map((c) => m.col.counts.get(c.code) ?? 0), m.col.answered, ct.base);
  const count = (r: number, c: number) => ct.cells[r][c].count;

  /** Respondents in category i of row layer a and category j of column layer b (both answered). */
  const joint = (a: number, i: number, b: number, j: number): number => {
    const r = ct.row.multiple ? a : i;
    const c = ct.col.multiple ? b : j;
    const rowYes = !ct.row.multiple || i === 0;
    const colYes = !ct.col.multiple || j === 0;
    if (rowYes && colYes) return count(r, c);
    if (rowYes) return rowInner[r] - count(r, c);
    if (colYes) return colInner[c] - count(r, c);
    return ct.base - rowInner[r] - colInner[c] + count(r, c);
  };
  const missingBoth = m.selection - m.row.answered - m.col.answered + ct.base;

  const extended = (a: number, b: number): number[][] => {
    const rl = rowLayers[a];
    const cl = colLayers[b];
    const out = rl.map((rc, i) => [...cl.map((_, j) => joint(a, i, b, j)), rc.full - rc.inner]);
    out.push([...cl.map((cc) => cc.full - cc.inner), missingBoth]);
    return out;
  };
  // « Sans réponse » cells shared between tables: R:<row layer>:<category>, C:<col layer>:<category>, M.
  const shared = new Set<string>();
  const keyOf = (a: number, b: number, i: number, j: number, nr: number, nc: number): string | null =>
    i < nr && j < nc ? null : i < nr ? `R:${a}:${i}` : j < nc ? `C:${b}:${j}` : 'M';
  const tables = rowLayers.map((_, a) => colLayers.map((_, b) => extended(a, b)));
  let status: CellStatus[][][][] = [];
  for (let pass = 0; pass < 2 * (rowLayers.length + colLayers.length) + 2; pass++) {
    const before = shared.size;
    status = tables.map((row, a) =>
      row.map((cells, b) => {
        const nr = cells.length - 1;
        const nc = cells[0].length - 1;
        const hidden = cells.map((line, i) => line.map((_, j) => {
          const key = keyOf(a, b, i, j, nr, nc);
          return key !== null && shared.has(key);
        }));
        const s = suppressTable(cells, k, { hidden });
        s.forEach((line, i) => line.forEach((x, j) => {
          const key = keyOf(a, b, i, j, nr, nc);
          if (key !== null && x !== 'shown') shared.add(key);
        }));
        return s;
      }),
    );
    if (shared.size === before) break;
  }

  const cellStatus = (r: number, c: number): CellStatus => {
    const [a, i] = ct.row.multiple ? [r, 0] : [0, r];
    const [b, j] = ct.col.multiple ? [c, 0] : [0, c];
    return status[a][b][i][j];
  };
  // A total is its dashboard count minus its « sans réponse » cell: shown when that cell is, and
  // when it is not itself a small figure.
  const rowTotalShown = (r: number) => !shared.has(ct.row.multiple ? `R:${r}:0` : `R:0:${r}`) && !isSmall(rowInner[r], k);
  const colTotalShown = (c: number) => !shared.has(ct.col.multiple ? `C:${c}:0` : `C:0:${c}`) && !isSmall(colInner[c], k);
  const baseShown = shared.size === 0;
  const anyHidden = status.some((row) => row.some((s) => s.some((line) => line.some((x) => x !== 'shown'))));

  const cells = ct.cells.map((line, r) =>
    line.map((cell, c): PublishedCell => {
      const s = cellStatus(r, c);
      const shown = s === 'shown';
      return {
        row: cell.row,
        col: cell.col,
        count: shown ? cell.count : null,
        status: s,
        rowShare: shown && rowTotalShown(r) ? cell.rowShare : NONE,
        colShare: shown && colTotalShown(c) ? cell.colShare : NONE,
      };
    }),
  );
  const margin = (x: Crosstab['rowTotals'][number], shown: boolean): PublishedMargin => ({
    code: x.code,
    label: x.label,
    count: shown ? x.count : null,
    share: shown && baseShown ? x.share : NONE,
  });
  return {
    ...empty,
    responses: m.selection,
    base: baseShown ? ct.base : null,
    cells,
    rowTotals: ct.rowTotals.map((x, r) => margin(x, rowTotalShown(r))),
    colTotals: ct.colTotals.map((x, c) => margin(x, colTotalShown(c))),
    test: anyHidden ? null : ct.test,
    optionTests: anyHidden ? [] : ct.optionTests,
    ratios: anyHidden ? null : ct.ratios,
    readings: anyHidden ? [t.testsWithheld] : readCrosstab(ct),
    disclosure: { ...disclosure, notice: t.notice(k), ...(anyHidden ? { testsWithheld: t.testsWithheld } : {}) },
  };
}
