import { describe, expect, it } from 'vitest';
import {
  allowedFilterVariables,
  audienceOf,
  forbiddenFilters,
  groupProtected,
  selectionWithheld,
  suppressGroup,
  suppressSingle,
  suppressTable,
  suppressYesNo,
  type CellStatus,
} from '../../src/privacy/disclosure.js';
import { filterVariables } from '../../src/results/model.js';
import { q } from '../results/helpers.js';

const K = 5;

/**
 * What someone who knows the group's total, the visible cells and the rules can deduce about each
 * hidden small cell, by brute force over every assignment of the hidden cells consistent with
 * what is public (small in [1, K−1], complementary in [K, S]). Independent of groupProtected's
 * interval arithmetic: the two must agree.
 */
function feasibleValues(counts: number[], status: CellStatus[], k: number): Map<number, Set<number>> {
  const hidden = counts.map((_, i) => i).filter((i) => status[i] !== 'shown');
  const sum = hidden.reduce((a, i) => a + counts[i], 0);
  const out = new Map<number, Set<number>>(hidden.filter((i) => status[i] === 'small').map((i) => [i, new Set<number>()]));
  const values: number[] = [];
  const walk = (j: number, left: number) => {
    if (j === hidden.length) {
      if (left === 0) hidden.forEach((i, x) => out.get(i)?.add(values[x]));
      return;
    }
    const i = hidden[j];
    const [lo, hi] = status[i] === 'small' ? [1, k - 1] : [k, sum];
    for (let v = lo; v <= Math.min(hi, left); v++) {
      values[j] = v;
      walk(j + 1, left - v);
    }
  };
  walk(0, sum);
  return out;
}

describe('suppressGroup: primary and complementary suppression over cells with a known total', () => {
  // [cells, expected statuses, fully protected, why]
  const cases: [number[], CellStatus[], boolean, string][] = [
    [[10, 12, 15], ['shown', 'shown', 'shown'], true, 'no cell under K: nothing hidden'],
    [[1, 30, 40], ['small', 'complementary', 'shown'], true, 'one small cell: the total would give it back, a second cell is hidden'],
    [[1, 5, 30], ['small', 'shown', 'complementary'], true, 'a complement of 5 would leave 1 = S − 5 known: the next one is taken'],
    [[3, 4, 50], ['small', 'small', 'complementary'], true, 'two small cells summing to 7 are still narrowed to {3, 4}: a complement'],
    [[2, 3], ['small', 'small'], true, 'two small cells summing to K: each can be anything from 1 to 4'],
    [[1, 1, 3], ['small', 'small', 'small'], false, 'a tiny group: every non-zero cell hidden, the most that can be done'],
    [[0, 0, 12], ['shown', 'shown', 'shown'], true, 'zeros stay visible: they count nobody'],
    [[4, 20, 0, 30], ['small', 'complementary', 'shown', 'shown'], true, 'a zero is never picked as a complement (it adds nothing)'],
    [[1, 8], ['small', 'complementary'], true, 'a two-cell group: both hidden, 1 + 8 = 9 leaves 1 to 4 possible'],
    [[0, 7, 0], ['shown', 'shown', 'shown'], true, 'everyone in one cell: shown (group disclosure on ≥ K people is accepted)'],
  ];
  it.each(cases)('%j → %j, protected: %s (%s)', (cells, expected, protectedFully) => {
    const status = suppressGroup(cells, K);
    expect(status).toEqual(expected);
    expect(groupProtected(cells, status, K)).toBe(protectedFully);
  });

  it.each(cases.filter(([, , protectedFully]) => protectedFully))('no hidden small cell of %j can be narrowed beyond 1 to K−1 (brute force)', (cells) => {
    const status = suppressGroup(cells, K);
    for (const [, values] of feasibleValues(cells, status, K)) expect([...values].sort()).toEqual([1, 2, 3, 4]);
  });

  it('keeps cells hidden by a linked group hidden', () => {
    expect(suppressGroup([10, 20, 30], K, { hidden: [false, true, false] })).toEqual(['shown', 'complementary', 'shown']);
  });

  it('takes the costlier cell last', () => {
    // Without a cost, 10 is the cheapest complement; with a high cost it is kept visible.
    expect(suppressGroup([2, 10, 12], K)).toEqual(['small', 'complementary', 'shown']);
    expect(suppressGroup([2, 10, 12], K, { cost: [2, 1000, 12] })).toEqual(['small', 'shown', 'complementary']);
  });

  it('K = 1 hides nothing', () => {
    expect(suppressGroup([1, 1, 3], 1)).toEqual(['shown', 'shown', 'shown']);
  });
});

