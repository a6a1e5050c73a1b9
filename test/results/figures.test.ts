import { describe, expect, it } from 'vitest';
import type { QuestionResult, ResultTable } from '../../src/results/aggregate.js';
import { axisMax, questionFigures, scaleSides, TOP_N } from '../../src/results/figures.js';
import { buildTimeline, mainPeriod, shortFrenchDate, weekStart } from '../../src/results/timeline.js';
import { q } from './helpers.js';

// The figures of the dashboard as data: which chart each question gets, titles and bases, the
// axis, suppressed cells; and the time series behind « Réponses par jour ».

const question = (id: string) => q.sections.flatMap((s) => s.questions).find((x) => x.id === id)!;
const table = (id: string, base: number, options: [string, number | null][], multiple = false): ResultTable => ({
  id,
  label: id,
  base,
  multiple,
  options: options.map(([code, count]) => ({ code, label: code.toUpperCase(), count: count as number, percent: count === null ? null : Math.round((1000 * count) / base) / 10 })),
});
const result = (id: string, tables: ResultTable[]): QuestionResult => ({ id, type: question(id).type, label: question(id).label, section: { id: 's', title: 'S' }, tables });

describe('axis that fits the data', () => {
  it.each([
    [[2.2, 1.8, 1.2], 4],
    [[8.4], 10],
    [[31, 12], 40],
    [[69.6], 80],
    [[97], 100],
    [[], 10],
    [[null, -28], 35],
  ] as [(number | null)[], number][])('%j → %i %', (values, max) => {
    expect(axisMax(values)).toBe(max);
  });
});

describe('scale sides of an agreement grid', () => {
  it.each([
    [['accord', 'plutot_accord', 'plutot_desaccord', 'desaccord'], ['desaccord', 'plutot_desaccord'], undefined, ['plutot_accord', 'accord'], []],
    [['tout_a_fait', 'plutot', 'moyen', 'peu', 'pas'], ['pas', 'peu'], 'moyen', ['plutot', 'tout_a_fait'], []],
    [['oui', 'non', 'nsp'], ['non'], undefined, ['oui'], ['nsp']],
  ] as const)('%j', (codes, negative, neutral, positive, apart) => {
    const s = scaleSides(codes.map((code) => ({ code, label: code === 'nsp' ? 'Je ne sais pas' : code })));
    expect(s.negative.map((x) => x.code)).toEqual(negative);
    expect(s.neutral?.code).toBe(neutral);
    expect(s.positive.map((x) => x.code)).toEqual(positive);
    expect(s.apart.map((x) => x.code)).toEqual(apart);
    // The strongest answers get the strongest colours.
    if (negative.length === 2) expect(s.negative[0].color).toBe('--diverging-neg-2');
    if (positive.length === 2) expect(s.positive[1].color).toBe('--diverging-pos-2');
  });
});

describe('figures per question type', () => {
  it('grid: one diverging figure, one row per statement (the first one included), negatives on the left', () => {
    const grid = question('opinions_territoire');
    if (grid.type !== 'grid') throw new Error('grille attendue');
    const tables = grid.items.map((item, i) => table(`opinions_territoire__${item.id}`, 100 + i, [['accord', 30], ['plutot_accord', 40], ['plutot_desaccord', 20], ['desaccord', 10 + i]]));
    const view = questionFigures(grid, result('opinions_territoire', tables));
    expect(view.figures).toHaveLength(1);
    const f = view.figures[0];
    expect(f.title).toBe(grid.label);
    expect(f.base).toBe('Base : 100 à 103 répondants selon la ligne');
    expect(f.chart!.kind).toBe('diverging');
    expect(f.chart!.labels).toEqual(grid.items.map((i) => i.label));
    expect(f.rows.map((r) => r.label)).toEqual(grid.items.map((i) => i.label));
    const byLabel = new Map(f.chart!.datasets.map((d) => [d.label, d]));
    expect(byLabel.get('Pas d’accord')!.values[0]).toBe(-10);
    expect(byLabel.get('D’accord')!.values[0]).toBe(30);
    expect(f.chart!.max).toBe(80);
  });

  it('ranking: 1st, 2nd, 3rd choice stacked, options sorted by their share in the top 3', () => {
    const r = question('attentes_emploi');
    if (r.type !== 'ranking') throw new Error('classement attendu');
    const codes = r.options.map((o) => o.code);
    const counts = (k: number) => codes.map((c, i): [string, number] => [c, i === 2 ? 5 - k : i === 0 ? 1 : 0]);
    const tables = [
      table('attentes_emploi__rang1', 10, counts(1)),
      table('attentes_emploi__top3', 10, codes.map((c, i): [string, number] => [c, i === 2 ? 9 : i === 0 ? 3 : 0]), true),
      table('attentes_emploi__rang2', 10, counts(2)),
      table('attentes_emploi__rang3', 10, counts(3)),
    ];
    const f = questionFigures(r, result('attentes_emploi', tables)).figures[0];
    expect(f.chart!.kind).toBe('ranking');
    expect(f.chart!.datasets.map((d) => d.label)).toEqual(['1er choix', '2e choix', '3e choix']);
    expect(f.chart!.datasets.map((d) => d.color)).toEqual(['--rank-1', '--rank-2', '--rank-3']);
    expect(f.chart!.labels[0]).toBe(r.options[2].label);
    expect(f.chart!.labels[1]).toBe(r.options[0].label);
    expect(f.base).toBe('Base : 10 répondants');
  });

  it('long list: the top entries sorted, « autres » grouped, the full list folded, the axis fitting the top', () => {
    const communes = Array.from({ length: 40 }, (_, i): [string, number] => [`c${i}`, 40 - i]);
    const base = communes.reduce((a, [, n]) => a + n, 0);
    const view = questionFigures(question('commune'), result('commune', [table('commune__epci', base, [['cabbalr', base]]), table('commune', base, communes)]));
    const f = view.figures[1];
    expect(f.chart!.kind).toBe('top');
    expect(f.chart!.labels).toHaveLength(TOP_N + 1);
    expect(f.chart!.labels[TOP_N]).toBe('Autres (30)');
    expect(f.rows[TOP_N].cells[0].text).toBe(new Intl.NumberFormat('fr-FR').format(base - communes.slice(0, TOP_N).reduce((a, [, n]) => a + n, 0)));
    expect(f.fullRows).toHaveLength(40);
    // « Autres » (63 %) would squash the top entries (5 %): written, not drawn.
    expect(f.chart!.datasets[0].values[TOP_N]).toBeNull();
    expect(f.chart!.datasets[0].notes![TOP_N]).toMatch(/hors de l’échelle/);
    expect(f.chart!.max).toBe(6);
  });

  it('suppressed cells (count null) get « moins de K » and no bar', () => {
    const view = questionFigures(question('genre'), result('genre', [table('genre', 40, [['feminin', 20], ['masculin', 17], ['autre', null], ['nsp', null]])]), { minGroupSize: 5 });
    const f = view.figures[0];
    const autre = f.rows.find((r) => r.code === 'autre')!;
    expect(autre.cells.map((c) => c.text)).toEqual(['moins de 5', 'moins de 5']);
    expect(autre.hasBar).toBe(false);
    expect(f.chart!.datasets[0].values[2]).toBeNull();
    expect(f.chart!.suppressedLabel).toBe('moins de 5');
  });
});

