import { describe, expect, it } from 'vitest';
import { suppressTable, type CellStatus } from '../../src/privacy/disclosure.js';
import { prng } from '../../src/results/synthetic.js';
import { leakedSmallCells } from '../support/tableAudit.js';

// suppressTable against an attacker who knows every row and column total: brute force over every
// table consistent with what is shown (test/support/tableAudit.ts).

const K = 5;

/** What a protected crosstab shows: visible cells, and « masqué » for every hidden one alike. */
const asShown = (cells: number[][], status: CellStatus[][]) => cells.map((r, i) => r.map((value, j) => ({ value, status: status[i][j] === 'shown' ? ('shown' as const) : null })));

describe('suppressTable under a brute-force audit of linked sums', () => {
  it.each([
    ['2 × 2, one small cell (all four hidden)', [[20, 3], [15, 10]]],
    ['2 × 3, two small cells in one row', [[2, 9, 1], [8, 7, 12]]],
    ['3 × 3 of the module tests', [[1, 10, 20], [10, 10, 10], [20, 10, 3]]],
    ['a « sans réponse » column', [[12, 3, 8, 6], [9, 7, 2, 3], [0, 0, 0, 0]]],
  ])('%s', (_n, cells) => {
    const status = suppressTable(cells, K);
    expect(status.flat().some((x) => x !== 'shown')).toBe(true);
    expect(leakedSmallCells(asShown(cells, status), K, cells, { exactOnly: true })).toEqual([]);
  });

  it('leaks nothing on 1,800 random small tables that the totals alone do not give away', () => {
    const leaks: string[] = [];
    for (const seed of [12, 13, 14]) {
      const rnd = prng(seed);
      for (let t = 0; t < 600; t++) {
        const rows = 2 + Math.floor(rnd() * 2);
        const cols = 2 + Math.floor(rnd() * 2);
        const cells = Array.from({ length: rows }, () => Array.from({ length: cols }, () => (rnd() < 0.35 ? 1 + Math.floor(rnd() * 4) : rnd() < 0.15 ? 0 : 5 + Math.floor(rnd() * 8))));
        const status = suppressTable(cells, K);
        // What the row and column totals give away whatever is hidden (an empty column next to a
        // small one): no table can protect it, the totals are public.
        const found = leakedSmallCells(asShown(cells, status), K, cells, { exactOnly: true });
        if (!found.length) continue;
        const allHidden = new Set(leakedSmallCells(asShown(cells, cells.map((r) => r.map(() => 'small' as CellStatus))), K, cells, { exactOnly: true }));
        for (const l of found) if (!allHidden.has(l)) leaks.push(`${JSON.stringify(cells)} → ${JSON.stringify(status)} : ${l}`);
      }
    }
    expect(leaks).toEqual([]);
  }, 120_000);
});