describe('suppressSingle: options plus « sans réponse » sum to the selection', () => {
  const cases: [string, number[], number, number, { options: CellStatus[]; noAnswer: CellStatus }][] = [
    ['every answer given, no small cell', [20, 25], 45, 45, { options: ['shown', 'shown'], noAnswer: 'shown' }],
    ['a small option is protected by another option, not by « sans réponse »', [2, 20, 25], 47, 47, { options: ['small', 'complementary', 'shown'], noAnswer: 'shown' }],
    ['a small option and a small « sans réponse » (2 + 3 = K) protect each other', [2, 20, 25], 47, 50, { options: ['small', 'shown', 'shown'], noAnswer: 'small' }],
    ['a small « sans réponse » is a cell too: hidden, and an option with it', [10, 12, 30], 52, 54, { options: ['complementary', 'shown', 'shown'], noAnswer: 'small' }],
    ['a conditional question: 0 answers, everyone « sans réponse »', [0, 0], 0, 30, { options: ['shown', 'shown'], noAnswer: 'shown' }],
  ];
  it.each(cases)('%s', (_why, counts, base, selection, expected) => {
    expect(suppressSingle(counts, base, selection, K)).toEqual(expected);
  });
});

describe('suppressYesNo: each option of a multiple choice is a yes/no split of the base', () => {
  const cases: [string, number[], number, number, { yes: CellStatus[]; noAnswer: CellStatus }][] = [
    ['no small cell', [10, 20], 30, 30, { yes: ['shown', 'shown'], noAnswer: 'shown' }],
    ['a small « yes » is hidden; its « no » (never shown) is its complement', [3, 20, 25], 30, 30, { yes: ['small', 'shown', 'shown'], noAnswer: 'shown' }],
    ['a small « no » (base − yes) hides the « yes » that would give it back', [27, 10], 30, 30, { yes: ['complementary', 'shown'], noAnswer: 'shown' }],
    ['a small « sans réponse » hides the base for every option', [25, 3], 26, 30, { yes: ['shown', 'small'], noAnswer: 'small' }],
    ['6 of a base of 7: the one « no » is protected by hiding the base (« sans réponse »)', [6], 7, 30, { yes: ['shown'], noAnswer: 'complementary' }],
  ];
  it.each(cases)('%s', (_why, yes, base, selection, expected) => {
    expect(suppressYesNo(yes, base, selection, K)).toEqual(expected);
  });
});

describe('suppressTable: a crosstab with row and column totals', () => {
  it('protects every small cell in its row and in its column', () => {
    const cells = [
      [1, 10, 20],
      [10, 10, 10],
      [20, 10, 3],
    ];
    const status = suppressTable(cells, K);
    expect(status[0][0]).toBe('small');
    expect(status[2][2]).toBe('small');
    for (let r = 0; r < 3; r++) expect(groupProtected(cells[r], status[r], K)).toBe(true);
    for (let c = 0; c < 3; c++) expect(groupProtected(cells.map((x) => x[c]), status.map((x) => x[c]), K)).toBe(true);
  });
});

describe('audiences, threshold and filters', () => {
  it.each([
    ['admin', 'full'],
    ['analyst', 'full'],
    ['facilitator', 'protected'],
    [null, 'protected'],
    [undefined, 'protected'],
  ] as const)('%s → %s', (role, audience) => {
    expect(audienceOf(role)).toBe(audience);
  });

  it.each([
    [0, true],
    [1, true],
    [4, true],
    [5, false],
    [1000, false],
  ])('a selection of %i respondents withheld: %s', (n, withheld) => {
    expect(selectionWithheld(n, K)).toBe(withheld);
  });

  it('offers the closed profile questions only: age group and intercommunality, not age or commune', () => {
    const allowed = allowedFilterVariables(filterVariables(q), q.sections[0].id);
    expect([...allowed].sort()).toEqual(['age__groupe', 'commune__epci', 'filiere', 'genre', 'lieu_activite', 'situation']);
  });

  it('refuses every other filter with its own message', () => {
    const allowed = new Set(['genre']);
    const messages = { variable: (id: string) => `variable ${id}`, channel: 'canal', dates: 'dates', flagged: 'signalées' };
    expect(forbiddenFilters({ answers: [{ variable: 'genre' }], channels: [], excludeFlagged: false }, allowed, messages)).toEqual([]);
    expect(
      forbiddenFilters({ answers: [{ variable: 'genre' }, { variable: 'commune' }], channels: ['lycee-carnot'], from: '2022-12-01', excludeFlagged: true }, allowed, messages),
    ).toEqual([
      { field: 'f.commune', message: 'variable commune' },
      { field: 'channel', message: 'canal' },
      { field: 'from', message: 'dates' },
      { field: 'exclude_flagged', message: 'signalées' },
    ]);
  });
});
