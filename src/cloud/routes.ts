import express, { type Request, type Response } from 'express';
import type { Campaign } from '../campaign/campaign.js';
import type { Db } from '../db/connection.js';
import { dialectOf } from '../exports/csv.js';
import { textSources, type TextSource } from '../analysis/freeText.js';
import type { Questionnaire } from '../questionnaire/schema.js';
import { filterToQuery, isEmptyFilter, parseFiltersLenient, type Filter, type FilterError } from '../results/filters.js';
import { filterWords } from '../results/filterWords.js';
import { filterVariables } from '../results/model.js';
import { audit } from '../staff/audit.js';
import { requirePage } from '../staff/auth.js';
import { fr } from '../strings.js';
import type { Territory } from '../territory/communes.js';
import { cachedCloud, comparisonVariables } from './data.js';
import { addExclusions, exclusionsOf, removeExclusion } from './exclusions.js';
import { cloudCsv, cloudView } from './view.js';

// The survey's word cloud, for analysts and admins (never facilitators: it is built from free
// text): /analyse/nuage/<source> under the results filters, compare=<variable> for one cloud per
// group, the exclusion list (POST, CSRF), the entries as CSV.

export type CloudDeps = { db: Db; questionnaire: Questionnaire; territory: Territory; campaign: () => Campaign; now: () => Date };

const t = fr.wordCloud;
const analysts = requirePage('admin', 'analyst');

export function cloudRouter(deps: CloudDeps) {
  const { db, questionnaire: q, territory } = deps;
  const router = express.Router();
  const sources = new Map(textSources(q).map((s) => [s.key, s]));
  const comparable = comparisonVariables(filterVariables(q));
  const byId = new Map(comparable.map((v) => [v.id, v]));

  const readFilter = (query: unknown): { filter: Filter; errors: FilterError[] } =>
    parseFiltersLenient(query, q, { channels: deps.campaign().channels.map((c) => c.code), communeExists: (code) => territory.byInsee.has(code), db });
  const readCompare = (req: Request) => {
    const asked = typeof req.query.compare === 'string' ? req.query.compare : '';
    return { asked, variable: asked ? byId.get(asked) : undefined };
  };
  const queryOf = (filter: Filter, compare?: string) => {
    const qs = filterToQuery(filter);
    if (compare) qs.set('compare', compare);
    return qs.toString();
  };

  const render = (req: Request, res: Response, source: TextSource, form: { status: number; typed?: string; error?: string; notice?: string; filterQuery?: unknown }) => {
    const { filter, errors } = readFilter(form.filterQuery ?? req.query);
    const compare = readCompare(req);
    const query = queryOf(filter, compare.variable?.id);
    const exclusions = exclusionsOf(db, source.key);
    const tally = cachedCloud(db, q, source, filter, compare.variable);
    const view = cloudView(tally, new Set(exclusions.map((e) => e.key)), { compare: compare.variable, title: source.label, fileStem: `nuage-${source.key}` });
    const filterQuery = filterToQuery(filter).toString();
    const compareErrors = compare.asked && !compare.variable ? [{ field: 'compare', message: t.compareUnknown }] : [];
    res.status(form.status === 200 && (errors.length || compareErrors.length) ? 400 : form.status).render('cloud/cloud', {
      pageTitle: t.title(source.label),
      source,
      widePage: true,
      wordCloudPage: true,
      styles: ['/static/css/analysis.css', '/static/css/cloud.css'],
      filters: {
        words: filterWords(filter, { q, channelLabel: (c) => deps.campaign().channels.find((x) => x.code === c)?.label, communeName: (c) => territory.byInsee.get(c)?.name, db }),
        errors: [...errors, ...compareErrors],
        active: !isEmptyFilter(filter),
        query: filterQuery,
      },
      hidden: [...filterToQuery(filter)].map(([name, value]) => ({ name, value })),
      compareOptions: comparable.map((v) => ({ id: v.id, label: v.label, selected: v.id === compare.variable?.id })),
      action: `/analyse/nuage/${source.key}/exclusions${query ? `?${query}` : ''}`,
      csvHref: `/analyse/nuage/${source.key}/mots.csv${query ? `?${query}` : ''}`,
      textsHref: `/analyse/textes/${source.key}${filterQuery ? `?${filterQuery}` : ''}`,
      backHref: `/analyse${filterQuery ? `?${filterQuery}` : ''}`,
      exclusions,
      typed: form.typed ?? '',
      error: form.error,
      notice: form.notice,
      ...view,
    });
  };

  router.get('/analyse/nuage/:key', analysts, (req, res, next) => {
    const source = sources.get(String(req.params.key));
    if (!source) return next();
    const added = [req.query.mot].flat().filter((w): w is string => typeof w === 'string' && w.length <= 60);
    const notice = req.query.exclu === '1' && added.length ? t.added(added) : req.query.remis === '1' ? t.restored : undefined;
    render(req, res, source, { status: 200, notice });
  });

  router.post('/analyse/nuage/:key/exclusions', analysts, (req, res, next) => {
    const source = sources.get(String(req.params.key));
    if (!source) return next();
    const body = (req.body ?? {}) as Record<string, unknown>;
    const query = queryOf(readFilter(req.query).filter, readCompare(req).variable?.id);
    const back = (extra: string) => `/analyse/nuage/${source.key}?${query ? `${query}&` : ''}${extra}`;
    if (typeof body.remove === 'string') {
      if (!removeExclusion(db, source.key, body.remove)) return render(req, res, source, { status: 400, error: t.errors.notExcluded });
      audit(db, req.staff!.email, 'cloud.exclusions', { source: source.key, retire: 1 }, deps.now());
      return res.redirect(303, back('remis=1'));
    }
    const typed = typeof body.words === 'string' ? body.words.slice(0, 2000) : '';
    const result = addExclusions(db, source.key, typed);
    if (!result.ok) return render(req, res, source, { status: 400, typed, error: result.error });
    audit(db, req.staff!.email, 'cloud.exclusions', { source: source.key, ajout: result.added.length }, deps.now());
    res.redirect(303, back(`exclu=1&${result.added.map((w) => `mot=${encodeURIComponent(w)}`).join('&')}`));
  });

  router.get('/analyse/nuage/:key/mots.csv', analysts, (req, res, next) => {
    const source = sources.get(String(req.params.key));
    if (!source) return next();
    const { filter } = readFilter(req.query);
    const compare = readCompare(req).variable;
    const excel = req.query.excel === '1';
    const tally = cachedCloud(db, q, source, filter, compare);
    const day = deps.now().toISOString().slice(0, 10);
    audit(db, req.staff!.email, 'export.download', { export: `nuage-${source.key}`, filtres: queryOf(filter, compare?.id) || '(aucun)', via: req.staffVia }, deps.now());
    res
      .status(200)
      .set({
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': `attachment; filename="mon-avenir-en-artois-nuage-${source.key}${excel ? '-excel' : ''}-${day}.csv"`,
        'Cache-Control': 'no-store',
      })
      .send(cloudCsv(tally, new Set(exclusionsOf(db, source.key).map((e) => e.key)), dialectOf(excel), compare));
  });

  return router;
}
