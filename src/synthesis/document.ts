import Handlebars from 'handlebars';
import type { Campaign } from '../campaign/campaign.js';
import type { Db } from '../db/connection.js';
import { frenchDateTime, frenchDay } from '../dates/french.js';
import type { Question, Questionnaire } from '../questionnaire/schema.js';
import { textSources } from '../analysis/freeText.js';
import { completionFunnel, computeResults, type PublishedResults, type Results } from '../results/aggregate.js';
import { displayResults, weightedNotice } from '../results/weightedView.js';
import { crossVariables, crosstab, readCrosstab, type Crosstab } from '../results/crosstab.js';
import { formatCount, formatPercent, questionFigures, type Figure, type Token } from '../results/figures.js';
import { NO_CHANNEL, type Filter } from '../results/filters.js';
import { filterWords } from '../results/filterWords.js';
import { participation } from '../results/participation.js';
import { buildTimeline, shortFrenchDate, weekStart } from '../results/timeline.js';
import { isSmall, suppressGroup, type CellStatus } from '../privacy/disclosure.js';
import { protectResults } from '../privacy/results.js';
import { selectionWithheld } from '../privacy/disclosure.js';
import { fr } from '../strings.js';
import type { Territory } from '../territory/communes.js';
import type { Activity } from '../workshops/activities.js';
import { surveyComparison } from '../workshops/comparison.js';
import { screenResults } from '../workshops/live.js';
import type { WorkshopStore } from '../workshops/store.js';
import { barsSvg, chartSvg, columnsSvg, crosstabSvg, categoryToken, fillClass, pairedBarsSvg, type BarRow, type PairRow } from './charts.js';
import { compare } from '../weights/representativeness.js';
import type { SynthesisSettings } from './settings.js';
import { answerScreenerFor, themeShares, type Screener } from './themes.js';

// The synthesis as plain data for views/synthesis/document.hbs: a cover, then numbered sections
// (participation, profile, questions, themes, crosstabs, workshops, method). Every figure has a
// number, a title, its chart (SVG made here) and a foot line with its base; the figures are the
// dashboard's (src/results/figures.ts) through disclosure control: the document leaves the team,
// so no figure on fewer than K people is printed, as for any viewer who is not an analyst.

const s = fr.synthesis;
/**
 * Height (mm) a grouped crosstab's chart and table may take on an A4 page (about 258 mm of text
 * height, less its title, legend and foot): beyond it, only the table is printed.
 */
export const MAX_GROUPED_MM = 200;
/** Estimated print height of a grouped crosstab: its chart (charts.ts units, 0.28 mm each) and table rows. */
export const groupedHeightMm = (groups: number, options: number) => options * (groups * 12 + 12) * 0.28 + (options + 2) * 5.5;
const int = new Intl.NumberFormat('fr-FR');

export type SynthesisInput = {
  db: Db;
  q: Questionnaire;
  filter: Filter;
  settings: SynthesisSettings;
  campaign: Campaign;
  territory: Territory;
  workshops: WorkshopStore;
  minGroupSize: number;
  now: Date;
  screener?: Screener;
};

type LegendItem = { cls: string; label: string };
type TableView = { columns: string[]; rows: { label: string; cells: { text: string; muted: boolean }[] }[] };
export type FigureView = {
  number: number;
  kicker: string;
  foot: string;
  title: string;
  subtitle?: string;
  svg?: Handlebars.SafeString;
  base: string;
  note?: string;
  legend?: LegendItem[];
  table?: TableView;
  readings?: string[];
};

/**
 * Disclosure control for paper: each table through the privacy module's rules with its own base
 * as the selection. The document prints each table's options and base, not the « sans réponse »
 * of each question, so that cell is not one the reader can see: a question skipped by three
 * people does not hide its whole table, while every option of 1 to K−1 people is « moins de K »
 * and complements are hidden so that it cannot be recomputed from the base.
 */
