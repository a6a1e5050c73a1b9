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
import { formatCount, formatPercent, filterForm, funnelView, questionViews } from './dashboardView.js';
import { parseFilters, type Filter, type FilterError } from './filters.js';
import { participation } from './participation.js';
import { filterVariables } from './model.js';

export const RESULTS_TOPIC = 'resultats';

export type ResultsDeps = {
  db: Db;
  questionnaire: Questionnaire;
  territory: Territory;
  campaign: () => Campaign;
  hub: SseHub;
  /** Who a stream belongs to (caps, and closing it with its session or token). */
  streamOwner: (req: Request) => StreamOwner;
};

/**
 * The staff dashboard: participation, then one page per section with a table (and a chart) per
 * question. Filters are a plain GET form; the same query string drives the JSON API and the
 * exports. Facilitators see the aggregate charts, never exports or raw responses.
 */
export function resultsRouter(deps: ResultsDeps) {
  const { db, questionnaire: q, territory } = deps;
  const router = express.Router();
  const filterable = new Set(filterVariables(q).map((v) => v.id));
  const communeName = (insee: string) => territory.byInsee.get(insee)?.name ?? insee;
  // The running total (one row), kept in the completion transaction: counting the status index
  // would take ~40 ms of the only thread per live update at 1,000,000 responses.
  const countComplete = db.prepare(`SELECT coalesce((SELECT n FROM result_bases WHERE question_id = ?), 0) AS n`).bind(TOTAL_KEY);
  // Every view of the dashboard and the JSON API: computed once per filter until the data changes.
  const results = createResultsCache(db, q, { communeName });

  deps.hub.define(RESULTS_TOPIC, () => ({ responses: (countComplete.get() as { n: number }).n }));

  /** Filters from the query string, or the errors to show next to the form. */
  const readFilter = (req: Request): { filter: Filter; errors: FilterError[] } => {
    const parsed = parseFilters(req.query, q, {
      channels: deps.campaign().channels.map((c) => c.code),
      communeExists: (code) => territory.byInsee.has(code),
    });
    return parsed.ok ? { filter: parsed.filter, errors: [] } : { filter: { answers: [], channels: [], excludeFlagged: false }, errors: parsed.errors };
  };

  const nav = (current: string) => [
    { href: '/resultats', label: fr.results.participation, current: current === '' },
    ...q.sections.map((s) => ({ href: `/resultats/${s.id}`, label: s.title, current: current === s.id })),
  ];

  const common = (req: Request, path: string, current: string, filter: Filter, errors: FilterError[]) => ({
    nav: nav(current),
    filters: filterForm(q, deps.campaign(), filter, path),
    filterErrors: errors,
    canExport: req.staff!.role !== 'facilitator',
    exportQuery: new URLSearchParams(req.query as Record<string, string>).toString(),
    dashboard: true,
  });

  router.get('/resultats', requirePage('admin', 'analyst', 'facilitator'), (req, res) => {
    const { filter, errors } = readFilter(req);
    const figures = results.get(filter);
    const { perDay, perChannel } = participation(db, q, filter);
    const labels = new Map(deps.campaign().channels.map((c) => [c.code, c.label]));
    const total = figures.responses;
    // The profile: the first section's questions (who answered).
    const profile = questionViews({ ...figures, questions: figures.questions.filter((x) => x.section.id === q.sections[0].id) }, filter, '/resultats', filterable);
    res.status(errors.length ? 400 : 200).render('results/participation', {
      pageTitle: fr.results.participation,
      ...common(req, '/resultats', '', filter, errors),
      total: formatCount(total),
      totalRaw: total,
      funnel: funnelView(completionFunnel(db, q, { channels: filter.channels, from: filter.from, to: filter.to })),
      perDay: perDay.map((d) => ({ day: d.day, label: new Date(`${d.day}T12:00:00Z`).toLocaleDateString('fr-FR', { dateStyle: 'medium', timeZone: 'UTC' }), count: formatCount(d.n), n: d.n })),
      perDayData: JSON.stringify({ labels: perDay.map((d) => d.day), counts: perDay.map((d) => d.n) }),
      perChannel: perChannel.map((c) => ({
        label: c.channel ? (labels.get(c.channel) ?? c.channel) : fr.results.noChannel,
        count: formatCount(c.n),
        percent: formatPercent(total ? (100 * c.n) / total : null),
      })),
      questions: profile,
    });
  });

  // Live: a small "something changed" event at most a few times a second; pages then refetch.
  // Capped per session or token and per process (429 past it); ends with the session (hub.ts).
  router.get('/resultats/flux', requireApi('admin', 'analyst', 'facilitator'), (req: Request, res: Response) => {
    deps.hub.subscribe(RESULTS_TOPIC, res, deps.streamOwner(req));
  });

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
      questions: questionViews({ ...figures, questions: figures.questions.filter((x) => x.section.id === section.id) }, filter, path, filterable),
    });
  });

  // Same figures as results.csv, for scripts and for the dashboard's live refresh.
  router.get('/api/results.json', requireApi('admin', 'analyst', 'facilitator'), (req, res) => {
    const { filter, errors } = readFilter(req);
    if (errors.length) return res.status(400).json({ errors });
    res.json(results.get(filter));
  });

  return router;
}
