import express, { type Request, type Response } from 'express';
import type { Campaign } from '../campaign/campaign.js';
import type { Db } from '../db/connection.js';
import type { SseHub } from '../live/hub.js';
import type { Questionnaire } from '../questionnaire/schema.js';
import { requireApi, requirePage } from '../staff/auth.js';
import { fr } from '../strings.js';
import type { Territory } from '../territory/communes.js';
import { completionFunnel } from './aggregate.js';
import { createResultsCache } from './cache.js';
import { TOTAL_KEY } from './counts.js';
import type { Results } from './aggregate.js';
import { filterForm, formatCount, funnelView, questionViews, summaryView, timelineView, withFilter } from './dashboardView.js';
import { filterToQuery, parseFilters, parseFiltersLenient, type Filter, type FilterError } from './filters.js';
import { filterVariables } from './model.js';
import { participation } from './participation.js';
import { buildTimeline, weekStart } from './timeline.js';

export const RESULTS_TOPIC = 'resultats';

export type ResultsDeps = {
  db: Db;
  questionnaire: Questionnaire;
  territory: Territory;
  campaign: () => Campaign;
  hub: SseHub;
  /** The clock (« cette semaine », the time axis up to today). */
  now?: () => Date;
  /** Minimum group size of the disclosure control, for « moins de K » labels. */
  minGroupSize?: number;
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
  const filterable = new Set(filterVariables(q).map((v) => v.id));
  const communeName = (insee: string) => territory.byInsee.get(insee)?.name ?? insee;
  // The running total (one row), kept in the completion transaction: counting the status index
  // would take ~40 ms of the only thread per live update at 1,000,000 responses.
  const countComplete = db.prepare(`SELECT coalesce((SELECT n FROM result_bases WHERE question_id = ?), 0) AS n`).bind(TOTAL_KEY);
  // Every view of the dashboard and the JSON API: computed once per filter until the data changes.
  const results = createResultsCache(db, q, { communeName });

  deps.hub.define(RESULTS_TOPIC, () => ({ responses: (countComplete.get() as { n: number }).n }));

  const filterOptions = () => ({
    channels: deps.campaign().channels.map((c) => c.code),
    communeExists: (code: string) => territory.byInsee.has(code),
  });

  /** Filters from the query string: every valid part kept, the errors shown next to their field. */
  const readFilter = (req: Request): { filter: Filter; errors: FilterError[] } => parseFiltersLenient(req.query, q, filterOptions());

  const nav = (current: string) => [
    { href: '/resultats', label: fr.results.participation, current: current === '' },
    ...q.sections.map((s) => ({ href: `/resultats/${s.id}`, label: s.title, current: current === s.id })),
  ];

  const common = (req: Request, path: string, current: string, filter: Filter, errors: FilterError[]) => {
    const canExport = req.staff!.role !== 'facilitator';
    const query = filterToQuery(filter).toString();
    return {
      nav: nav(current),
      filters: filterForm(q, deps.campaign(), filter, path, errors, req.query as Record<string, unknown>),
      filterErrors: errors,
      canExport,
      exportQuery: query,
      dashboard: true,
    };
  };

  /** Figures of one section, with the links of each table (filter on a row, CSV download). */
  const sectionViews = (req: Request, sectionId: string, path: string, filter: Filter, figures: Results) => {
    const canExport = req.staff!.role !== 'facilitator';
    const query = filterToQuery(filter).toString();
    return questionViews(q, figures, sectionId, {
      minGroupSize: deps.minGroupSize,
      filterHref: (variable, code) => (filterable.has(variable) ? withFilter(path, filter, { add: { variable, code } }) : undefined),
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
    const figures = results.get(filter);
    const { perDay, perChannel } = participation(db, q, filter);
    const labels = new Map(deps.campaign().channels.map((c) => [c.code, c.label]));
    const total = figures.responses;
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
      total: formatCount(total),
      totalRaw: total,
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
  router.get('/resultats/flux', requireApi('admin', 'analyst', 'facilitator'), (_req: Request, res: Response) => {
    deps.hub.subscribe(RESULTS_TOPIC, res);
  });

  // One table's CSV is served by the exports router (src/exports/routes.ts), which answers scripts
  // with 401/403 rather than the login page: leave it that path.
  router.get('/resultats/tableau.csv', (_req, _res, next) => next('router'));

  router.get('/resultats/:section', requirePage('admin', 'analyst', 'facilitator'), (req, res, next) => {
    const section = q.sections.find((s) => s.id === req.params.section);
    if (!section) return next();
    const { filter, errors } = readFilter(req);
    const figures = results.get(filter);
    const path = `/resultats/${section.id}`;
    res.status(errors.length ? 400 : 200).render('results/section', {
      pageTitle: `${fr.results.title} – ${section.title}`,
      ...common(req, path, section.id, filter, errors),
      section: { id: section.id, title: section.title },
      total: formatCount(figures.responses),
      totalRaw: figures.responses,
      questions: sectionViews(req, section.id, path, filter, figures),
    });
  });

  // Same figures as results.csv, for scripts and for the dashboard's live refresh.
  router.get('/api/results.json', requireApi('admin', 'analyst', 'facilitator'), (req, res) => {
    const parsed = parseFilters(req.query, q, filterOptions());
    if (!parsed.ok) return res.status(400).json({ errors: parsed.errors });
    res.json(results.get(parsed.filter));
  });

  return router;
}
