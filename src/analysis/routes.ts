import express, { type Request, type RequestHandler } from 'express';
import type { Campaign } from '../campaign/campaign.js';
import { frenchResponseDay } from '../dates/french.js';
import type { Db } from '../db/connection.js';
import type { Questionnaire } from '../questionnaire/schema.js';
import { filterToQuery, isEmptyFilter, NO_FILTER, parseFilters, type Filter, type FilterError } from '../results/filters.js';
import { filterWords } from '../results/filterWords.js';
import { answerScreener } from '../privacy/answerScreening.js';
import { MASKS } from '../privacy/screening.js';
import { audit } from '../staff/audit.js';
import { requirePage } from '../staff/auth.js';
import { fr } from '../strings.js';
import type { Territory } from '../territory/communes.js';
import { countTexts, readTexts, textSources } from './freeText.js';
import { flagReasonWords, readResponseMeta, responseSections } from './responseView.js';

// The analysts' reading pages (never facilitators: free text and single responses can identify
// a young person): free texts per question under the results filters, one response in full, and
// the flagged responses with what they contain and why they were flagged.

export const TEXTS_PAGE_SIZE = 20;
export const FLAGGED_PAGE_SIZE = 50;

export type AnalysisDeps = {
  db: Db;
  questionnaire: Questionnaire;
  territory: Territory;
  campaign: () => Campaign;
  minSectionSeconds: number;
  now: () => Date;
};

const t = fr.analysis;
const analysts = requirePage('admin', 'analyst');

