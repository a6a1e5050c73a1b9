import express from 'express';
import { textSources } from '../analysis/freeText.js';
import type { Db } from '../db/connection.js';
import type { Questionnaire } from '../questionnaire/schema.js';
import { audit } from '../staff/audit.js';
import { requireApi } from '../staff/auth.js';
import { fr } from '../strings.js';
import { listThemes, planReplace, replaceCodebook } from './codebook.js';
import { codebookCsv, CSV_MAX_BYTES, parseCodebookCsv } from './csv.js';
import { applyRules } from './rules.js';

// The codebooks by API, for scripted and repeated consultations, with an analyst's personal token
// (Authorization: Bearer …; CSRF does not apply to token requests, see src/http/csrf.ts):
//   GET  /api/codebooks/<source>        the codebook as CSV
//   PUT  /api/codebooks/<source>        replaces it with the CSV body (422 with the per-line messages)
//   POST /api/codebooks/<source>/apply  codes every uncoded answer its keyword rules match

export type CodingApiDeps = { db: Db; questionnaire: Questionnaire; now: () => Date };

const t = fr.coding.api;

export function codingApi(deps: CodingApiDeps) {
  const { db } = deps;
  const router = express.Router();
  const guard = requireApi('admin', 'analyst');
  const byKey = new Map(textSources(deps.questionnaire).map((s) => [s.key, s]));
  // CSV bodies are read here only (the rest of the app takes HTML forms).
  const text = express.text({ type: ['text/csv', 'text/plain', 'application/csv'], limit: CSV_MAX_BYTES, defaultCharset: 'utf-8' });
  const readCsv: express.RequestHandler = (req, res, next) =>
    text(req, res, (err?: unknown) => {
      const e = err as { type?: string } | undefined;
      if (e?.type === 'entity.too.large') return void res.status(413).json({ errors: [{ message: t.tooLarge }] });
      if (err) return void res.status(415).json({ errors: [{ message: t.csvOnly }] });
      if (typeof req.body !== 'string') return void res.status(415).json({ errors: [{ message: t.csvOnly }] });
      next();
    });
  const sourceOr404: express.RequestHandler = (req, res, next) => {
    if (!byKey.has(String(req.params.source))) return void res.status(404).json({ errors: [{ message: t.unknownSource(String(req.params.source)) }] });
    next();
  };

  router.get('/api/codebooks/:source', guard, sourceOr404, (req, res) => {
    const key = String(req.params.source);
    res.type('text/csv; charset=utf-8').set('Content-Disposition', `attachment; filename="plan-de-codage-${key}.csv"`).send(codebookCsv(listThemes(db, key), { excel: req.query.excel === '1' }));
  });

  router.put('/api/codebooks/:source', guard, sourceOr404, readCsv, (req, res) => {
    const key = String(req.params.source);
    const parsed = parseCodebookCsv(req.body as string);
    if (!parsed.ok) return res.status(422).json({ errors: parsed.errors });
    const plan = planReplace(db, key, parsed.themes);
    // Decided: a script never deletes codings by surprise. Removing coded themes needs ?confirm=1.
    if (plan.impact.codings > 0 && req.query.confirm !== '1') {
      return res.status(409).json({ errors: [{ message: t.removesCodings }], removed: plan.removed.map((r) => ({ code: r.code, codings: r.codings })) });
    }
    const done = replaceCodebook(db, key, parsed.themes);
    audit(db, req.staff!.email, 'coding.codebook', { question: key, action: fr.coding.audit.import, themes: parsed.themes.length, via: req.staffVia }, deps.now());
    res.json({
      source: key,
      themes: parsed.themes.length,
      added: done.added,
      changed: done.changed,
      removed: done.removed.map((r) => ({ code: r.code, codings: r.codings })),
      codings_removed: done.impact.codings,
      answers_uncoded: done.impact.uncoded,
    });
  });

  router.post('/api/codebooks/:source/apply', guard, sourceOr404, (req, res) => {
    const source = byKey.get(String(req.params.source))!;
    const plan = applyRules(db, source, listThemes(db, source.key));
    audit(db, req.staff!.email, 'coding.rules', { question: source.key, codees: plan.matched, via: req.staffVia }, deps.now());
    res.json({
      source: source.key,
      uncoded_before: plan.uncoded,
      coded: plan.matched,
      themes: Object.fromEntries(plan.perTheme.map((p) => [p.code, p.count])),
    });
  });

  return router;
}
