import express, { type Request, type Response } from 'express';
import type { Campaign } from '../campaign/campaign.js';
import type { Db } from '../db/connection.js';
import type { SseHub, StreamOwner } from '../live/hub.js';
import type { Questionnaire } from '../questionnaire/schema.js';
import { requireApi, requirePage } from '../staff/auth.js';
import { fr } from '../strings.js';
import type { Territory } from '../territory/communes.js';
import { completionFunnel } from './aggregate.js';
import { createResultsCache } from './cache.js';
import { TOTAL_KEY } from './counts.js';
import type { PublishedResults } from './aggregate.js';
import { filterForm, formatCount, funnelView, questionViews, summaryView, timelineView, totalView, withFilter } from './dashboardView.js';
import { filterToQuery, parseFilters, parseFiltersLenient, type Filter, type FilterError } from './filters.js';
import { allVariables } from './derived.js';
import { participation } from './participation.js';
import { buildTimeline, weekStart } from './timeline.js';
import { allowedFilterVariables, audienceOf, forbiddenFilters, type Audience } from '../privacy/disclosure.js';
import { releasedCounter } from '../privacy/release.js';
import { resultsFor } from '../privacy/results.js';
import { displayResults, weightedNotice, weightingCheck } from './weightedView.js';

export const RESULTS_TOPIC = 'resultats';
/** What protected viewers' streams follow: the released count, which moves by steps of K. */
export const RELEASED_TOPIC = 'resultats-publies';

/**
 * What the completion path calls: the full topic at every completion, the released topic only
 * when a release happened (an event per completion would tell protected viewers when each one
 * arrived, even with an unchanged count).
 */
export function resultsNotifier(db: Db, hub: SseHub): () => void {
  const released = releasedCounter(db);
  const state = publishedState(hub);
  state.last ??= released();
  return () => {
    hub.notify(RESULTS_TOPIC);
    const n = released();
    if (n !== state.last) {
      state.last = n;
      hub.notify(RELEASED_TOPIC);
    }
  };
}

/**
 * The released count protected viewers were last told (set whenever the topic's payload is sent):
 * responses loaded outside the completion path (demo, bulk loads) must not make the next single
 * completion send them an event.
 */
const published = new WeakMap<SseHub, { last?: number }>();
function publishedState(hub: SseHub) {
  let s = published.get(hub);
  if (!s) published.set(hub, (s = {}));
  return s;
}

export type ResultsDeps = {
  db: Db;
  questionnaire: Questionnaire;
  territory: Territory;
  campaign: () => Campaign;
  hub: SseHub;
  /** The clock (« cette semaine », the time axis up to today). */
  now?: () => Date;
  /** K of disclosure control (config MIN_GROUP_SIZE). */
  minGroupSize: number;
  /** Who a stream belongs to (caps, and closing it with its session or token). */
  streamOwner: (req: Request) => StreamOwner;
};

/**
 * The staff dashboard: a summary and the participation, then one page per section with a chart
 * and a table per question. Filters are a plain GET form; the same query string drives the JSON
 * API and the exports. Facilitators see the aggregate charts, never exports or raw responses.
 */