export function analysisRouter(deps: AnalysisDeps) {
  const { db, questionnaire: q, territory } = deps;
  const router = express.Router();
  const sources = textSources(q);
  const byKey = new Map(sources.map((s) => [s.key, s]));
  const communeName = (insee: string) => territory.byInsee.get(insee)?.name;
  const channelLabel = (code: string | null) => (code ? (deps.campaign().channels.find((c) => c.code === code)?.label ?? code) : t.noChannel);

  const readFilter = (req: Request): { filter: Filter; errors: FilterError[] } => {
    const parsed = parseFilters(req.query, q, {
      channels: deps.campaign().channels.map((c) => c.code),
      communeExists: (code) => territory.byInsee.has(code),
      db,
    });
    return parsed.ok ? { filter: parsed.filter, errors: [] } : { filter: NO_FILTER, errors: parsed.errors };
  };
  const filterView = (filter: Filter, errors: FilterError[]) => ({
    words: filterWords(filter, { q, channelLabel: (c) => deps.campaign().channels.find((x) => x.code === c)?.label, communeName, db }),
    errors,
    query: filterToQuery(filter).toString(),
    active: !isEmptyFilter(filter),
  });
  const flaggedCount = () => (db.prepare('SELECT count(*) AS n FROM responses WHERE flagged = 1').get() as { n: number }).n;

  router.get('/analyse', analysts, (req, res) => {
    const { filter, errors } = readFilter(req);
    const counts = countTexts(db, q, filter);
    const f = filterView(filter, errors);
    res.status(errors.length ? 400 : 200).render('analysis/index', {
      pageTitle: t.title,
      filters: f,
      flaggedLink: t.flaggedLink(flaggedCount()),
      sources: sources.map((s) => ({
        ...s,
        count: t.answersCount(counts.get(s.key) ?? 0),
        href: `/analyse/textes/${s.key}${f.query ? `?${f.query}` : ''}`,
        cloudHref: `/analyse/nuage/${s.key}${f.query ? `?${f.query}` : ''}`,
      })),
      styles: ['/static/css/analysis.css'],
    });
  });

  router.get('/analyse/textes/:key', analysts, (req, res, next) => {
    const source = byKey.get(String(req.params.key));
    if (!source) return next();
    const { filter, errors } = readFilter(req);
    const search = typeof req.query.q === 'string' ? req.query.q.trim().slice(0, 100) : '';
    const asked = Number(req.query.page);
    let page = Number.isInteger(asked) && asked >= 1 ? asked : 1;
    let found = readTexts(db, q, source, filter, { search, limit: TEXTS_PAGE_SIZE, offset: (page - 1) * TEXTS_PAGE_SIZE });
    const pages = Math.max(1, Math.ceil(found.total / TEXTS_PAGE_SIZE));
    if (page > pages) {
      page = pages;
      found = readTexts(db, q, source, filter, { search, limit: TEXTS_PAGE_SIZE, offset: (page - 1) * TEXTS_PAGE_SIZE });
    }
    const f = filterView(filter, errors);
    const path = `/analyse/textes/${source.key}`;
    const link = (p: number) => {
      const qs = filterToQuery(filter);
      if (search) qs.set('q', search);
      if (p > 1) qs.set('page', String(p));
      const s = qs.toString();
      return `${path}${s ? `?${s}` : ''}`;
    };
    const back = f.query ? `?${f.query}` : '';
    const screenAnswer = answerScreener(db);
    res.status(errors.length ? 400 : 200).render('analysis/texts', {
      pageTitle: page > 1 ? `${t.browserTitle(source.label)} – ${t.page(page, pages)}` : t.browserTitle(source.label),
      source,
      path,
      search,
      filters: f,
      hidden: [...filterToQuery(filter)].map(([name, value]) => ({ name, value })),
      clearSearch: search ? link(1).replace(/([?&])q=[^&]*&?/, '$1').replace(/[?&]$/, '') : undefined,
      resultsHref: `/resultats/${q.sections.find((s) => s.title === source.section)?.id ?? ''}${back}#q-${source.questionId}`,
      clearFiltersHref: `${path}${search ? `?q=${encodeURIComponent(search)}` : ''}`,
      cloudHref: `/analyse/nuage/${source.key}${back}`,
      summary: `${t.found(found.total)}${search ? t.matching(search) : ''}`,
      answers: found.answers.map((x) => ({
        text: x.text,
        // Shown in full to analysts, with a warning where the shared screening (or an analyst's
        // manual mask) sees personal data.
        personal: [...new Set(screenAnswer({ responseId: x.responseId, source: source.key }, x.text).masked.map((f) => MASKS[f.kind].replace(/[[\]]/g, '')))].join(', '),
        meta: t.responseOf(frenchResponseDay(x.hour), channelLabel(x.channel)),
        href: `/analyse/reponses/${x.responseId}`,
        maskHref: `/analyse/donnees-personnelles/${source.key}/${x.responseId}`,
      })),
      pageLabel: pages > 1 ? t.page(page, pages) : '',
      previous: page > 1 ? link(page - 1) : undefined,
      next: page < pages ? link(page + 1) : undefined,
      styles: ['/static/css/analysis.css'],
    });
  });

  router.get('/analyse/reponses/:id', analysts, (req, res) => {
    const id = String(req.params.id);
    const meta = /^[0-9a-f-]{8,64}$/i.test(id) ? readResponseMeta(db, id) : undefined;
    if (!meta) {
      return res.status(404).render('errors/message', {
        pageTitle: fr.http.notFoundTitle,
        title: fr.http.notFoundTitle,
        message: t.notFound,
        link: { href: '/analyse', label: t.backToAnalysis },
      });
    }
    res.render('analysis/response', {
      pageTitle: t.responseTitle,
      response: {
        id: meta.id,
        status: t.statuses[meta.status] ?? meta.status,
        isDraft: meta.status !== 'complete',
        channel: channelLabel(meta.channel),
        day: frenchResponseDay(meta.hour),
        flagged: meta.flagged,
        reason: meta.flagged ? flagReasonWords(meta.reason, deps.minSectionSeconds) : t.notFlagged,
      },
      sections: responseSections(db, q, meta.id, communeName),
      styles: ['/static/css/analysis.css'],
    });
  });

  router.get('/analyse/signalements', analysts, (req, res) => {
    const total = flaggedCount();
    const rows = db
      .prepare(
        `SELECT id FROM responses WHERE flagged = 1 ORDER BY coalesce(completed_hour, updated_hour) DESC, id LIMIT ?`,
      )
      .all(FLAGGED_PAGE_SIZE) as { id: string }[];
    res.render('analysis/flagged', {
      pageTitle: t.flaggedTitle,
      count: t.flaggedCount(total),
      notice: req.query.leve === '1' ? t.unflagged : undefined,
      more: total > rows.length ? t.moreFlagged(total - rows.length) : undefined,
      rows: rows.map(({ id }) => {
        const meta = readResponseMeta(db, id)!;
        return {
          id,
          shortId: id.slice(0, 8),
          reason: flagReasonWords(meta.reason, deps.minSectionSeconds),
          status: t.statuses[meta.status] ?? meta.status,
          isDraft: meta.status !== 'complete',
          channel: channelLabel(meta.channel),
          day: frenchResponseDay(meta.hour),
          sections: responseSections(db, q, id, communeName).map((s) => ({ ...s, items: s.items.filter((i) => i.answered) })).filter((s) => s.items.length),
        };
      }),
      styles: ['/static/css/analysis.css'],
    });
  });

  router.post('/analyse/signalements/:id/lever', analysts, (req, res) => {
    const id = String(req.params.id);
    const changed = db.prepare('UPDATE responses SET flagged = 0 WHERE id = ? AND flagged = 1').run(id).changes;
    if (changed) audit(db, req.staff!.email, 'moderation.unflag', { reponse: id }, deps.now());
    res.redirect(303, `/analyse/signalements${changed ? '?leve=1' : ''}`);
  });

  return router;
}

/**
 * On the results pages, where each free text can be read: res.locals.textBrowsers maps a
 * question id to its browser (analysts and admins only; facilitators get no link).
 */
export function textBrowserLinks(q: Questionnaire): RequestHandler {
  const links: Record<string, string> = {};
  for (const s of textSources(q)) links[s.questionId] ??= `/analyse/textes/${s.key}`;
  return (req, res, next) => {
    if (req.staff && req.staffVia === 'session' && req.staff.role !== 'facilitator' && req.path.startsWith('/resultats')) res.locals.textBrowsers = links;
    next();
  };
}
