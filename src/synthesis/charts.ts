import type { ChartSpec, Token } from '../results/figures.js';
import { formatCount, formatPercent } from '../results/figures.js';

// Charts of the synthesis, drawn on the server as SVG: they print sharply at any zoom, need no
// script, and read in black and white (every bar carries its value as text, segments are
// separated by white rules, colours go from dark to light). Colours are classes (« f-data-1 »)
// that public/css/synthesis.css maps to the design system's tokens; no colour is written here,
// and no style attribute either (the Content-Security-Policy forbids inline styles).
//
// Sizes are in SVG units on a 640-unit-wide drawing, printed 180 mm wide: a font size of 10.5
// prints at about 8 pt. Text widths are estimated (no font metrics on the server): labels are
// wrapped at a character count that fits their column with room to spare.

export const WIDTH = 640;
const FONT = 10.5;
const LINE = 12.5;
/** Average advance of a character of the system sans-serif, in em (generous). */
const CHAR_EM = 0.54;

export type Svg = string;

export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A token of the design system as a fill class: --data-1 → f-data-1. */
export const fillClass = (token: Token) => `f-${token.slice(2)}`;

/** Words wrapped into lines of at most `max` characters (a longer word gets its own line), at most `maxLines` (the last ends with « … »). */
export function wrap(text: string, max: number, maxLines = 3): string[] {
  const words = text.split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let cur = '';
  for (const w of words) {
    if (!cur) cur = w;
    else if (cur.length + 1 + w.length <= max) cur += ` ${w}`;
    else {
      lines.push(cur);
      cur = w;
    }
  }
  if (cur) lines.push(cur);
  if (lines.length > maxLines) {
    const kept = lines.slice(0, maxLines);
    kept[maxLines - 1] = `${kept[maxLines - 1].replace(/[\s,;:.]+$/, '')}…`;
    return kept;
  }
  return lines.length ? lines : [''];
}

const charsFor = (width: number, size = FONT) => Math.max(8, Math.floor(width / (size * CHAR_EM)));
const r1 = (x: number) => Math.round(x * 10) / 10;

function text(x: number, y: number, s: string, cls: string, anchor: 'start' | 'middle' | 'end' = 'start'): string {
  return `<text x="${r1(x)}" y="${r1(y)}" class="${cls}"${anchor === 'start' ? '' : ` text-anchor="${anchor}"`}>${esc(s)}</text>`;
}

function multiline(x: number, yMid: number, lines: string[], cls: string, anchor: 'start' | 'end' = 'end'): string {
  const top = yMid - ((lines.length - 1) * LINE) / 2 + FONT * 0.35;
  return lines.map((l, i) => text(x, top + i * LINE, l, cls, anchor)).join('');
}

function rect(x: number, y: number, w: number, h: number, cls: string): string {
  if (w <= 0 || h <= 0) return '';
  return `<rect x="${r1(x)}" y="${r1(y)}" width="${r1(w)}" height="${r1(h)}" class="${cls}"/>`;
}

function frame(height: number, title: string, body: string): Svg {
  return `<svg class="syn-svg" viewBox="0 0 ${WIDTH} ${Math.ceil(height)}" width="100%" role="img" aria-label="${esc(title)}" xmlns="http://www.w3.org/2000/svg">${body}</svg>`;
}

/** Fills on which a value is written in white (the dark end of each scale). */
const DARK = new Set(['--data-1', '--diverging-neg-2', '--diverging-pos-2', '--rank-1', '--rank-2', '--print-cat-1', '--print-cat-2', '--print-cat-3', '--data-3']);
const onFill = (token: Token) => (DARK.has(token) ? 'v-in v-light' : 'v-in');

const pctShort = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 0 });

export type BarRow = { label: string; value: number | null; count: number | null; color: Token; note?: string | null };

/**
 * Horizontal bars, one per row, labels on the left, the value (and the count) at the end of each
 * bar on a light track: the dashboard's bars, for paper.
 */
