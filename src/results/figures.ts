import type { Question } from '../questionnaire/schema.js';
import { fr } from '../strings.js';
import { sub } from './model.js';

// What the dashboard draws for each question, as plain data: one « figure » per chart, each with
// its own title, base and accessible table, and the chart spec that public/js/dashboard.js hands to
// Chart.js. The right chart per question type:
//   - single / multiple / derived variables: horizontal bars, on an axis that fits the data;
//   - grid: one diverging 100 % stacked bar chart, one row per statement;
//   - ranking: 1st, 2nd, 3rd choice stacked, sorted by how often an option was ranked at all;
//   - long lists (communes): the top entries sorted, « autres » grouped, the full table folded.
// Suppressed cells (count null: too few people for this viewer) get no bar and « moins de K ».

const t = fr.results;

// The shapes read here, loose enough for every viewer: disclosure control publishes results whose
// hidden counts and bases are null (analysts get numbers everywhere).
type OptionResult = {
  code: string;
  label: string;
  count: number | null;
  percent: number | null;
  suppressed?: boolean;
  reason?: 'small' | 'complementary';
  ciLow?: number | null;
  ciHigh?: number | null;
  weightedCount?: number | null;
};
type ResultTable = {
  id: string;
  label: string;
  base: number | null;
  multiple: boolean;
  options: OptionResult[];
  derived?: { kind: 'recode'; source: string } | { kind: 'theme'; source: string; coded: number | null };
  effectiveBase?: number | null;
  weightedBase?: number | null;
};
type QuestionResult = {
  id: string;
  type: Question['type'];
  label: string;
  tables: ResultTable[];
  stats?: { count: number | null; mean: number | null; median: number | null };
};
const intFmt = new Intl.NumberFormat('fr-FR');
const pctFmt = new Intl.NumberFormat('fr-FR', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

export const formatCount = (n: number | null) => (n === null ? '–' : intFmt.format(n));
/** "37,2 %" with a narrow no-break space, as French typography wants. */
export const formatPercent = (p: number | null) => (p === null ? '–' : `${pctFmt.format(p)}\u202f%`);

/** Entries of a long list shown in its chart; the rest is « autres ». */
export const TOP_N = 10;
/** A list longer than this is drawn as a top-N. */
export const LONG_LIST = 15;

/** A colour of the design system: the name of a CSS custom property of public/css/app.css. */
export type Token = `--${string}`;

export type ChartDataset = {
  label: string;
  /** Percentages (negative on the left of a diverging chart); null = no bar (suppressed). */
  values: (number | null)[];
  counts: (number | null)[];
  color: Token | Token[];
  /** Text written instead of a bar where the value is null (default: the suppressed label). */
  notes?: (string | null)[];
  /** Diverging charts: 'apart' datasets (« ne sait pas ») are drawn on their own axis. */
  side?: 'negative' | 'positive' | 'apart';
};

export type ChartSpec = {
  kind: 'bars' | 'diverging' | 'ranking' | 'top';
  title: string;
  base: string;
  labels: string[];
  datasets: ChartDataset[];
  /** Axis maximum in percent (the axis fits the data; diverging charts go from −max to max). */
  max: number;
  /** Rankings: the share ranked at all, written after each row. */
  totals?: (number | null)[];
  /** Maximum of the « apart » axis of a diverging chart. */
  apartMax?: number;
  suppressedLabel: string;
};

/** barHere: the cell that carries the row's mini-bar (default: the last one). */
export type Cell = { text: string; suppressed: boolean; barHere?: boolean };
export type TableRow = {
  code: string;
  label: string;
  cells: Cell[];
  /** Mini-bar width (percent of the row's scale), null without a bar. */
  bar: number | null;
  hasBar?: boolean;
  barColor?: Token;
  filterHref?: string;
  isOther?: boolean;
};

export type Figure = {
  /** Dom id and the `tableau` of the CSV route: a ResultTable id, or the question id for grids. */
  id: string;
  title: string;
  base: string;
  note?: string;
  chart?: ChartSpec;
  columns: string[];
  rows: TableRow[];
  /** The full list, folded under the chart (long lists). */
  fullRows?: TableRow[];
  /** Tables that are long by nature (integer values) start folded. */
  folded?: boolean;
};

export type FigureOptions = {
  /** Link adding a filter on this variable and code, when the variable can filter. */
  filterHref?: (variable: string, code: string) => string | undefined;
  /** Minimum group size, for « moins de K ». */
  minGroupSize?: number;
  /** Label of a cell hidden only so that a small one cannot be recomputed (default « moins de K »). */
  complementaryLabel?: string;
  /**
   * Weighted results (src/results/weightedView.ts displayResults: percent is the weighted share):
   * bases say so with their effective size, and bar tables get the 95 % interval column.
   */
  weighted?: boolean;
};

const isSuppressed = (o: OptionResult) => o.count === null || Boolean(o.suppressed);
const countOf = (o: OptionResult): number | null => (isSuppressed(o) ? null : o.count);
const percentOf = (o: OptionResult): number | null => (isSuppressed(o) ? null : o.percent);

/** An axis maximum that fits the largest bar: the next multiple of 10 above it (at most 100). */
export function axisMax(values: (number | null)[], ceiling = 100): number {
  const top = Math.max(0, ...values.filter((v): v is number => v !== null).map(Math.abs));
  if (top === 0) return Math.min(ceiling, 10);
  const step = top <= 10 ? 2 : top <= 30 ? 5 : 10;
  return Math.min(ceiling, Math.ceil((top + step / 2) / step) * step);
}

const decimalFmt = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 1 });