export function protectForPrint(results: Results, k: number): PublishedResults {
  // Too few responses, or weighted results not up to date: what the privacy module says for the whole.
  if (selectionWithheld(results.responses, k) || (results.weighting?.unweighted ?? 0) > 0) return protectResults(results, k);
  return {
    ...results,
    questions: results.questions.map((qr) => {
      const tables = qr.tables.map((t) => {
        const one = protectResults({ ...results, responses: t.base, questions: [{ ...qr, tables: [t], stats: undefined }] }, k).questions[0]?.tables[0];
        // A base under K: the whole table is hidden.
        return one ?? { ...t, base: null, options: t.options.map((o) => ({ ...o, count: null, percent: null, suppressed: true as const, reason: 'small' as const })) };
      });
      return { ...qr, tables, stats: undefined };
    }),
    disclosure: { audience: 'protected', minGroupSize: k },
  };
}

/** Numbers the figures of the document in reading order. */
function numberer() {
  let n = 0;
  return (f: Omit<FigureView, 'number' | 'kicker' | 'foot'>): FigureView => {
    n += 1;
    return { ...f, number: n, kicker: s.figure(n), foot: s.figureFoot(n) };
  };
}

const svg = (markup: string) => new Handlebars.SafeString(markup);

/** A figure of the dashboard (one question's chart) for paper. */
function paperFigure(f: Figure, next: ReturnType<typeof numberer>): FigureView | null {
  if (!f.chart) return null;
  const spec = f.chart;
  let legend: LegendItem[] | undefined;
  let table: TableView | undefined;
  if (spec.kind === 'diverging' || spec.kind === 'ranking') {
    const seen = new Set<string>();
    legend = spec.datasets
      .filter((d) => !seen.has(d.label) && seen.add(d.label))
      .map((d) => ({ cls: fillClass((Array.isArray(d.color) ? d.color[0] : d.color) as Token), label: d.label }));
  }
  if (spec.kind === 'diverging') {
    // The percentages of every answer of the scale, in the definition's order.
    table = {
      columns: f.columns,
      rows: f.rows.map((r) => ({ label: r.label, cells: r.cells.map((c) => ({ text: c.text, muted: c.suppressed })) })),
    };
  }
  const note = spec.kind === 'diverging' ? s.gridNote : f.note;
  return next({ title: f.title, svg: svg(chartSvg(spec)), base: f.base, note, legend, table });
}

function questionPaperFigures(q: Questionnaire, results: PublishedResults, ids: string[], k: number, next: ReturnType<typeof numberer>, weighted = false): FigureView[] {
  const byId = new Map(q.sections.flatMap((x) => x.questions).map((x) => [x.id, x] as const));
  const out: FigureView[] = [];
  for (const id of ids) {
    const qr = results.questions.find((x) => x.id === id);
    const question = byId.get(id);
    if (!qr || !question) continue;
    const view = questionFigures(question as Question, qr as never, { minGroupSize: k, complementaryLabel: fr.disclosure.complementary, weighted });
    for (const f of view.figures) {
      // Communes: a hundred small places, mostly « moins de K »; the intercommunalities say it on paper.
      if (question.type === 'commune' && f.id === question.id) continue;
      const pf = paperFigure(f, next);
      if (pf) out.push(pf);
    }
  }
  return out;
}

/**
 * A crosstab for paper. The table prints each group's size and its shares (not the columns'
 * totals): each row is a group whose total the reader knows, so each row goes through the privacy
 * module's suppression on its own (cells of 1 to K−1 people, and a complement when needed).
 */