export function resultsRouter(deps: ResultsDeps) {
  const { db, questionnaire: q, territory } = deps;
  const now = deps.now ?? (() => new Date());
  const router = express.Router();
  const k = deps.minGroupSize;
  // The questionnaire's variables and the analysts' derived ones (recodes, themes), as stored now.
  const variables = () => allVariables(db, q);
  const filterable = () => new Set(variables().map((v) => v.id));
  // Protected viewers (not analysts nor admins) filter on coarse profile questions only.
  const allowedNow = () => allowedFilterVariables(variables(), q.sections[0].id);
  const labelOf = (id: string) => variables().find((v) => v.id === id)?.label;
  const filterableFor = (a: Audience) => (a === 'full' ? filterable() : allowedNow());
  const communeName = (insee: string) => territory.byInsee.get(insee)?.name ?? insee;
  // The running total (one row), kept in the completion transaction: counting the status index
  // would take ~40 ms of the only thread per live update at 1,000,000 responses.
  const countComplete = db.prepare(`SELECT coalesce((SELECT n FROM result_bases WHERE question_id = ?), 0) AS n`).bind(TOTAL_KEY);
  // Every view of the dashboard and the JSON API: computed once per filter until the data changes.
  const results = createResultsCache(db, q, { communeName });
  // Protected viewers' results: over released responses, recomputed once per release.
  const released = createResultsCache(db, q, { communeName, stamp: 'released' });
  const releasedCount = releasedCounter(db);
  /** The figures a viewer may get, through disclosure control. */
  const figuresFor = (a: Audience, filter: Filter) =>
    a === 'full' ? resultsFor(a, results.get(filter), k) : resultsFor(a, released.get({ ...filter, releasedOnly: true }), k);
  // « Résultats pondérés » (weighted=1): refused in French when no weighting is in force.
  const weighting = weightingCheck(db, q);

  deps.hub.define(RESULTS_TOPIC, () => ({ responses: (countComplete.get() as { n: number }).n }));
  deps.hub.define(RELEASED_TOPIC, () => {
    const n = releasedCount();
    publishedState(deps.hub).last = n;
    return { responses: n };
  });

  const filterOptions = () => ({
    channels: deps.campaign().channels.map((c) => c.code),
    communeExists: (code: string) => territory.byInsee.has(code),
    db,
  });

  const noFilter = (): Filter => ({ answers: [], channels: [], excludeFlagged: false });
  /** Protected viewers' filters outside what they may use (disclosure control, issue 9). */
  const forbiddenFor = (req: Request, filter: Filter) =>
    audienceOf(req.staff!.role) === 'full'
      ? []
      : forbiddenFilters(filter, allowedNow(), {
          variable: (id) => fr.disclosure.forbiddenVariable(labelOf(id) ?? id),
          channel: fr.disclosure.forbiddenChannel,
          dates: fr.disclosure.forbiddenDates,
          flagged: fr.disclosure.forbiddenFlagged,
        });
  /**
   * Filters from the query string: every valid part kept, the errors shown next to their field.
   * A filter refused to a protected viewer shows nothing of the selection it asked for: the page
   * falls back to no filter.
   */
  const readFilter = (req: Request): { filter: Filter; errors: FilterError[] } => {
    const lenient = parseFiltersLenient(req.query, q, filterOptions());
    // weighted=1 without a weighting: the page shows the unweighted figures, the message next to the switch.
    const parsed = weighting.refuse(lenient.filter, lenient.errors);
    const forbidden = forbiddenFor(req, parsed.filter);
    return forbidden.length ? { filter: noFilter(), errors: [...parsed.errors, ...forbidden] } : parsed;
  };

  const nav = (current: string) => [
    { href: '/resultats', label: fr.results.participation, current: current === '' },
    ...q.sections.map((s) => ({ href: `/resultats/${s.id}`, label: s.title, current: current === s.id })),
  ];

  const common = (req: Request, path: string, current: string, filter: Filter, errors: FilterError[]) => {
    const canExport = req.staff!.role !== 'facilitator';
    const query = filterToQuery(filter).toString();
    return {
      nav: nav(current),
      filters: filterForm(q, deps.campaign(), filter, path, errors, req.query as Record<string, unknown>, audienceOf(req.staff!.role) === 'full' ? undefined : allowedNow(), weighting.saved(), variables()),
      filterErrors: errors,
      canExport,
      exportQuery: query,
      // responses.csv has no weighted view (the weighting module gives it a weight column).
      responsesQuery: filterToQuery({ ...filter, weighted: undefined }).toString(),
      dashboard: true,
    };
  };

  /** Figures of one section, with the links of each table (filter on a row, CSV download). */
  const sectionViews = (req: Request, sectionId: string, path: string, filter: Filter, figures: PublishedResults) => {
    const canExport = req.staff!.role !== 'facilitator';
    const query = filterToQuery(filter).toString();
    const canFilter = filterableFor(audienceOf(req.staff!.role));
    return questionViews(q, displayResults(figures), sectionId, {
      weighted: figures.weighted === true,
      minGroupSize: k,
      complementaryLabel: fr.disclosure.complementary,
      filterHref: (variable, code) => (canFilter.has(variable) ? withFilter(path, filter, { add: { variable, code } }) : undefined),
    }).map((qv) => ({
      ...qv,
      figures: qv.figures.map((f) => ({
        ...f,
        chartData: f.chart ? JSON.stringify(f.chart) : undefined,
        withFilter: [...f.rows, ...(f.fullRows ?? [])].some((r) => r.filterHref),
        showAllLabel: f.fullRows ? fr.results.showAll(formatCount(f.fullRows.length)) : undefined,
        csvHref: canExport ? `/resultats/tableau.csv?tableau=${encodeURIComponent(f.id)}${query ? `&${query}` : ''}` : undefined,
        csvExcelHref: canExport ? `/resultats/tableau.csv?tableau=${encodeURIComponent(f.id)}&excel=1${query ? `&${query}` : ''}` : undefined,
      })),
    }));
  };

  router.get('/resultats', requirePage('admin', 'analyst', 'facilitator'), (req, res) => {
    const { filter, errors } = readFilter(req);
    const audience = audienceOf(req.staff!.role);
    const figures = figuresFor(audience, filter);
    if (audience !== 'full') {
      // Days, channels and drafts are small cells by nature and tell when people answered:
      // analysts only (issue 9).
      return res.status(errors.length ? 400 : 200).render('results/participation', {
        pageTitle: fr.results.participation,
        ...common(req, '/resultats', '', filter, errors),
        ...totalView(figures),
        weightedNotice: weightedNotice(figures),
        participationHidden: fr.disclosure.participationHidden,
        questions: sectionViews(req, q.sections[0].id, '/resultats', filter, figures),
      });
    }
    const { perDay, perChannel } = participation(db, q, filter);
    const labels = new Map(deps.campaign().channels.map((c) => [c.code, c.label]));
    const total = figures.responses ?? 0;
    const today = now().toISOString().slice(0, 10);
    const funnel = completionFunnel(db, q, { channels: filter.channels, from: filter.from, to: filter.to });
    const monday = weekStart(today);
    const campaign = deps.campaign();
    const dayOf = (d: Date | undefined) => (d ? d.toISOString().slice(0, 10) : undefined);
    const timeline = buildTimeline(perDay, {
      windowFrom: filter.from ?? dayOf(campaign.opensAt),
      windowTo: filter.to ?? dayOf(campaign.closesAt),
      today,
    });
    const channelRows = perChannel.map((c) => ({ label: c.channel ? (labels.get(c.channel) ?? c.channel) : fr.results.noChannel, n: c.n }));
    res.status(errors.length ? 400 : 200).render('results/participation', {
      pageTitle: fr.results.participation,
      ...common(req, '/resultats', '', filter, errors),
      ...totalView(figures),
      weightedNotice: weightedNotice(figures),
      summary: summaryView({
        complete: total,
        started: funnel[0]?.count ?? 0,
        thisWeek: perDay.filter((d) => d.day >= monday).reduce((a, d) => a + d.n, 0),
        today,
        lastDay: perDay.length ? perDay[perDay.length - 1].day : undefined,
        perChannel: channelRows,
      }),
      funnel: funnelView(funnel),
      funnelBase: fr.results.baseStarted(formatCount(funnel[0]?.count ?? 0)),
      timeline: timelineView(timeline),
      channelsBase: fr.results.baseResponses(formatCount(total)),
      // The profile: the first section's questions (who answered).
      questions: sectionViews(req, q.sections[0].id, '/resultats', filter, figures),
    });
  });

  // Live: a small "something changed" event at most a few times a second; pages then refetch.
  // Capped per session or token and per process (429 past it); ends with the session (hub.ts).
  router.get('/resultats/flux', requireApi('admin', 'analyst', 'facilitator'), (req: Request, res: Response) => {
    // Disclosure control (issue 9): protected viewers follow the released count only.
    deps.hub.subscribe(audienceOf(req.staff!.role) === 'full' ? RESULTS_TOPIC : RELEASED_TOPIC, res, deps.streamOwner(req));
  });

  // One table's CSV is served by the exports router (src/exports/routes.ts), which answers scripts
  // with 401/403 rather than the login page: leave it that path.
  router.get('/resultats/tableau.csv', (_req, _res, next) => next('router'));

  router.get('/resultats/:section', requirePage('admin', 'analyst', 'facilitator'), (req, res, next) => {
    const section = q.sections.find((s) => s.id === req.params.section);
    if (!section) return next();
    const { filter, errors } = readFilter(req);
    const figures = figuresFor(audienceOf(req.staff!.role), filter);
    const path = `/resultats/${section.id}`;
    res.status(errors.length ? 400 : 200).render('results/section', {
      pageTitle: `${fr.results.title} – ${section.title}`,
      ...common(req, path, section.id, filter, errors),
      section: { id: section.id, title: section.title },
      ...totalView(figures),
      weightedNotice: weightedNotice(figures),
      questions: sectionViews(req, section.id, path, filter, figures),
    });
  });

  // Same figures as results.csv, for scripts and for the dashboard's live refresh.
  router.get('/api/results.json', requireApi('admin', 'analyst', 'facilitator'), (req, res) => {
    const parsed = parseFilters(req.query, q, filterOptions());
    if (!parsed.ok) return res.status(400).json({ errors: parsed.errors });
    const forbidden = forbiddenFor(req, parsed.filter);
    if (forbidden.length) return res.status(400).json({ errors: forbidden });
    const refused = weighting.error(parsed.filter);
    if (refused) return res.status(400).json({ errors: [refused] });
    const figures = figuresFor(audienceOf(req.staff!.role), parsed.filter);
    res.json({ ...figures, weighted: figures.weighted === true });
  });

  return router;
}