function baseText(table: ResultTable, opts: FigureOptions = {}): string {
  if (table.base === null) return t.baseHidden;
  if (opts.weighted) return fr.weighted.base(formatCount(table.base), table.effectiveBase == null ? '–' : decimalFmt.format(table.effectiveBase));
  return t.baseRespondents(formatCount(table.base));
}

/** « 12,3 – 18,9 % »: a weighted share's interval, or the suppressed label with its cell. */
function intervalCell(o: OptionResult, hidden: string | null): Cell {
  if (hidden !== null) return { text: hidden, suppressed: true };
  if (o.ciLow == null || o.ciHigh == null) return { text: '–', suppressed: false };
  return { text: fr.weighted.intervalText(pctFmt.format(o.ciLow), formatPercent(o.ciHigh)), suppressed: false };
}

/** Columns of a bar table: the interval after the share when weighted. */
const barColumns = (opts: FigureOptions) => (opts.weighted ? [t.answer, fr.weighted.count, fr.weighted.percent, fr.weighted.interval] : [t.answer, t.count, t.percent]);

function optionRow(o: OptionResult, table: ResultTable, opts: FigureOptions, smallLabel: string, max: number, color: Token): TableRow {
  const count = countOf(o);
  const percent = percentOf(o);
  const suppressedLabel = o.reason === 'complementary' && opts.complementaryLabel ? opts.complementaryLabel : smallLabel;
  const cells: Cell[] = [
    { text: count === null ? suppressedLabel : formatCount(count), suppressed: count === null },
    { text: percent === null ? (count === null ? suppressedLabel : '–') : formatPercent(percent), suppressed: count === null, barHere: true },
  ];
  if (opts.weighted) cells.push(intervalCell(o, count === null ? suppressedLabel : percent === null ? '–' : null));
  return {
    code: o.code,
    label: o.label,
    cells,
    bar: percent === null ? null : Math.round(Math.min(100, (100 * percent) / max) * 10) / 10,
    hasBar: percent !== null,
    barColor: color,
    filterHref: o.code ? opts.filterHref?.(table.id, o.code) : undefined,
  };
}