function crosstabFigure(ct: Crosstab, k: number, next: ReturnType<typeof numberer>): FigureView {
  const alongRow = !ct.row.multiple;
  const rowIdx = ct.rows.map((_, i) => i).filter((i) => ct.rowTotals[i].count > 0);
  const colIdx = ct.cols.map((_, j) => j).filter((j) => ct.colTotals[j].count > 0);
  const rowSmall = rowIdx.map((i) => isSmall(ct.rowTotals[i].count, k));
  // Exclusive answers: a row is a partition of its group. Options of a multiple choice: each cell
  // is a yes / no split of its group on its own.
  const partition = !ct.row.multiple && !ct.col.multiple;
  const status: CellStatus[][] = rowIdx.map((i, a) =>
    rowSmall[a]
      ? colIdx.map(() => 'small' as CellStatus)
      : partition
        ? suppressGroup(colIdx.map((j) => ct.cells[i][j].count), k)
        : colIdx.map((j) => {
            const n = ct.cells[i][j].count;
            const group = ct.row.multiple ? ct.colTotals[j].count : ct.rowTotals[i].count;
            return suppressGroup([n, group - n], k)[0];
          }),
  );
  const shown = (a: number, b: number) => status[a][b] === 'shown';
  const share = (a: number, b: number) => {
    const c = ct.cells[rowIdx[a]][colIdx[b]];
    return (alongRow ? c.rowShare : c.colShare).percent;
  };
  const stacked = alongRow && !ct.col.multiple;
  const cols = colIdx.map((j) => ct.cols[j].label);
  // Groups with half their cells hidden say nothing on paper: named in a note, not drawn.
  const kept = rowIdx.map((_, a) => a).filter((a) => !rowSmall[a] && status[a].filter((x) => x !== 'shown').length * 2 <= status[a].length);
  const left = rowIdx.map((_, a) => a).filter((a) => !kept.includes(a));
  const groupSize = (a: number) => (rowSmall[a] ? fr.disclosure.small(k) : formatCount(ct.rowTotals[rowIdx[a]].count));
  // A 100 % bar with a hole would mislead: a group with a hidden cell is drawn as a note (its
  // shown shares stay in the table).
  const rows = kept.map((a) => ({
    label: ct.rows[rowIdx[a]].label,
    values: stacked && status[a].some((x) => x !== 'shown') ? colIdx.map(() => null) : colIdx.map((_, b) => (shown(a, b) ? share(a, b) : null)),
  }));
  const anyHidden = status.some((r) => r.some((x) => x !== 'shown'));
  const hiddenLabel = (a: number, b: number) => (status[a][b] === 'small' ? fr.disclosure.small(k) : fr.disclosure.complementary);
  const cellOf = (a: number, b: number) => (shown(a, b) ? { text: formatPercent(share(a, b)), muted: false } : { text: hiddenLabel(a, b), muted: true });
  // Exclusive answers: one row per group. Options of a multiple choice: one row per option and
  // one column per group (long option labels read better down a column).
  const table: TableView = stacked || !alongRow
    ? {
        columns: [ct.row.label, ...cols, s.crosstabTotal],
        rows: kept.map((a) => ({ label: ct.rows[rowIdx[a]].label, cells: [...colIdx.map((_, b) => cellOf(a, b)), { text: groupSize(a), muted: false }] })),
      }
    : {
        columns: [ct.col.label, ...kept.map((a) => ct.rows[rowIdx[a]].label)],
        rows: [
          ...colIdx.map((_, b) => ({ label: cols[b], cells: kept.map((a) => cellOf(a, b)) })),
          { label: s.crosstabTotal, cells: kept.map((a) => ({ text: groupSize(a), muted: false })) },
        ],
      };
  const leftOut = left.length ? s.crosstabLeftOut(left.map((a) => `${ct.rows[rowIdx[a]].label} (${groupSize(a)})`).join(', ')) : undefined;
  // Grouped bars of many groups × many options would not fit a page nor be read: the table alone.
  const drawn = stacked || groupedHeightMm(rows.length, cols.length) <= MAX_GROUPED_MM;
  // The test's sentences always; the ratio sentences quote both groups' shares: only when none is hidden.
  const testLines = ct.test ? (ct.test.minExpected < 5 ? 2 : 1) : 0;
  const readings = readCrosstab(ct).filter((_, n) => n < testLines || !anyHidden);
  return next({
    title: ct.col.label,
    subtitle: s.crosstabBy(ct.row.label),
    svg: drawn ? svg(crosstabSvg(ct.col.label, rows, cols, stacked, s.crosstabHiddenBar(k))) : undefined,
    base: s.crosstabBase(int.format(ct.base)),
    note: [alongRow ? (ct.col.multiple ? s.crosstabRowTicked : s.crosstabRowShare) : s.crosstabColShare, leftOut].filter(Boolean).join(' · '),
    legend: !drawn
      ? undefined
      : stacked
        ? cols.map((label, j) => ({ cls: fillClass(categoryToken(j, cols.length)), label }))
        : rows.map((r, i) => ({ cls: fillClass(categoryToken(i, rows.length)), label: r.label })),
    table,
    readings,
  });
}