describe('time series', () => {
  it.each([
    ['2026-12-01', '2026-11-30'],
    ['2026-11-29', '2026-11-23'],
    ['2026-11-30', '2026-11-30'],
  ])('the week of %s starts on Monday %s', (day, monday) => {
    expect(weekStart(day)).toBe(monday);
  });

  it.each([
    ['2022-11-25', '25 nov. 2022'],
    ['2022-12-01', '1er déc. 2022'],
    ['2023-01-31', '31 janv. 2023'],
  ])('writes %s as « %s »', (day, text) => {
    expect(shortFrenchDate(day)).toBe(text);
  });

  it('fills the days without responses with zeros and adds them up', () => {
    const tl = buildTimeline([{ day: '2022-11-25', n: 3 }, { day: '2022-11-28', n: 2 }])!;
    expect(tl.unit).toBe('day');
    expect(tl.points).toEqual([
      { start: '2022-11-25', n: 3, cumulative: 3 },
      { start: '2022-11-26', n: 0, cumulative: 3 },
      { start: '2022-11-27', n: 0, cumulative: 3 },
      { start: '2022-11-28', n: 2, cumulative: 5 },
    ]);
  });

  it('shows the main period and counts a straggler three years later aside', () => {
    const days = [{ day: '2022-11-25', n: 10 }, { day: '2023-01-31', n: 5 }, { day: '2026-12-01', n: 1 }];
    expect(mainPeriod(days.map((d, i) => (i === 1 ? { ...d, day: '2022-12-20' } : d)))).toEqual({ from: '2022-11-25', to: '2022-12-20' });
    const tl = buildTimeline([{ day: '2022-11-25', n: 10 }, { day: '2022-12-20', n: 5 }, { day: '2026-12-01', n: 1 }])!;
    expect(tl).toMatchObject({ unit: 'day', from: '2022-11-25', to: '2022-12-20', outside: 1 });
  });

  it.each([
    ['2022-11-25', '2023-01-31', 'day', 68],
    ['2022-09-01', '2023-06-30', 'week', 44],
    ['2022-11-25', '2026-12-01', 'month', 50],
  ] as const)('a window from %s to %s is drawn per %s (%i points)', (from, to, unit, points) => {
    const tl = buildTimeline([{ day: '2022-12-01', n: 4 }], { windowFrom: from, windowTo: to, today: '2026-12-01' })!;
    expect(tl.unit).toBe(unit);
    expect(tl.points).toHaveLength(points);
    expect(tl.points.at(-1)!.cumulative).toBe(4);
  });

  it('draws an open campaign up to today, not to its closing day', () => {
    const tl = buildTimeline([{ day: '2026-11-20', n: 4 }], { windowFrom: '2026-11-16', windowTo: '2027-01-31', today: '2026-12-01' })!;
    expect(tl.to).toBe('2026-12-01');
  });
});