/** Bars of one table (single, multiple, derived variables), in the definition's order. */
function barsFigure(table: ResultTable, opts: FigureOptions, title = table.label, sortDesc = false): Figure {
  const suppressedLabel = t.suppressed(opts.minGroupSize);
  const options = sortDesc ? [...table.options].sort((a, b) => (countOf(b) ?? -1) - (countOf(a) ?? -1)) : table.options;
  const values = options.map(percentOf);
  const max = axisMax(values, table.multiple ? 100 : 100);
  return {
    id: table.id,
    title,
    base: baseText(table, opts),
    note: table.multiple ? t.multipleNote : undefined,
    chart: {
      kind: 'bars',
      title,
      base: baseText(table, opts),
      labels: options.map((o) => o.label),
      datasets: [{ label: opts.weighted ? fr.weighted.percent : t.percent, values, counts: options.map(countOf), color: '--data-1' }],
      max,
      suppressedLabel,
    },
    columns: barColumns(opts),
    rows: options.map((o) => optionRow(o, table, opts, suppressedLabel, max, '--data-1')),
  };
}

/** Long lists: the TOP_N largest, then « Autres (k) », and the whole list folded below. */
function topFigure(table: ResultTable, opts: FigureOptions, title = table.label): Figure {
  const suppressedLabel = t.suppressed(opts.minGroupSize);
  const sorted = [...table.options].sort((a, b) => (countOf(b) ?? -1) - (countOf(a) ?? -1));
  const top = sorted.slice(0, TOP_N);
  const rest = sorted.slice(TOP_N);
  // One answer per respondent: « autres » is the base minus the top entries, exact even when some
  // small entries are hidden (it is derivable from the figures shown anyway).
  const topKnown = top.every((o) => countOf(o) !== null);
  const othersCount = rest.length && topKnown && !table.multiple && table.base !== null ? table.base - top.reduce((a, o) => a + (countOf(o) ?? 0), 0) : null;
  // Weighted: « autres » is a weighted share too (the base's weights minus those of the top entries).
  const othersWeight = opts.weighted && othersCount !== null && table.weightedBase ? table.weightedBase - top.reduce((a, o) => a + (o.weightedCount ?? 0), 0) : null;
  const othersPercent =
    othersCount === null || !table.base
      ? null
      : opts.weighted
        ? othersWeight === null
          ? null
          : Math.round((1000 * othersWeight) / table.weightedBase!) / 10
        : Math.round((1000 * othersCount) / table.base) / 10;
  const othersLabel = t.others(formatCount(rest.length));
  const labels = [...top.map((o) => o.label), ...(rest.length ? [othersLabel] : [])];
  // « Autres » much larger than the top entry would squash them into slivers: its share is then
  // written in its row instead of drawn, and the axis fits the top entries.
  const topShare = percentOf(top[0]) ?? 0;
  const othersDrawn = othersPercent === null || othersPercent <= 2 * topShare;
  const values = [...top.map(percentOf), ...(rest.length ? [othersDrawn ? othersPercent : null] : [])];
  const counts = [...top.map(countOf), ...(rest.length ? [othersCount] : [])];
  const notes = [...top.map(() => null), ...(rest.length ? [othersDrawn ? null : t.offScale(formatPercent(othersPercent), formatCount(othersCount))] : [])];
  const max = axisMax(values);
  const colors: Token[] = [...top.map((): Token => '--data-1'), ...(rest.length ? (['--data-muted'] as Token[]) : [])];
  const rows = top.map((o) => optionRow(o, table, opts, suppressedLabel, max, '--data-1'));
  if (rest.length) {
    rows.push({
      code: '',
      label: othersLabel,
      cells: [
        { text: othersCount === null ? '–' : formatCount(othersCount), suppressed: false },
        { text: formatPercent(othersPercent), suppressed: false, barHere: true },
        ...(opts.weighted ? [{ text: '–', suppressed: false }] : []),
      ],
      bar: othersPercent === null ? null : Math.round(Math.min(100, (100 * othersPercent) / max) * 10) / 10,
      hasBar: othersPercent !== null && othersDrawn,
      barColor: '--data-muted',
      isOther: true,
    });
  }
  const fullMax = axisMax(sorted.map(percentOf));
  return {
    id: table.id,
    title,
    base: baseText(table, opts),
    note: rest.length ? t.topNote(TOP_N, t.othersLabel) : undefined,
    chart: { kind: 'top', title, base: baseText(table, opts), labels, datasets: [{ label: opts.weighted ? fr.weighted.percent : t.percent, values, counts, color: colors, notes }], max, suppressedLabel },
    columns: barColumns(opts),
    rows,
    fullRows: rest.length ? sorted.map((o) => optionRow(o, table, opts, suppressedLabel, fullMax, '--data-1')) : undefined,
  };
}