function workshopViews(store: WorkshopStore, survey: PublishedResults, next: ReturnType<typeof numberer>) {
  const all = [...store.list({ archived: false }), ...store.list({ archived: true })].filter((w) => w.participants > 0);
  return all.map((w) => {
    const activities = store.activities(w.id).map((a: Activity) => {
      // What a room's screen may show: moderation and personal-data masks applied.
      const results = screenResults(store.results(w.id, a));
      const base = { prompt: a.prompt, type: fr.workshops.types[a.type] };
      if (results.type === 'poll' || results.type === 'scale') {
        if (!results.answered) return { ...base, empty: s.workshopEmpty };
        const rows: BarRow[] = results.options.map((o) => ({ label: o.label, value: o.percent, count: o.count, color: '--data-2' as Token }));
        const comparison = surveyComparison(a, results, survey);
        return {
          ...base,
          figure: next({
            title: a.prompt,
            svg: svg(barsSvg(a.prompt, rows, 100, { suppressedLabel: '' })),
            base: `${s.workshopRoom} : ${s.workshopAnswered(int.format(results.answered))}`,
            table: comparison && {
              columns: [fr.results.answer, s.workshopRoom, s.workshopSurvey],
              rows: comparison.rows.map((r) => ({ label: r.label, cells: [{ text: r.room, muted: false }, { text: r.survey, muted: false }] })),
            },
            note: comparison?.label,
          }),
        };
      }
      if (results.type === 'word_cloud') {
        const entries = results.entries.slice(0, 20);
        if (!entries.length) return { ...base, empty: s.workshopEmpty };
        const max = Math.max(1, ...entries.map((e) => e.count));
        return {
          ...base,
          words: entries.map((e) => ({ text: e.text, count: int.format(e.count), size: 1 + Math.round((3 * (e.count - 1)) / Math.max(1, max - 1)) })),
          wordsBase: s.workshopAnswered(int.format(results.answered)),
        };
      }
      if (results.type !== 'idea_wall') return base;
      const ideas = [...results.ideas].sort((x, y) => y.votes - x.votes).slice(0, 6);
      if (!ideas.length) return { ...base, empty: s.workshopEmpty };
      return { ...base, ideas: ideas.map((i) => ({ text: i.text, theme: i.theme, votes: s.workshopVotes(i.votes) })) };
    });
    return {
      title: s.workshopTitle(w.title, w.day ? frenchDay(w.day, 'long') : '', w.place),
      participants: s.workshopParticipants(int.format(store.participants(w.id))),
      activities,
    };
  });
}

