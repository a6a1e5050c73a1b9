import type { Questionnaire } from '../questionnaire/schema.js';
import type { Campaign } from '../campaign/campaign.js';
import type { FunnelStep, PublishedResults, QuestionResult } from './aggregate.js';
import { fr } from '../strings.js';
import { filterToQuery, FILTER_PREFIX, type Filter } from './filters.js';
import { filterVariables } from './model.js';

// Template data for the dashboard: French number formats, filter form and chips, tables that
// are always there (charts only enhance them).

const intFmt = new Intl.NumberFormat('fr-FR');
const pctFmt = new Intl.NumberFormat('fr-FR', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

export const formatCount = (n: number) => intFmt.format(n);
/** "37,2 %" with a narrow no-break space, as French typography wants. */
export const formatPercent = (p: number | null) => (p === null ? '–' : `${pctFmt.format(p)}\u202f%`);

/** The URL of the current page with one filter value added or one variable removed. */
function withFilter(path: string, f: Filter, change: { add?: { variable: string; code: string }; remove?: string }) {
  const params = filterToQuery(f);
  if (change.remove) params.delete(FILTER_PREFIX + change.remove);
  if (change.add) {
    const key = FILTER_PREFIX + change.add.variable;
    if (!params.getAll(key).includes(change.add.code)) params.append(key, change.add.code);
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

/**
 * `allowed` (disclosure control, issue 9): the variables a protected viewer may filter on; the
 * form then offers only those, and neither channels nor dates.
 */
export function filterForm(q: Questionnaire, campaign: Campaign, f: Filter, path: string, allowed?: ReadonlySet<string>) {
  const variables = filterVariables(q);
  // The respondent profile (first section) is offered as checkboxes; any other variable can be
  // filtered from a table row ("Filtrer") or the URL, and shows up as a removable chip.
  const profileSection = q.sections[0].id;
  const chosen = new Map(f.answers.map((a) => [a.variable, new Set(a.codes)]));
  const profile = variables
    .filter((v) => v.section.id === profileSection && v.choices && v.choices.length <= 12 && (!allowed || allowed.has(v.id)))
    .map((v) => ({
      id: v.id,
      name: FILTER_PREFIX + v.id,
      label: v.label,
      options: v.choices!.map((c) => ({ code: c.code, label: c.label, checked: chosen.get(v.id)?.has(c.code) ?? false, domId: `filtre-${v.id}-${c.code}` })),
    }));
  const byId = new Map(variables.map((v) => [v.id, v]));
  const chips = f.answers.map((a) => {
    const v = byId.get(a.variable);
    const labels = a.codes.map((c) => v?.choices?.find((x) => x.code === c)?.label ?? c);
    return { label: `${v?.label ?? a.variable} : ${labels.join(' ou ')}`, removeHref: withFilter(path, f, { remove: a.variable }) };
  });
  return {
    action: path,
    profile,
    // Filters outside the checkboxes are carried by hidden fields so that submitting keeps them.
    hidden: f.answers
      .filter((a) => !profile.some((p) => p.id === a.variable))
      .flatMap((a) => a.codes.map((code) => ({ name: FILTER_PREFIX + a.variable, value: code }))),
    channels: allowed ? [] : campaign.channels.map((c) => ({ code: c.code, label: c.label, checked: f.channels.includes(c.code), domId: `filtre-canal-${c.code}` })),
    restricted: Boolean(allowed),
    from: f.from ?? '',
    to: f.to ?? '',
    excludeFlagged: f.excludeFlagged,
    chips,
    active: chips.length > 0 || f.channels.length > 0 || Boolean(f.from || f.to || f.excludeFlagged),
    clearHref: path,
    query: filterToQuery(f).toString(),
  };
}

/**
 * The line above the filters: the number of responses, or why none is shown, and what the viewer
 * is told about disclosure control (issue 9). The labels of hidden cells ride along for the live
 * refresh (public/js/dashboard.js), so the sentences stay in src/strings.ts.
 */
export function totalView(results: PublishedResults) {
  const k = results.disclosure?.minGroupSize ?? 5;
  return {
    total: results.responses === null ? '' : formatCount(results.responses),
    totalRaw: results.responses ?? '',
    withheld: results.disclosure?.withheld,
    disclosureNotice: results.disclosure?.notice,
    smallLabel: fr.disclosure.small(k),
    complementaryLabel: fr.disclosure.complementary,
    hiddenBaseLabel: fr.disclosure.hiddenBase,
  };
}

/** What a table cell shows: its count, or why it is hidden (disclosure control, issue 9). */
function countLabel(o: { count: number | null; reason?: 'small' | 'complementary' }, k: number) {
  if (o.count !== null) return formatCount(o.count);
  return o.reason === 'small' ? fr.disclosure.small(k) : fr.disclosure.complementary;
}

export function questionViews(results: PublishedResults, f: Filter, path: string, filterable: ReadonlySet<string>) {
  const k = results.disclosure?.minGroupSize ?? 5;
  return results.questions.map((qr: QuestionResult<number | null>) => ({
    id: qr.id,
    label: qr.label,
    type: qr.type,
    isText: qr.type === 'text' || qr.type === 'longtext',
    stats: qr.stats
      ? {
          count: qr.stats.count === null ? '–' : formatCount(qr.stats.count),
          mean: qr.stats.mean === null ? '–' : pctFmt.format(qr.stats.mean),
          median: qr.stats.median === null ? '–' : String(qr.stats.median).replace('.', ','),
        }
      : undefined,
    tables: qr.tables
      // The commune list can be long: the top 30 on screen, everything in the exports.
      .map((t) => ({ ...t, options: qr.type === 'commune' && t.id === qr.id ? t.options.slice(0, 30) : t.options }))
      // Integer value tables are long and sparse: the age groups say it better on screen.
      .filter((t) => !(qr.type === 'integer' && t.id === qr.id && qr.tables.length > 1))
      .map((t) => ({
        id: t.id,
        domId: `tableau-${t.id}`,
        label: t.label,
        base: t.base === null ? fr.disclosure.hiddenBase : formatCount(t.base),
        multiple: t.multiple,
        // No percentage without a base (disclosure control): no chart either, the table says why.
        chart: qr.type !== 'text' && qr.type !== 'longtext' && t.base !== null,
        rows: t.options.map((o) => ({
          code: o.code,
          label: o.label,
          count: countLabel(o, k),
          // A hidden cell: no percentage, no bar.
          suppressed: o.suppressed === true,
          percent: o.suppressed ? '' : formatPercent(o.percent),
          meter: o.percent === null ? 0 : Math.min(100, o.percent),
          filterHref: filterable.has(t.id) && o.code ? withFilter(path, f, { add: { variable: t.id, code: o.code } }) : undefined,
        })),
        // Hidden cells get null: Chart.js draws no bar for them.
        data: JSON.stringify({ labels: t.options.map((o) => o.label), percents: t.options.map((o) => (o.suppressed ? null : (o.percent ?? 0))), counts: t.options.map((o) => o.count) }),
      })),
  }));
}

export function funnelView(steps: FunnelStep[]) {
  return steps.map((s) => ({ label: s.label, count: formatCount(s.count), percent: formatPercent(s.percent), meter: s.percent ?? 0 }));
}