/** « Je ne sais pas », « ne sait pas », « nsp »: drawn apart from the agreement scale. */
const isDontKnow = (o: { code: string; label: string }) => /^(nsp|ne_sait_pas|ns)$/.test(o.code) || /ne sai[st] pas/i.test(o.label);

const DIVERGING_NEG: Token[] = ['--diverging-neg-2', '--diverging-neg-1'];
const DIVERGING_POS: Token[] = ['--diverging-pos-1', '--diverging-pos-2'];

/**
 * Scale colours and sides. The definition lists a scale from the most positive answer to the most
 * negative one (« D’accord » … « Pas d’accord »); a middle answer of an odd scale is neutral and
 * split half on each side, as survey reports draw Likert items.
 */
export function scaleSides(scale: { code: string; label: string }[]) {
  const ordered = scale.filter((s) => !isDontKnow(s));
  const half = Math.floor(ordered.length / 2);
  const positive = ordered.slice(0, half);
  const negative = ordered.slice(ordered.length - half);
  const neutral = ordered.length % 2 ? ordered[half] : undefined;
  const shade = (list: Token[], i: number, n: number) => list[n <= 1 ? list.length - 1 : Math.round((i * (list.length - 1)) / (n - 1))];
  return {
    // Left to right: most negative … least negative, neutral, least positive … most positive.
    negative: [...negative].reverse().map((s, i) => ({ ...s, color: shade(DIVERGING_NEG, i, negative.length) })),
    neutral: neutral ? { ...neutral, color: '--diverging-neutral' as Token } : undefined,
    positive: [...positive].reverse().map((s, i) => ({ ...s, color: shade(DIVERGING_POS, i, positive.length) })),
    apart: scale.filter(isDontKnow).map((s) => ({ ...s, color: '--data-muted' as Token })),
  };
}

/** An agreement grid: one diverging stacked chart, one row per statement, one table. */
function gridFigure(question: Extract<Question, { type: 'grid' }>, qr: QuestionResult, opts: FigureOptions): Figure {
  const suppressedLabel = t.suppressed(opts.minGroupSize);
  const tables = new Map(qr.tables.map((x) => [x.id, x]));
  const items = question.items.map((item) => ({ item, table: tables.get(sub(question.id, item.id))! })).filter((x) => x.table);
  const sides = scaleSides(question.scale);
  const cell = (table: ResultTable, code: string) => table.options.find((o) => o.code === code)!;
  const datasets: ChartDataset[] = [];
  const push = (s: { code: string; label: string; color: Token }, side: ChartDataset['side'], sign: number, factor = 1) => {
    datasets.push({
      label: s.label,
      side,
      color: s.color,
      values: items.map(({ table }) => {
        const p = percentOf(cell(table, s.code));
        return p === null ? null : Math.round(sign * factor * p * 10) / 10;
      }),
      counts: items.map(({ table }) => countOf(cell(table, s.code))),
    });
  };
  for (const s of sides.negative) push(s, 'negative', -1);
  if (sides.neutral) {
    push(sides.neutral, 'negative', -1, 0.5);
    push(sides.neutral, 'positive', 1, 0.5);
  }
  for (const s of sides.positive) push(s, 'positive', 1);
  for (const s of sides.apart) push(s, 'apart', 1);
  const sideTotal = (side: 'negative' | 'positive') =>
    items.map((_, i) => datasets.filter((d) => d.side === side).reduce((a, d) => a + Math.abs(d.values[i] ?? 0), 0));
  const max = axisMax([...sideTotal('negative'), ...sideTotal('positive')]);
  const apartMax = axisMax(items.map((_, i) => datasets.filter((d) => d.side === 'apart').reduce((a, d) => a + (d.values[i] ?? 0), 0)));
  const bases = items.map((x) => x.table.base).filter((b): b is number => b !== null);
  const lo = Math.min(...bases);
  const hi = Math.max(...bases);
  const base = !bases.length
    ? t.baseHidden
    : opts.weighted
      ? lo === hi
        ? fr.weighted.basePlain(formatCount(lo))
        : fr.weighted.baseRange(formatCount(lo), formatCount(hi))
      : lo === hi
        ? t.baseRespondents(formatCount(lo))
        : t.baseRange(formatCount(lo), formatCount(hi));
  // The table: one row per statement, the scale in the definition's order, then the base.
  const scale = question.scale;
  return {
    id: question.id,
    title: question.label,
    base,
    note: t.gridNote,
    chart: {
      kind: 'diverging',
      title: question.label,
      base,
      labels: items.map((x) => x.item.label),
      datasets,
      max,
      apartMax: sides.apart.length ? apartMax : undefined,
      suppressedLabel,
    },
    columns: [t.statement, ...scale.map((s) => s.label), t.base],
    rows: items.map(({ item, table }) => ({
      code: item.id,
      label: item.label,
      cells: [
        ...scale.map((s) => {
          const o = cell(table, s.code);
          const p = percentOf(o);
          return { text: p === null ? (countOf(o) === null ? suppressedLabel : '–') : formatPercent(p), suppressed: countOf(o) === null };
        }),
        { text: table.base === null ? suppressedLabel : formatCount(table.base), suppressed: table.base === null },
      ],
      bar: null,
    })),
  };
}