export function barsSvg(title: string, rows: BarRow[], max: number, opts: { suppressedLabel: string; labelWidth?: number } = { suppressedLabel: '' }): Svg {
  const labelW = opts.labelWidth ?? 250;
  const x0 = labelW + 10;
  const valueRoom = 92;
  const plotW = WIDTH - x0 - valueRoom;
  const chars = charsFor(labelW);
  let y = 4;
  const parts: string[] = [];
  for (const r of rows) {
    const lines = wrap(r.label, chars);
    const h = Math.max(22, lines.length * LINE + 9);
    const mid = y + h / 2;
    parts.push(multiline(labelW, mid, lines, 'lbl'));
    parts.push(rect(x0, mid - 6.5, plotW, 13, 'track'));
    if (r.value !== null) {
      const w = Math.max(r.value > 0 ? 1.5 : 0, (plotW * Math.min(r.value, max)) / max);
      parts.push(rect(x0, mid - 6.5, w, 13, fillClass(r.color)));
      const label = `${formatPercent(r.value)}`;
      parts.push(`<text x="${r1(x0 + w + 5)}" y="${r1(mid + FONT * 0.35)}" class="val">${esc(label)}${r.count === null ? '' : `<tspan class="cnt" dx="5">${esc(formatCount(r.count))}</tspan>`}</text>`);
    } else {
      parts.push(text(x0 + 5, mid + FONT * 0.35, r.note ?? opts.suppressedLabel, 'note'));
    }
    y += h;
  }
  parts.push(`<line x1="${x0}" y1="2" x2="${x0}" y2="${r1(y + 2)}" class="axis"/>`);
  return frame(y + 6, title, parts.join(''));
}

/** The dashboard's chart spec of a figure, drawn as SVG (bars, long lists, grids, rankings). */
export function chartSvg(spec: ChartSpec): Svg {
  if (spec.kind === 'diverging') return divergingSvg(spec);
  if (spec.kind === 'ranking') return rankingSvg(spec);
  const d = spec.datasets[0];
  const rows: BarRow[] = spec.labels.map((label, i) => ({
    label,
    value: d.values[i],
    count: d.counts[i],
    color: Array.isArray(d.color) ? d.color[i] : d.color,
    note: d.notes?.[i],
  }));
  return barsSvg(spec.title, rows, spec.max, { suppressedLabel: spec.suppressedLabel });
}

/**
 * An agreement grid as survey reports draw it: disagreement to the left of a centre line,
 * agreement to the right, the neutral answer split on both sides, « ne sait pas » on its own
 * scale at the far right; each side's total written at its end.
 */
function divergingSvg(spec: ChartSpec): Svg {
  const labelW = 200;
  const apart = spec.datasets.filter((d) => d.side === 'apart');
  const apartW = apart.length ? 70 : 0;
  const plotX0 = labelW + 40;
  const plotX1 = WIDTH - apartW - 40;
  const cx = (plotX0 + plotX1) / 2;
  const half = (plotX1 - plotX0) / 2;
  const scale = (v: number) => (half * Math.abs(v)) / spec.max;
  const chars = charsFor(labelW);
  const neg = spec.datasets.filter((d) => d.side === 'negative');
  const pos = spec.datasets.filter((d) => d.side === 'positive');
  const parts: string[] = [];
  let y = 16;
  if (apart.length) parts.push(text(WIDTH - apartW / 2, 10, apart.map((d) => d.label).join(', '), 'hdr', 'middle'));
  for (const [i, label] of spec.labels.entries()) {
    const lines = wrap(label, chars);
    const h = Math.max(26, lines.length * LINE + 10);
    const mid = y + h / 2;
    parts.push(multiline(labelW, mid, lines, 'lbl'));
    const segment = (x: number, w: number, token: Token, v: number | null, writeValue: boolean) => {
      parts.push(rect(x, mid - 8, w, 16, `${fillClass(token)} seg`));
      if (writeValue && v !== null && Math.abs(v) >= 7 && w > 16) parts.push(text(x + w / 2, mid + FONT * 0.35, pctShort.format(Math.abs(v)), onFill(token), 'middle'));
    };
    // Left side: from the centre outwards, the dataset nearest the centre first.
    let left = cx;
    let negTotal = 0;
    for (const d of [...neg].reverse()) {
      const v = d.values[i];
      if (v === null) continue;
      const w = scale(v);
      left -= w;
      negTotal += Math.abs(v);
      // The neutral answer is split in two halves: its value is written on neither (it is in the table).
      segment(left, w, d.color as Token, v, !neg.some((n) => n !== d && n.label === d.label) && !pos.some((p) => p.label === d.label));
    }
    let right = cx;
    let posTotal = 0;
    for (const d of pos) {
      const v = d.values[i];
      if (v === null) continue;
      const w = scale(v);
      segment(right, w, d.color as Token, v, !neg.some((n) => n.label === d.label));
      right += w;
      posTotal += Math.abs(v);
    }
    const allNull = [...neg, ...pos].every((d) => d.values[i] === null);
    if (allNull) parts.push(text(cx, mid + FONT * 0.35, spec.suppressedLabel, 'note', 'middle'));
    else {
      parts.push(text(left - 4, mid + FONT * 0.35, `${pctShort.format(negTotal)} %`, 'tot', 'end'));
      parts.push(text(right + 4, mid + FONT * 0.35, `${pctShort.format(posTotal)} %`, 'tot'));
    }
    if (apart.length) {
      const ax = WIDTH - apartW + 8;
      const aw = apartW - 36;
      let x = ax;
      let sum = 0;
      for (const d of apart) {
        const v = d.values[i];
        if (v === null) continue;
        const w = (aw * v) / (spec.apartMax || 100);
        parts.push(rect(x, mid - 8, w, 16, `${fillClass(d.color as Token)} seg`));
        x += w;
        sum += v;
      }
      parts.push(text(x + 3, mid + FONT * 0.35, `${pctShort.format(sum)} %`, 'tot'));
    }
    y += h;
  }
  parts.push(`<line x1="${r1(cx)}" y1="14" x2="${r1(cx)}" y2="${r1(y + 2)}" class="axis"/>`);
  return frame(y + 6, spec.title, parts.join(''));
}

