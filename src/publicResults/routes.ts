import express, { type Request, type Response } from 'express';
import type { Db } from '../db/connection.js';
import { resultsFor } from '../privacy/results.js';
import type { Questionnaire } from '../questionnaire/schema.js';
import { createResultsCache } from '../results/cache.js';
import { NO_FILTER } from '../results/filters.js';
import { audit } from '../staff/audit.js';
import { requirePage } from '../staff/auth.js';
import { fr } from '../strings.js';
import { INTRO_MAX, type PublicResultsStore } from './store.js';
import { publicPageView, publishableQuestions } from './view.js';

// /resultats-publics: the results page an admin publishes for the young people, and its admin
// page /admin/resultats-publics (choose, preview, publish, unpublish).
//
// What the public gets is the protected audience's figures without any filter: the public cannot
// filter at all. A filter is a selection chosen by the reader, and two selections compared
// (« tous » against « tous sauf les 18-25 ans ») give back the small group between them; the
// page has no use for that risk. Figures come from released responses (they move by steps of K)
// and go through protectResults, like a facilitator's.

export type PublicResultsDeps = { db: Db; questionnaire: Questionnaire; store: PublicResultsStore; minGroupSize: number; now: () => Date };

const t = fr.publicResults;
const a = t.admin;

export function publicResultsRouter(deps: PublicResultsDeps) {
  const { db, questionnaire: q, store } = deps;
  const k = deps.minGroupSize;
  const router = express.Router();
  // Recomputed once per release (at most every K completions), whoever asks.
  const released = createResultsCache(db, q, { stamp: 'released', max: 1 });
  const publishable = publishableQuestions(q);
  const publishableIds = new Set(publishable.map((x) => x.id));

  const view = (settings: { intro: string; questions: readonly string[] }) =>
    publicPageView(q, resultsFor('protected', released.get({ ...NO_FILTER, releasedOnly: true }), k), settings, k);
  // Nothing of the staff area on these pages, even for a signed-in admin: no staff bar.
  const publicLocals = { staff: false, staffNav: undefined, styles: ['/static/css/public-results.css'] };

  router.get('/resultats-publics', (_req, res) => {
    const settings = store.get();
    if (!settings.published) {
      return res.status(404).render('public-results/not-found', { ...publicLocals, pageTitle: t.notFoundTitle });
    }
    res.render('public-results/page', { ...publicLocals, pageTitle: t.title, ...view(settings) });
  });

  router.get('/admin/resultats-publics/apercu', requirePage('admin'), (_req, res) => {
    const settings = store.get();
    res.render('public-results/page', { ...publicLocals, pageTitle: a.previewTitle, preview: true, ...view(settings) });
  });

  const adminPage = (res: Response, extra: { notice?: string; errors?: Record<string, string>; chosen?: string[]; intro?: string } = {}, status = 200) => {
    const settings = store.get();
    const chosen = new Set(extra.chosen ?? settings.questions);
    const sections: { title: string; questions: { id: string; label: string; checked: boolean }[] }[] = [];
    for (const p of publishable) {
      let s = sections.find((x) => x.title === p.section);
      if (!s) sections.push((s = { title: p.section, questions: [] }));
      s.questions.push({ id: p.id, label: p.label, checked: chosen.has(p.id) });
    }
    const errors = extra.errors ?? {};
    res.status(status).render('public-results/admin', {
      pageTitle: Object.keys(errors).length ? `Erreur : ${a.title}` : a.title,
      styles: ['/static/css/public-results.css'],
      lead: a.lead(k),
      published: settings.published,
      state: settings.published ? a.published : a.unpublished,
      sections,
      intro: extra.intro ?? settings.intro,
      introHint: a.introHint(INTRO_MAX),
      introMax: INTRO_MAX,
      errors,
      errorList: Object.entries(errors).map(([field, message]) => ({ field, message })),
      notice: extra.notice,
    });
  };

  router.get('/admin/resultats-publics', requirePage('admin'), (_req, res) => adminPage(res));

  router.post('/admin/resultats-publics', requirePage('admin'), (req: Request, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const raw = body.questions;
    const chosen = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).map(String);
    const intro = typeof body.intro === 'string' ? body.intro.replace(/\r\n/g, '\n').trim() : '';
    const publish = body.action === 'publier';
    const errors: Record<string, string> = {};
    const unknown = chosen.find((id) => !publishableIds.has(id));
    if (unknown !== undefined) errors.questions = a.unknownQuestion(unknown.slice(0, 60));
    else if (!chosen.length) errors.questions = a.noQuestion;
    if ([...intro].length > INTRO_MAX) errors.intro = a.introTooLong([...intro].length, INTRO_MAX);
    if (Object.keys(errors).length) {
      return adminPage(res, { errors, chosen: chosen.filter((id) => publishableIds.has(id)), intro: typeof body.intro === 'string' ? body.intro : '' }, 422);
    }
    // Kept in questionnaire order, once each.
    const questions = publishable.map((p) => p.id).filter((id) => chosen.includes(id));
    const now = deps.now();
    const wasPublished = store.get().published;
    db.transaction(() => {
      store.save({ intro, questions, published: publish ? true : undefined }, now);
      audit(db, req.staff!.email, 'settings.public_results', { questions: questions.join(', '), introduction: [...intro].length }, now);
      if (publish && !wasPublished) audit(db, req.staff!.email, 'settings.public_results_publish', undefined, now);
    })();
    adminPage(res, { notice: publish ? a.publishedNotice : a.saved });
  });

  router.post('/admin/resultats-publics/depublier', requirePage('admin'), (req, res) => {
    const now = deps.now();
    const wasPublished = store.get().published;
    db.transaction(() => {
      store.setPublished(false, now);
      if (wasPublished) audit(db, req.staff!.email, 'settings.public_results_unpublish', undefined, now);
    })();
    adminPage(res, { notice: a.unpublishedNotice });
  });

  return router;
}