/** Everything the synthesis shows, for the current filters and the saved choices. */
export function buildSynthesis(input: SynthesisInput) {
  const { db, q, filter, settings, campaign, territory, minGroupSize: k, now } = input;
  const next = numberer();
  const communeName = (insee: string) => territory.byInsee.get(insee)?.name;
  const computed = computeResults(db, q, filter, { communeName });
  const printed = protectForPrint(computed, k);
  // Weighted (weighted=1): the charts show the weighted shares, the counts stay the respondents.
  const weighted = printed.weighted === true;
  const results = displayResults(printed);
  const responses = results.responses;
  const withheld = responses === null;
  // Too few responses (the document's wording), or weights not up to date (the privacy module's).
  const withheldText = selectionWithheld(computed.responses, k) ? s.withheld(k) : (printed.disclosure?.withheld ?? s.withheld(k));
  const base = withheld ? withheldText : s.baseResponses(formatCount(responses));
  const extracted = frenchDateTime(now, 'long');

  // Participation: days, channels, completion (figures of the whole selection, never of one person).
  const { perDay, perChannel } = participation(db, q, filter);
  const firstDay = perDay[0]?.day;
  const lastDay = perDay[perDay.length - 1]?.day;
  const period = firstDay && lastDay ? s.period(frenchDay(firstDay, 'long'), frenchDay(lastDay, 'long')) : s.noPeriod;
  const funnel = completionFunnel(db, q, { channels: filter.channels, from: filter.from, to: filter.to });
  const started = funnel[0]?.count ?? 0;
  const complete = perDay.reduce((a, d) => a + d.n, 0);
  const channelLabels = new Map(campaign.channels.map((c) => [c.code, c.label]));
  const words = filterWords(filter, { q, channelLabel: (c) => (c === NO_CHANNEL ? fr.results.noChannel : channelLabels.get(c)), communeName });

  const participationFigures: FigureView[] = [];
  if (!withheld && complete > 0) {
    // Channels under K are merged: a relay with three answers is three people.
    const big = perChannel.filter((c) => !isSmall(c.n, k));
    const small = perChannel.filter((c) => isSmall(c.n, k));
    const merged = small.reduce((a, c) => a + c.n, 0);
    const rows: BarRow[] = big.map((c) => ({
      label: c.channel ? (channelLabels.get(c.channel) ?? c.channel) : fr.results.noChannel,
      value: Math.round((1000 * c.n) / complete) / 10,
      count: c.n,
      color: '--data-1' as Token,
    }));
    if (small.length) {
      const label = s.otherChannels(formatCount(small.length), k);
      rows.push(isSmall(merged, k) ? { label, value: null, count: null, color: '--data-muted', note: fr.disclosure.small(k) } : { label, value: Math.round((1000 * merged) / complete) / 10, count: merged, color: '--data-muted' });
    }
    participationFigures.push(next({ title: s.channelsTitle, svg: svg(barsSvg(s.channelsTitle, rows, 100, { suppressedLabel: fr.disclosure.small(k) })), base }));
    const dayOf = (d: Date | undefined) => (d ? d.toISOString().slice(0, 10) : undefined);
    // Per week at the finest: a day's count can be a handful of people.
    const weekly = new Map<string, number>();
    for (const d of perDay) weekly.set(weekStart(d.day), (weekly.get(weekStart(d.day)) ?? 0) + d.n);
    const timeline = buildTimeline([...weekly].map(([day, n]) => ({ day, n })), {
      windowFrom: filter.from ?? dayOf(campaign.opensAt),
      windowTo: filter.to ?? dayOf(campaign.closesAt),
      today: now.toISOString().slice(0, 10),
    });
    if (timeline) {
      const unit = timeline.unit === 'day' ? 'week' : timeline.unit;
      const buckets = new Map<string, number>();
      for (const p of timeline.points) {
        const key = unit === 'week' ? weekStart(p.start) : p.start;
        buckets.set(key, (buckets.get(key) ?? 0) + p.n);
      }
      const points = [...buckets].map(([day, n]) => ({ label: unit === 'week' ? shortFrenchDate(day).replace(/ \d{4}$/, '') : shortFrenchDate(day).replace(/^\S+ /, ''), n }));
      const title = s.timelineTitle(unit);
      participationFigures.push(next({ title, svg: svg(columnsSvg(title, points)), base }));
    }
  }
  const rate = started ? formatPercent(Math.round((1000 * complete) / started) / 10) : '–';
  const keyFigures = withheld
    ? []
    : [
        { value: formatCount(complete), label: s.keyComplete },
        { value: formatCount(started), label: s.keyStarted },
        { value: rate, label: s.keyCompletion },
        ...(firstDay && lastDay ? [{ value: formatCount(Math.round((Date.parse(lastDay) - Date.parse(firstDay)) / 86_400_000) + 1), label: s.keyPeriod }] : []),
      ];

  // Profile: every question of the first section.
  const profileIds = q.sections[0].questions.filter((x) => x.type !== 'text' && x.type !== 'longtext').map((x) => x.id);
  const profileFigures = withheld ? [] : questionPaperFigures(q, results, profileIds, k, next, weighted);
  // Against the census: every reference margin an admin filled (src/weights/representativeness.ts).
  const census = withheld ? [] : compare(db, q, filter).filter((c) => c.filled && !c.error && c.compared >= k);
  for (const c of census) {
    const hidden = (n: number) => isSmall(n, k);
    const rows: PairRow[] = c.categories.map((x) => ({ label: x.label, first: hidden(x.respondents) ? null : x.percent, second: x.population }));
    const title = s.censusTitle(c.margin.label);
    profileFigures.push(
      next({
        title,
        subtitle: s.censusSource(c.margin.population, c.margin.year && !c.margin.source.includes(String(c.margin.year)) ? `${c.margin.source}, ${c.margin.year}` : c.margin.source),
        svg: svg(pairedBarsSvg(title, rows, 100, fr.disclosure.small(k))),
        legend: [
          { cls: 'f-print-cat-2', label: s.censusRespondents },
          { cls: 'f-print-cat-4', label: s.censusPopulation },
        ],
        table: {
          columns: ['', s.censusRespondents, s.censusPopulation, s.censusGap],
          rows: c.categories.map((x) => ({
            label: x.label,
            cells: [
              hidden(x.respondents) ? { text: fr.disclosure.small(k), muted: true } : { text: formatPercent(x.percent), muted: false },
              { text: formatPercent(x.population), muted: false },
              hidden(x.respondents) || x.gap === null ? { text: '–', muted: true } : { text: s.censusPoints(x.gap), muted: false },
            ],
          })),
        },
        base: s.censusBase(formatCount(c.compared)),
      }),
    );
  }

  // Chosen questions, grouped by section.
  const chosen = new Set(settings.questions);
  const questionSections = withheld
    ? []
    : q.sections
        .slice(1)
        .map((sec) => ({ title: sec.title, figures: questionPaperFigures(q, results, sec.questions.filter((x) => chosen.has(x.id)).map((x) => x.id), k, next, weighted) }))
        .filter((x) => x.figures.length);

  // Themes of the chosen free-text sources, when coded; one screener (manual masks read once) for all.
  const screener = input.screener ?? answerScreenerFor(db);
  const sources = textSources(q).filter((x) => settings.textSources.includes(x.key));
  const themes = withheld
    ? []
    : sources
        .map((src) => themeShares(db, q, src, filter, screener))
        .filter((x) => x !== null)
        .map((tr) => {
          const rows: BarRow[] = tr.themes.map((t) => (isSmall(t.count, k) ? { label: t.label, value: null, count: null, color: '--data-1' as Token, note: fr.disclosure.small(k) } : { label: t.label, value: t.percent, count: t.count, color: '--data-1' as Token }));
          const max = Math.min(100, Math.max(10, Math.ceil(Math.max(0, ...tr.themes.map((t) => t.percent ?? 0)) / 10) * 10));
          return {
            figure: next({ title: tr.source.label, svg: svg(barsSvg(tr.source.label, rows, max, { suppressedLabel: fr.disclosure.small(k) })), base: s.themesBase(formatCount(tr.answered), formatCount(tr.coded)), note: s.themesNote }),
            // Examples of a theme under K people are not printed: a few sentences can identify their authors.
            themes: tr.themes.filter((t) => !isSmall(t.count, k) && t.count > 0).map((t) => ({ label: t.label, percent: formatPercent(t.percent), examples: t.examples })),
          };
        });

  // Key crosstabs.
  const vars = new Map(crossVariables(q).map((v) => [v.id, v]));
  const crosstabs = withheld
    ? []
    : settings.crosstabs
        .filter((p) => vars.has(p.row) && vars.has(p.col))
        .map((p) => crosstabFigure(crosstab(db, q, vars.get(p.row)!, vars.get(p.col)!, filter), k, next));

  const workshops = workshopViews(input.workshops, results, next);

  const m = s.method;
  const method = [
    { label: m.base, text: withheld ? withheldText : s.methodBase(formatCount(complete)) },
    { label: m.scope, text: words.length ? s.methodFilters(words.join(' ; ')) : s.methodNoFilter },
    { label: m.percent, text: `${s.methodPercent} ${s.methodMultiple}` },
    { label: m.small, text: s.methodSmall(k) },
    { label: m.weights, text: weighted ? [weightedNotice(printed)?.text, crosstabs.length ? s.methodCrosstabsUnweighted : ''].filter(Boolean).join(' ') : s.methodWeights },
    ...(crosstabs.length ? [{ label: m.crosstabs, text: s.methodCrosstabs }] : []),
    ...(themes.length ? [{ label: m.themes, text: s.methodThemes }] : []),
    ...(workshops.length ? [{ label: m.workshops, text: s.methodWorkshops }] : []),
    { label: m.anonymity, text: s.methodAnonymity },
  ];

  // Sections in order, numbered as they appear.
  const order: { key: keyof typeof s.sections; present: boolean }[] = [
    { key: 'participation', present: true },
    { key: 'profile', present: true },
    { key: 'questions', present: true },
    { key: 'themes', present: themes.length > 0 },
    { key: 'crosstabs', present: crosstabs.length > 0 },
    { key: 'workshops', present: workshops.length > 0 },
    { key: 'method', present: true },
  ];
  const numbers = new Map<string, string>();
  order.filter((o) => o.present).forEach((o, i) => numbers.set(o.key, String(i + 1).padStart(2, '0')));
  const head = (key: keyof typeof s.sections) => ({ number: numbers.get(key)!, title: s.sections[key], id: `section-${key}` });

  return {
    title: settings.title,
    introduction: settings.introduction ? settings.introduction.split(/\n\s*\n/).map((p) => p.trim()).filter(Boolean) : [],
    organiser: fr.organiser,
    running: s.running(withheld ? withheldText : s.baseResponses(formatCount(complete)) + (weighted ? s.runningWeighted : ''), extracted),
    cover: { period, base, extracted, filters: [...(words.length ? words : [s.allResponses]), ...(weighted ? [fr.weighted.chip] : [])] },
    contents: order.filter((o) => o.present).map((o) => head(o.key)),
    withheld: withheld ? withheldText : undefined,
    participation: { ...head('participation'), keyFigures, text: withheld ? undefined : s.participationText(formatCount(complete), formatCount(started), rate), figures: participationFigures },
    profile: { ...head('profile'), intro: s.profileIntro, figures: profileFigures },
    questions: { ...head('questions'), sections: questionSections, none: !withheld && !questionSections.length ? s.noQuestion : undefined },
    themes: themes.length ? { ...head('themes'), items: themes } : undefined,
    crosstabs: crosstabs.length ? { ...head('crosstabs'), figures: crosstabs } : undefined,
    workshops: workshops.length ? { ...head('workshops'), items: workshops } : undefined,
    method: { ...head('method'), items: method },
  };
}

export type SynthesisView = ReturnType<typeof buildSynthesis>;