/** A ranking: 1st, 2nd, 3rd choices stacked, the share ranked at all at the end of each bar. */
function rankingSvg(spec: ChartSpec): Svg {
  const labelW = 230;
  const x0 = labelW + 10;
  const plotW = WIDTH - x0 - 60;
  const chars = charsFor(labelW);
  const parts: string[] = [];
  let y = 4;
  for (const [i, label] of spec.labels.entries()) {
    const lines = wrap(label, chars);
    const h = Math.max(22, lines.length * LINE + 9);
    const mid = y + h / 2;
    parts.push(multiline(labelW, mid, lines, 'lbl'));
    let x = x0;
    for (const d of spec.datasets) {
      const v = d.values[i];
      if (v === null) continue;
      const w = (plotW * v) / spec.max;
      parts.push(rect(x, mid - 7, w, 14, `${fillClass(d.color as Token)} seg`));
      if (v >= 6 && w > 16) parts.push(text(x + w / 2, mid + FONT * 0.35, pctShort.format(v), onFill(d.color as Token), 'middle'));
      x += w;
    }
    const total = spec.totals?.[i];
    parts.push(text(x + 5, mid + FONT * 0.35, total === null || total === undefined ? spec.suppressedLabel : formatPercent(total), total === null ? 'note' : 'val'));
    y += h;
  }
  parts.push(`<line x1="${x0}" y1="2" x2="${x0}" y2="${r1(y + 2)}" class="axis"/>`);
  return frame(y + 6, spec.title, parts.join(''));
}

/** Columns over time (responses per day, week or month), a few labelled ticks, a light grid. */
export function columnsSvg(title: string, points: { label: string; n: number }[], opts: { tickEvery?: number } = {}): Svg {
  const H = 150;
  const left = 36;
  const bottom = H - 22;
  const top = 14;
  const plotW = WIDTH - left - 8;
  const maxN = Math.max(1, ...points.map((p) => p.n));
  const step = niceStep(maxN / 3);
  const yMax = Math.ceil(maxN / step) * step;
  const parts: string[] = [];
  for (let v = 0; v <= yMax; v += step) {
    const y = bottom - ((bottom - top) * v) / yMax;
    parts.push(`<line x1="${left}" y1="${r1(y)}" x2="${WIDTH - 8}" y2="${r1(y)}" class="grid"/>`);
    parts.push(text(left - 5, y + 3.5, formatCount(v), 'tick', 'end'));
  }
  const slot = plotW / Math.max(1, points.length);
  const barW = Math.max(1, Math.min(24, slot * 0.72));
  const every = opts.tickEvery ?? Math.max(1, Math.ceil(points.length / 8));
  points.forEach((p, i) => {
    const h = ((bottom - top) * p.n) / yMax;
    const x = left + i * slot + (slot - barW) / 2;
    parts.push(rect(x, bottom - h, barW, h, 'f-data-1'));
    // Few columns: each one's count written above it (read without the grid, in black and white).
    if (points.length <= 16 && p.n > 0) parts.push(text(x + barW / 2, bottom - h - 3, formatCount(p.n), 'tick', 'middle'));
    if (i % every === 0) parts.push(text(left + i * slot + slot / 2, H - 7, p.label, 'tick', 'middle'));
  });
  parts.push(`<line x1="${left}" y1="${bottom}" x2="${WIDTH - 8}" y2="${bottom}" class="axis"/>`);
  return frame(H, title, parts.join(''));
}

function niceStep(raw: number): number {
  const pow = 10 ** Math.floor(Math.log10(Math.max(1, raw)));
  const m = raw / pow;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * pow;
}

/** Categorical fills for the columns of a crosstab: dark to light, distinct in grey too. */
export const CATEGORY_TOKENS: Token[] = ['--print-cat-1', '--print-cat-2', '--print-cat-3', '--print-cat-4', '--print-cat-5', '--print-cat-6'];
export const categoryToken = (j: number, n: number): Token =>
  n <= CATEGORY_TOKENS.length ? CATEGORY_TOKENS[Math.round((j * (CATEGORY_TOKENS.length - 1)) / Math.max(1, n - 1))] : CATEGORY_TOKENS[j % CATEGORY_TOKENS.length];