const RANK_COLORS: Token[] = ['--rank-1', '--rank-2', '--rank-3'];

/** A ranking: 1st, 2nd, 3rd… choice stacked per option, options sorted by their top-N share. */
function rankingFigure(question: Extract<Question, { type: 'ranking' }>, qr: QuestionResult, opts: FigureOptions): Figure {
  const suppressedLabel = t.suppressed(opts.minGroupSize);
  const byId = new Map(qr.tables.map((x) => [x.id, x]));
  const ranks = Array.from({ length: question.picks }, (_, i) => byId.get(sub(question.id, `rang${i + 1}`))).filter((x): x is ResultTable => Boolean(x));
  const top = byId.get(sub(question.id, `top${question.picks}`));
  const first = ranks[0];
  const cell = (table: ResultTable | undefined, code: string) => table?.options.find((o) => o.code === code);
  const order = [...question.options].sort((a, b) => {
    const pa = cell(top, a.code);
    const pb = cell(top, b.code);
    return (pb ? (countOf(pb) ?? -1) : 0) - (pa ? (countOf(pa) ?? -1) : 0);
  });
  const datasets: ChartDataset[] = ranks.map((table, i) => ({
    label: fr.resultsEngine.derived.nthRank(i + 1),
    color: RANK_COLORS[Math.min(i, RANK_COLORS.length - 1)],
    values: order.map((o) => {
      const c = cell(table, o.code);
      return c ? percentOf(c) : null;
    }),
    counts: order.map((o) => {
      const c = cell(table, o.code);
      return c ? countOf(c) : null;
    }),
  }));
  const max = axisMax(order.map((o) => (cell(top, o.code) ? percentOf(cell(top, o.code)!) : null)));
  const base = first ? baseText(first, opts) : '';
  return {
    id: question.id,
    title: question.label,
    base,
    note: t.rankNote(question.picks),
    chart: {
      kind: 'ranking',
      title: question.label,
      base,
      labels: order.map((o) => o.label),
      datasets,
      max,
      totals: order.map((o) => (cell(top, o.code) ? percentOf(cell(top, o.code)!) : null)),
      suppressedLabel,
    },
    columns: [t.option, ...ranks.map((_, i) => fr.resultsEngine.derived.nthRank(i + 1)), t.totalRanked(question.picks)],
    rows: order.map((o) => {
      const topCell = cell(top, o.code);
      const topP = topCell ? percentOf(topCell) : null;
      return {
        code: o.code,
        label: o.label,
        cells: [
          ...ranks.map((table) => {
            const c = cell(table, o.code)!;
            const p = percentOf(c);
            return { text: p === null ? suppressedLabel : formatPercent(p), suppressed: p === null };
          }),
          { text: topP === null ? suppressedLabel : formatPercent(topP), suppressed: topP === null },
        ],
        bar: null,
        filterHref: opts.filterHref?.(question.id, o.code),
      };
    }),
  };
}

