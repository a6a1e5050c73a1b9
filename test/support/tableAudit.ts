import type { CellStatus } from '../../src/privacy/disclosure.js';

// What someone who knows a table's row and column totals, its visible cells and the rules of
// disclosure control can deduce about each hidden cell: every table of non-negative integers
// consistent with what is public, by brute force (small tables only). A small cell is known to be
// in [1, K−1], a complementary one in [K, …]; a cell of unknown status (`null`) only ≥ 0.

export type AuditCell = { value: number; status: CellStatus | null };

/** The values each hidden cell can take, by cell "r,c". */
export function feasibleCells(cells: AuditCell[][], k: number, rowTotals?: (number | null)[], colTotals?: (number | null)[]): Map<string, Set<number>> {
  const rows = cells.length;
  const cols = cells[0].length;
  // A total of 1 to K−1 is itself a small figure: never shown, unknown to the attacker (null).
  const known = (n: number) => (n > 0 && n < k ? null : n);
  const rt = rowTotals ?? cells.map((r) => known(r.reduce((a, x) => a + x.value, 0)));
  const ct = colTotals ?? cells[0].map((_, c) => known(cells.reduce((a, r) => a + r[c].value, 0)));
  // An unknown total: the line is bounded by the sum of its cells' upper bounds only.
  const BIG = 1e6;
  const hidden: [number, number][] = [];
  cells.forEach((r, i) => r.forEach((x, j) => x.status !== 'shown' && hidden.push([i, j])));
  const rowLeft = rt.map((t, i) => (t === null ? BIG : t - cells[i].reduce((a, x) => a + (x.status === 'shown' ? x.value : 0), 0)));
  const colLeft = ct.map((t, j) => (t === null ? BIG : t - cells.reduce((a, r) => a + (r[j].status === 'shown' ? r[j].value : 0), 0)));
  const rowFree = rt.map((t) => t === null);
  const colFree = ct.map((t) => t === null);
  const total = cells.flat().reduce((a, x) => a + x.value, 0);
  const lastInRow = new Map<number, number>();
  const lastInCol = new Map<number, number>();
  hidden.forEach(([i, j], x) => {
    lastInRow.set(i, x);
    lastInCol.set(j, x);
  });
  const out = new Map<string, Set<number>>(hidden.map(([i, j]) => [`${i},${j}`, new Set<number>()]));
  const values: number[] = [];
  const range = (s: CellStatus | null, max: number): [number, number] => (s === 'small' ? [1, Math.min(k - 1, max)] : s === 'complementary' ? [k, max] : [0, max]);
  const walk = (x: number) => {
    if (x === hidden.length) {
      if (rowLeft.every((v, i) => rowFree[i] || v === 0) && colLeft.every((v, j) => colFree[j] || v === 0)) hidden.forEach(([i, j], y) => out.get(`${i},${j}`)!.add(values[y]));
      return;
    }
    const [i, j] = hidden[x];
    const [lo, hi] = range(cells[i][j].status, Math.min(rowLeft[i], colLeft[j], total));
    const forced = !rowFree[i] && lastInRow.get(i) === x ? rowLeft[i] : !colFree[j] && lastInCol.get(j) === x ? colLeft[j] : undefined;
    for (let v = forced ?? lo; v <= (forced ?? hi); v++) {
      if (v < lo || v > hi) continue;
      values[x] = v;
      rowLeft[i] -= v;
      colLeft[j] -= v;
      walk(x + 1);
      rowLeft[i] += v;
      colLeft[j] += v;
    }
  };
  walk(0);
  void rows;
  void cols;
  return out;
}

/** Small cells (true value 1 to K−1) whose feasible values are narrower than [1, K−1]. */
export function leakedSmallCells(cells: AuditCell[][], k: number, truth: number[][], opts: { rowTotals?: (number | null)[]; colTotals?: (number | null)[]; exactOnly?: boolean } = {}): string[] {
  const feasible = feasibleCells(cells, k, opts.rowTotals, opts.colTotals);
  const leaks: string[] = [];
  truth.forEach((r, i) =>
    r.forEach((v, j) => {
      if (v < 1 || v >= k) return;
      const f = feasible.get(`${i},${j}`);
      if (!f) leaks.push(`${i},${j} = ${v} affiché`);
      else if (opts.exactOnly) {
        if (f.size <= 1) leaks.push(`${i},${j} = ${v} : retrouvée exactement`);
      } else for (let x = 1; x < k; x++) if (!f.has(x)) {
        leaks.push(`${i},${j} = ${v} : ${[...f].sort((a, b) => a - b).join(' ')} possibles seulement`);
        break;
      }
    }),
  );
  return leaks;
}
