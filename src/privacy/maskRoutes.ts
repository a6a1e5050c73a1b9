import express, { type Request, type Response } from 'express';
import type { Db } from '../db/connection.js';
import { textSources, type TextSource } from '../analysis/freeText.js';
import type { Questionnaire } from '../questionnaire/schema.js';
import { audit } from '../staff/audit.js';
import { requirePage } from '../staff/auth.js';
import { fr } from '../strings.js';
import { addMask, answerScreener, MANUAL_KINDS, masksOf, MAX_PASSAGE, removeMask, type ManualKind } from './answerScreening.js';
import { cachedMasked, KINDS, segments } from './maskedList.js';

// The analysts' pages of personal data in free text: what the screening masked (per source and
// kind, each answer with its masked passages highlighted) and, per answer, the passages masked by
// hand, added (POST, CSRF) and undone. Analysts and admins only: the pages show the answers as typed.

export type PersonalDataDeps = { db: Db; questionnaire: Questionnaire; now: () => Date };

export const MASKED_PAGE_SIZE = 50;
const t = fr.personalData;
const analysts = requirePage('admin', 'analyst');
const kindLabel = (k: string) => t.kinds[k] ?? k;

export function personalDataRouter(deps: PersonalDataDeps) {
  const { db, questionnaire: q } = deps;
  const router = express.Router();
  const sources = textSources(q);
  const byKey = new Map(sources.map((s) => [s.key, s]));
  const answerPath = (source: string, id: string) => `/analyse/donnees-personnelles/${source}/${id}`;

  router.get('/analyse/donnees-personnelles', analysts, (req, res) => {
    const list = cachedMasked(db, sources);
    const source = typeof req.query.source === 'string' && byKey.has(req.query.source) ? req.query.source : '';
    const kind = typeof req.query.kind === 'string' && (KINDS as readonly string[]).includes(req.query.kind) ? req.query.kind : '';
    const matching = list.answers.filter((a) => (!source || a.source === source) && (!kind || a.spans.some((s) => s.kind === kind)));
    const pages = Math.max(1, Math.ceil(matching.length / MASKED_PAGE_SIZE));
    const asked = Number(req.query.page);
    const page = Number.isInteger(asked) && asked >= 1 ? Math.min(asked, pages) : 1;
    const link = (p: number) => {
      const qs = new URLSearchParams();
      if (source) qs.set('source', source);
      if (kind) qs.set('kind', kind);
      if (p > 1) qs.set('page', String(p));
      const s = qs.toString();
      return `/analyse/donnees-personnelles${s ? `?${s}` : ''}`;
    };
    const total = (k: string) => [...list.counts.values()].reduce((n, c) => n + (c.get(k as never) ?? 0), 0);
    res.render('privacy/masked', {
      pageTitle: t.title,
      widePage: true,
      styles: ['/static/css/analysis.css', '/static/css/cloud.css'],
      kinds: KINDS.map((k) => ({ code: k, label: kindLabel(k), selected: k === kind })),
      sourceOptions: sources.map((s) => ({ key: s.key, label: s.label, selected: s.key === source })),
      counts: sources
        .filter((s) => list.counts.has(s.key))
        .map((s) => {
          const c = list.counts.get(s.key)!;
          const cells = KINDS.map((k) => c.get(k) ?? 0);
          return { label: s.label, href: link(1).replace(/\?.*$/, '') + `?source=${s.key}`, cells, total: cells.reduce((a, b) => a + b, 0), manual: c.get('manual') ?? 0 };
        }),
      totals: { cells: KINDS.map(total), total: KINDS.map(total).reduce((a, b) => a + b, 0), manual: total('manual') },
      summary: t.answersTitle(matching.length),
      answers: matching.slice((page - 1) * MASKED_PAGE_SIZE, page * MASKED_PAGE_SIZE).map((a) => ({
        source: byKey.get(a.source)!.label,
        segments: segments(a.text, a.spans).map((s) => ({ ...s, kindLabel: s.kind ? kindLabel(s.kind) : undefined })),
        kinds: [...new Set(a.spans.map((s) => kindLabel(s.kind) + (s.manual ? ` (${t.manual})` : '')))].join(', '),
        screened: a.screened,
        href: answerPath(a.source, a.responseId),
      })),
      pageLabel: pages > 1 ? t.page(page, pages) : '',
      previous: page > 1 ? link(page - 1) : undefined,
      next: page < pages ? link(page + 1) : undefined,
    });
  });

  const readAnswer = (source: TextSource, id: string): string | undefined => {
    if (!/^[0-9a-f-]{8,64}$/i.test(id)) return undefined;
    const row = db
      .prepare(
        `SELECT a.value_text AS text FROM answers a JOIN responses r ON r.id = a.response_id
         WHERE a.response_id = ? AND a.question_id = ? AND a.option_code = ? AND r.status = 'complete' AND a.value_text <> ''`,
      )
      .get(id, source.questionId, source.optionCode) as { text: string } | undefined;
    return row?.text;
  };

  const renderAnswer = (req: Request, res: Response, form: { status: number; error?: string; typed?: string; kind?: string; notice?: string }) => {
    const source = byKey.get(String(req.params.key));
    const id = String(req.params.id);
    const text = source ? readAnswer(source, id) : undefined;
    if (!source || text === undefined) {
      return res.status(404).render('errors/message', {
        pageTitle: fr.http.notFoundTitle,
        title: fr.http.notFoundTitle,
        message: t.notFound,
        link: { href: '/analyse/donnees-personnelles', label: t.backToList },
      });
    }
    const ref = { responseId: id, source: source.key };
    const s = answerScreener(db)(ref, text);
    const spans = s.masked.map((f) => ({ ...f, manual: s.manual.some((m) => m.start < f.end && m.end > f.start) }));
    const kind = form.kind ?? 'nom';
    res.status(form.status).render('privacy/answer', {
      pageTitle: t.answerTitle,
      maskPage: true,
      styles: ['/static/css/analysis.css', '/static/css/cloud.css'],
      source,
      action: `${answerPath(source.key, id)}/masquer`,
      undoAction: `${answerPath(source.key, id)}/annuler`,
      responseHref: `/analyse/reponses/${id}`,
      segments: segments(text, spans).map((x) => ({ ...x, kindLabel: x.kind ? kindLabel(x.kind) : undefined })),
      screened: s.text,
      automatic: spans.filter((x) => !x.manual).map((x) => ({ text: text.slice(x.start, x.end), kind: kindLabel(x.kind) })),
      masks: masksOf(db, ref).map((m) => ({ id: m.id, passage: m.passage, kind: kindLabel(m.kind) })),
      manualKinds: MANUAL_KINDS.map((k) => ({ code: k, label: t.manualKinds[k], checked: k === kind })),
      typed: form.typed ?? '',
      error: form.error,
      notice: form.notice,
    });
  };

  router.get('/analyse/donnees-personnelles/:key/:id', analysts, (req, res) => {
    renderAnswer(req, res, { status: 200, notice: req.query.masque === '1' ? t.masked : req.query.annule === '1' ? t.unmasked : undefined });
  });

  router.post('/analyse/donnees-personnelles/:key/:id/masquer', analysts, (req, res) => {
    const source = byKey.get(String(req.params.key));
    const id = String(req.params.id);
    const text = source ? readAnswer(source, id) : undefined;
    if (!source || text === undefined) return renderAnswer(req, res, { status: 404 });
    const body = (req.body ?? {}) as Record<string, unknown>;
    // Kept as typed (no trim: the passage is matched exactly), apart from a final line break.
    const passage = typeof body.passage === 'string' ? body.passage.replace(/[\r\n]+$/, '') : '';
    const kind = typeof body.kind === 'string' ? body.kind : '';
    const again = (error: string) => renderAnswer(req, res, { status: 400, error, typed: passage.slice(0, 1000), kind });
    if (!passage.trim()) return again(t.errors.empty);
    if (passage.length > MAX_PASSAGE) return again(t.errors.tooLong(MAX_PASSAGE));
    if (!(MANUAL_KINDS as readonly string[]).includes(kind)) return again(t.errors.kind);
    if (!text.includes(passage)) return again(t.errors.notInAnswer);
    if (!addMask(db, { responseId: id, source: source.key }, passage, kind as ManualKind)) return again(t.errors.already);
    // Which answer, never the passage: the journal must not hold what the mask hides.
    audit(db, req.staff!.email, 'privacy.mask', { source: source.key, reponse: id, type: kind }, deps.now());
    res.redirect(303, `${answerPath(source.key, id)}?masque=1`);
  });

  router.post('/analyse/donnees-personnelles/:key/:id/annuler', analysts, (req, res) => {
    const source = byKey.get(String(req.params.key));
    const id = String(req.params.id);
    if (!source || readAnswer(source, id) === undefined) return renderAnswer(req, res, { status: 404 });
    const mask = Number((req.body as Record<string, unknown> | undefined)?.mask);
    if (!Number.isInteger(mask) || !removeMask(db, { responseId: id, source: source.key }, mask)) return renderAnswer(req, res, { status: 400, error: t.errors.noMask });
    audit(db, req.staff!.email, 'privacy.unmask', { source: source.key, reponse: id }, deps.now());
    res.redirect(303, `${answerPath(source.key, id)}?annule=1`);
  });

  return router;
}