export type CrossChartRow = { label: string; values: (number | null)[] };

/**
 * A crosstab: 100 % stacked bars (one per group, exclusive answers), or grouped bars (one group
 * of bars per answer, when answers are options of a multiple choice).
 */
export function crosstabSvg(title: string, rows: CrossChartRow[], cols: string[], stacked: boolean, hiddenLabel: string): Svg {
  const parts: string[] = [];
  if (stacked) {
    const labelW = 170;
    const x0 = labelW + 10;
    const plotW = WIDTH - x0 - 4;
    const chars = charsFor(labelW);
    let y = 4;
    for (const r of rows) {
      const lines = wrap(r.label, chars);
      const h = Math.max(26, lines.length * LINE + 10);
      const mid = y + h / 2;
      parts.push(multiline(labelW, mid, lines, 'lbl'));
      if (r.values.every((v) => v === null)) parts.push(text(x0 + 5, mid + FONT * 0.35, hiddenLabel, 'note'));
      let x = x0;
      r.values.forEach((v, j) => {
        if (v === null) return;
        const token = categoryToken(j, cols.length);
        const w = (plotW * v) / 100;
        parts.push(rect(x, mid - 9, w, 18, `${fillClass(token)} seg`));
        if (v >= 6 && w > 18) parts.push(text(x + w / 2, mid + FONT * 0.35, pctShort.format(v), onFill(token), 'middle'));
        x += w;
      });
      y += h;
    }
    return frame(y + 4, title, parts.join(''));
  }
  // Grouped: one block per column (answer), one thin bar per row (group).
  const labelW = 230;
  const x0 = labelW + 10;
  const plotW = WIDTH - x0 - 60;
  const chars = charsFor(labelW);
  const max = Math.max(10, ...rows.flatMap((r) => r.values.filter((v): v is number => v !== null)));
  const axis = Math.min(100, Math.ceil(max / 10) * 10);
  let y = 4;
  cols.forEach((c, j) => {
    const lines = wrap(c, chars);
    const barH = 9;
    const h = Math.max(lines.length * LINE + 6, rows.length * (barH + 3) + 8);
    const mid = y + h / 2;
    parts.push(multiline(labelW, mid, lines, 'lbl'));
    rows.forEach((r, i) => {
      const by = y + 4 + i * (barH + 3) + (h - 8 - rows.length * (barH + 3)) / 2;
      const v = r.values[j];
      const token = categoryToken(i, rows.length);
      // A hidden share: no bar (the table says « moins de K »).
      if (v === null) return;
      const w = (plotW * v) / axis;
      parts.push(rect(x0, by, w, barH, fillClass(token)));
      parts.push(text(x0 + w + 4, by + barH - 1, formatPercent(v), 'val small'));
    });
    y += h + 4;
  });
  parts.push(`<line x1="${x0}" y1="2" x2="${x0}" y2="${r1(y)}" class="axis"/>`);
  return frame(y + 4, title, parts.join(''));
}

export type PairRow = { label: string; first: number | null; second: number | null };

/**
 * Two bars per row (respondents against the population): the first dark, the second light, each
 * with its percentage; a row missing one is drawn with the other alone.
 */
export function pairedBarsSvg(title: string, rows: PairRow[], max: number, suppressedLabel: string): Svg {
  const labelW = 230;
  const x0 = labelW + 10;
  const plotW = WIDTH - x0 - 70;
  const chars = charsFor(labelW);
  const parts: string[] = [];
  let y = 4;
  for (const r of rows) {
    const lines = wrap(r.label, chars);
    const h = Math.max(lines.length * LINE + 8, 34);
    const mid = y + h / 2;
    parts.push(multiline(labelW, mid, lines, 'lbl'));
    const bar = (v: number | null, by: number, cls: string) => {
      if (v === null) return parts.push(text(x0 + 4, by + 9, suppressedLabel, 'note small'));
      const w = (plotW * Math.min(v, max)) / max;
      parts.push(rect(x0, by, w, 11, cls));
      parts.push(text(x0 + w + 4, by + 9, formatPercent(v), 'val small'));
    };
    bar(r.first, mid - 12, 'f-print-cat-2');
    bar(r.second, mid + 1, 'f-print-cat-4');
    y += h;
  }
  parts.push(`<line x1="${x0}" y1="2" x2="${x0}" y2="${r1(y + 2)}" class="axis"/>`);
  return frame(y + 6, title, parts.join(''));
}
