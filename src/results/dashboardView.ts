import type { Campaign } from '../campaign/campaign.js';
import type { Questionnaire } from '../questionnaire/schema.js';
import { fr } from '../strings.js';
import type { FunnelStep, PublishedResults, Results } from './aggregate.js';
import { formatCount, formatPercent, questionFigures, type FigureOptions, type QuestionView } from './figures.js';
import { filterToQuery, FILTER_PREFIX, NO_CHANNEL, type Filter, type FilterError } from './filters.js';
import { filterVariables, type FilterVariable } from './model.js';
import { frenchMonth, shortFrenchDate, weekStart, type Timeline } from './timeline.js';

// Template data for the dashboard: French number and date formats, the filter form and its chips,
// the summary, and the figures of each question (tables always there, charts only enhance them).

export { formatCount, formatPercent } from './figures.js';

const t = fr.results;

/** The URL of the current page with one filter value added, or one filter part removed. */
export function withFilter(
  path: string,
  f: Filter,
  change: { add?: { variable: string; code: string }; remove?: string; removeChannel?: string; removeKey?: 'from' | 'to' | 'exclude_flagged' | 'weighted' },
) {
  const params = filterToQuery(f);
  if (change.remove) params.delete(FILTER_PREFIX + change.remove);
  if (change.removeKey) params.delete(change.removeKey);
  if (change.removeChannel) {
    const rest = params.getAll('channel').filter((c) => c !== change.removeChannel);
    params.delete('channel');
    for (const c of rest) params.append('channel', c);
  }
  if (change.add) {
    const key = FILTER_PREFIX + change.add.variable;
    if (!params.getAll(key).includes(change.add.code)) params.append(key, change.add.code);
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

/** What was typed in a field that was refused: shown again in the field, next to its error. */
const typed = (query: Record<string, unknown>, key: string) => {
  const v = query[key];
  return typeof v === 'string' ? v : Array.isArray(v) ? String(v[v.length - 1] ?? '') : '';
};

/**
 * `allowed` (disclosure control, issue 9): the variables a protected viewer may filter on; the
 * form then offers only those, and neither channels nor dates.
 */
export function filterForm(
  q: Questionnaire,
  campaign: Campaign,
  f: Filter,
  path: string,
  errors: FilterError[] = [],
  query: Record<string, unknown> = {},
  allowed?: ReadonlySet<string>,
  /**
   * Whether a weighting is in force (the « Résultats pondérés » switch and its chip); undefined:
   * the page has no weighted figures, so neither switch nor chip (weighted=1 stays in its links).
   */
  weightingSaved?: boolean,
  /** Every variable, derived ones included (allVariables of src/results/derived.ts). */
  all: readonly FilterVariable[] = filterVariables(q),
) {
  const variables = all.filter((v) => !allowed || allowed.has(v.id));
  const errorOf = (field: string) => errors.filter((e) => e.field === field).map((e) => e.message).join(' ') || undefined;
  // The respondent profile (first section) is offered as checkboxes; every other single-choice
  // question (and derived variable) as a list; anything else can be filtered from a table row
  // (« Filtrer ») or the URL, and shows up as a removable chip.
  const profileSection = q.sections[0].id;
  const chosen = new Map(f.answers.map((a) => [a.variable, new Set(a.codes)]));
  const profile = variables
    .filter((v) => v.section.id === profileSection && v.choices && v.choices.length <= 12)
    .map((v) => ({
      id: v.id,
      name: FILTER_PREFIX + v.id,
      label: v.label,
      error: errorOf(FILTER_PREFIX + v.id),
      options: v.choices!.map((c) => ({ code: c.code, label: c.label, checked: chosen.get(v.id)?.has(c.code) ?? false, domId: `filtre-${v.id}-${c.code}` })),
    }));
  const inProfile = new Set(profile.map((p) => p.id));
  const selects = variables
    .filter((v) => !inProfile.has(v.id) && v.choices && (v.derived !== undefined || v.question.type === 'single' || v.question.type === 'grid'))
    // One value per select: a variable filtered on several codes stays in the hidden fields.
    .filter((v) => (chosen.get(v.id)?.size ?? 0) <= 1)
    .map((v) => ({
      id: v.id,
      name: FILTER_PREFIX + v.id,
      label: v.label,
      domId: `filtre-${v.id}`,
      section: v.section.title,
      error: errorOf(FILTER_PREFIX + v.id),
      options: v.choices!.map((c) => ({ code: c.code, label: c.label, selected: chosen.get(v.id)?.has(c.code) ?? false })),
      active: (chosen.get(v.id)?.size ?? 0) > 0,
    }));
  const inForm = new Set([...inProfile, ...selects.map((s) => s.id)]);
  // Selects grouped by section, as the questionnaire reads.
  const groups: { section: string; selects: typeof selects }[] = [];
  for (const s of selects) {
    const g = groups.find((x) => x.section === s.section);
    if (g) g.selects.push(s);
    else groups.push({ section: s.section, selects: [s] });
  }
  const byId = new Map(variables.map((v) => [v.id, v]));
  const channelLabels = new Map<string, string>([...campaign.channels.map((c) => [c.code, c.label] as [string, string]), [NO_CHANNEL, t.noChannel]]);
  const chips: { label: string; removeHref: string }[] = [];
  for (const a of f.answers) {
    const v = byId.get(a.variable);
    const labels = a.codes.map((c) => v?.choices?.find((x) => x.code === c)?.label ?? c);
    chips.push({ label: `${v?.label ?? a.variable} : ${labels.join(' ou ')}`, removeHref: withFilter(path, f, { remove: a.variable }) });
  }
  for (const c of f.channels) chips.push({ label: t.chipChannel(channelLabels.get(c) ?? c), removeHref: withFilter(path, f, { removeChannel: c }) });
  if (f.from) chips.push({ label: t.chipFrom(shortFrenchDate(f.from)), removeHref: withFilter(path, f, { removeKey: 'from' }) });
  if (f.to) chips.push({ label: t.chipTo(shortFrenchDate(f.to)), removeHref: withFilter(path, f, { removeKey: 'to' }) });
  if (f.excludeFlagged) chips.push({ label: t.chipFlagged, removeHref: withFilter(path, f, { removeKey: 'exclude_flagged' }) });
  // Only on a page that offers the switch (one whose figures are weighted when it is on).
  if (f.weighted && weightingSaved !== undefined) chips.push({ label: fr.weighted.chip, removeHref: withFilter(path, f, { removeKey: 'weighted' }) });
  const dateField = (key: 'from' | 'to') => {
    const error = errorOf(key);
    // A refused date is shown as typed; an accepted one in the date input's own format.
    return { value: error ? typed(query, key) : (f[key] ?? ''), error, type: error ? 'text' : 'date' };
  };
  return {
    action: path,
    profile,
    groups,
    // Filters outside the form's fields are carried by hidden fields so that submitting keeps them.
    hidden: f.answers
      .filter((a) => !inForm.has(a.variable))
      .flatMap((a) => a.codes.map((code) => ({ name: FILTER_PREFIX + a.variable, value: code }))),
    channels: allowed
      ? []
      : [
          ...campaign.channels.map((c) => ({ code: c.code, label: c.label, checked: f.channels.includes(c.code), domId: `filtre-canal-${c.code}` })),
          { code: NO_CHANNEL, label: t.noChannelFilter, checked: f.channels.includes(NO_CHANNEL), domId: 'filtre-canal-aucun' },
        ],
    restricted: Boolean(allowed),
    channelError: errorOf('channel'),
    from: dateField('from'),
    to: dateField('to'),
    flaggedError: errorOf('exclude_flagged'),
    // « Résultats pondérés »: on, refused (error beside it), or not offered without a weighting.
    weighting:
      weightingSaved === undefined
        ? undefined
        : { checked: Boolean(f.weighted), saved: weightingSaved, error: errorOf('weighted'), hint: weightingSaved ? fr.weighted.switchHint : fr.weighted.unavailable },
    excludeFlagged: f.excludeFlagged,
    // Errors of parts that have no field of their own (a hand-made URL): listed above the form.
    otherErrors: errors.filter((e) => !['from', 'to', 'channel', 'exclude_flagged', 'weighted'].includes(e.field) && !profile.some((p) => p.name === e.field) && !selects.some((s) => s.name === e.field)),
    hasErrors: errors.length > 0,
    chips,
    active: chips.length > 0,
    clearHref: path,
    query: filterToQuery(f).toString(),
  };
}

/**
 * The line under the title: the number of responses, or why none is shown, and what the viewer is
 * told about disclosure control (issue 9).
 */
export function totalView(results: PublishedResults) {
  return {
    total: results.responses === null ? '' : formatCount(results.responses),
    totalRaw: results.responses ?? '',
    withheld: results.disclosure?.withheld,
    disclosureNotice: results.disclosure?.notice,
  };
}

export function questionViews(q: Questionnaire, results: Results | PublishedResults, sectionId: string, opts: FigureOptions): QuestionView[] {
  const questions = new Map(q.sections.flatMap((s) => s.questions.map((x) => [x.id, x] as const)));
  return results.questions.filter((x) => x.section.id === sectionId).map((qr) => questionFigures(questions.get(qr.id)!, qr, opts));
}

export function funnelView(steps: FunnelStep[]) {
  return steps.map((s) => ({ label: s.label, count: formatCount(s.count), percent: formatPercent(s.percent), bar: s.percent ?? 0 }));
}

/** The chart and the folded table of responses over time. */
export function timelineView(tl: Timeline | null) {
  if (!tl) return null;
  const label = (day: string) => (tl.unit === 'day' ? shortFrenchDate(day) : tl.unit === 'week' ? t.weekOf(shortFrenchDate(day)) : frenchMonth(day));
  const title = tl.unit === 'day' ? t.perDay : tl.unit === 'week' ? t.perWeek : t.perMonth;
  const total = tl.points.length ? tl.points[tl.points.length - 1].cumulative : 0;
  const window = t.timeWindow(shortFrenchDate(tl.from), shortFrenchDate(tl.to));
  const base = t.baseResponses(formatCount(total));
  return {
    title,
    window,
    base,
    outside: tl.outside ? t.outsideWindow(formatCount(tl.outside)) : undefined,
    showTable: tl.unit === 'day' ? t.showDays : t.showTable,
    rows: tl.points.map((p) => ({ day: p.start, label: label(p.start), count: formatCount(p.n), cumulative: formatCount(p.cumulative) })),
    chart: JSON.stringify({
      kind: 'time',
      title,
      base: `${window} · ${base}`,
      unit: tl.unit,
      days: tl.points.map((p) => p.start),
      labels: tl.points.map((p) => label(p.start)),
      counts: tl.points.map((p) => p.n),
      cumulative: tl.points.map((p) => p.cumulative),
      seriesLabel: title,
      cumulativeLabel: t.cumulative,
    }),
  };
}

export type SummaryInput = {
  complete: number;
  started: number;
  thisWeek: number;
  today: string;
  lastDay?: string;
  perChannel: { label: string; n: number }[];
};

/** The first screen of /resultats: « où en est-on ? ». */
export function summaryView(s: SummaryInput) {
  const rate = s.started ? Math.round((1000 * s.complete) / s.started) / 10 : null;
  const top = Math.max(1, ...s.perChannel.map((c) => c.n));
  return {
    figures: [
      { value: formatCount(s.complete), label: t.keyComplete, key: 'complete' },
      { value: formatCount(s.started), label: t.keyStarted, key: 'started' },
      { value: formatPercent(rate), label: t.keyCompletion, key: 'completion' },
      { value: formatCount(s.thisWeek), label: t.keyWeek, detail: t.keyWeekDetail(shortFrenchDate(weekStart(s.today))), key: 'week' },
    ],
    last: s.lastDay ? t.keyLastResponse(shortFrenchDate(s.lastDay)) : undefined,
    channels: s.perChannel.map((c) => ({
      label: c.label,
      count: formatCount(c.n),
      percent: formatPercent(s.complete ? (100 * c.n) / s.complete : null),
      bar: (100 * c.n) / top,
    })),
  };
}