/** A recode (bars in its groups' order) or a theme set (bars sorted, with the coding progress). */
function derivedFigure(table: ResultTable, qr: QuestionResult, opts: FigureOptions): Figure {
  const d = fr.derived;
  if (table.derived?.kind === 'theme') {
    const f = barsFigure(table, opts, table.label, true);
    const coded = table.derived.coded;
    return { ...f, note: d.themeNote(formatCount(coded), formatCount(table.base)) };
  }
  const source = qr.tables.find((x) => x.id === table.derived?.source)?.label ?? qr.label;
  return { ...barsFigure(table, opts), note: d.recodeNote(source) };
}

export type QuestionView = {
  id: string;
  label: string;
  type: Question['type'];
  isText: boolean;
  stats?: { count: string; mean: string; median: string; meanLabel: string; medianLabel: string };
  figures: Figure[];
};

/** The figures of one question. */
export function questionFigures(question: Question, all: QuestionResult, opts: FigureOptions = {}): QuestionView {
  const figures: Figure[] = [];
  // The analysts' derived variables (recodes, themes) come after the question's own figures.
  const qr = { ...all, tables: all.tables.filter((x) => !x.derived) };
  switch (question.type) {
    case 'grid':
      figures.push(gridFigure(question, qr, opts));
      break;
    case 'ranking':
      figures.push(rankingFigure(question, qr, opts));
      break;
    case 'integer':
      // The per-value table is long and sparse: the age groups say it better; without groups,
      // the values are drawn as bars and their table starts folded.
      for (const table of qr.tables.length > 1 ? qr.tables.slice(1) : qr.tables) {
        const f = barsFigure(table, opts, qr.tables.length > 1 ? table.label : question.label);
        figures.push(qr.tables.length > 1 ? f : { ...f, folded: true });
      }
      break;
    case 'commune':
      for (const table of qr.tables) figures.push(table.options.length > LONG_LIST ? topFigure(table, opts) : barsFigure(table, opts, table.label, table.id === question.id));
      break;
    case 'multiple':
      for (const table of qr.tables) figures.push(table.options.length > LONG_LIST ? topFigure(table, opts) : barsFigure(table, opts, table.label, true));
      break;
    case 'single':
      for (const table of qr.tables) figures.push(table.options.length > LONG_LIST ? topFigure(table, opts) : barsFigure(table, opts));
      break;
    case 'text':
    case 'longtext': {
      // Free text: how many wrote something, as a table without a chart.
      const table = qr.tables[0];
      const suppressedLabel = t.suppressed(opts.minGroupSize);
      figures.push({
        id: table.id,
        title: question.label,
        base:
          table.base === null
            ? t.baseHidden
            : opts.weighted
              ? fr.weighted.baseResponses(formatCount(table.base), table.effectiveBase == null ? '–' : decimalFmt.format(table.effectiveBase))
              : t.baseResponses(formatCount(table.base)),
        columns: opts.weighted ? [t.textAnswers, fr.weighted.count, fr.weighted.percent, fr.weighted.interval] : [t.textAnswers, t.count, t.percent],
        rows: table.options.map((o) => ({ ...optionRow(o, table, { weighted: opts.weighted }, suppressedLabel, 100, '--data-1') })),
      });
      break;
    }
  }
  for (const table of all.tables) if (table.derived) figures.push(derivedFigure(table, all, opts));
  return {
    id: qr.id,
    label: qr.label,
    type: qr.type,
    isText: question.type === 'text' || question.type === 'longtext',
    stats: qr.stats
      ? {
          count: qr.stats.count === null ? t.suppressed(opts.minGroupSize) : formatCount(qr.stats.count),
          mean: qr.stats.mean === null ? '–' : pctFmt.format(qr.stats.mean),
          median: qr.stats.median === null ? '–' : String(qr.stats.median).replace('.', ','),
          meanLabel: opts.weighted ? fr.weighted.mean : t.mean,
          medianLabel: opts.weighted ? fr.weighted.median : t.median,
        }
      : undefined,
    figures,
  };
}
