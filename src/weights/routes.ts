import express, { type Request, type Response } from 'express';
import type { Campaign } from '../campaign/campaign.js';
import { frenchDateTime } from '../dates/french.js';
import type { Db } from '../db/connection.js';
import type { Questionnaire } from '../questionnaire/schema.js';
import { filterForm } from '../results/dashboardView.js';
import { parseFiltersLenient } from '../results/filters.js';
import { filterVariables } from '../results/model.js';
import { audit } from '../staff/audit.js';
import { requireApi, requirePage } from '../staff/auth.js';
import { fr } from '../strings.js';
import type { Territory } from '../territory/communes.js';
import { ensureWeights } from './current.js';
import { formOf, getMargin, isFilled, listMargins, readForm, saveMargin, validateMargin, type MarginErrors, type MarginForm, type ReferenceMargin } from './margins.js';
import { computeWeighting, DEFAULT_SPEC, removeWeighting, resolveSpec, saveWeighting, savedWeighting, type SpecError, type WeightingSpec } from './raking.js';
import { compare } from './representativeness.js';
import { comparisonView, marginChoiceLabel, summaryView, weightsJson } from './view.js';

// Reference margins (admins), representativeness and weighting (analysts and admins), and the
// weights in force as JSON. Thin routes: the figures come from margins.ts, representativeness.ts
// and raking.ts.

export type WeightsDeps = { db: Db; questionnaire: Questionnaire; territory: Territory; campaign: () => Campaign; now: () => Date };

const t = fr.weights;
const analysts = requirePage('admin', 'analyst');
const STYLES = ['/static/css/weights.css'];

export function weightsRouter(deps: WeightsDeps) {
  const { db, questionnaire: q, territory } = deps;
  const router = express.Router();
  const labels = new Map(filterVariables(q).map((v) => [v.id, v.label]));
  const labelOf = (id: string) => labels.get(id) ?? id;

  // ---- Reference margins (admins edit, analysts read them on the representativeness page) ----

  const marginsPage = (res: Response, opts: { editing?: { id: string; form: MarginForm; errors: MarginErrors }; notice?: string } = {}, status = 200) => {
    const inUse = new Set(savedWeighting(db)?.spec.margins ?? []);
    const margins = listMargins(db).map((m) => {
      const mine = opts.editing?.id === m.id ? opts.editing : undefined;
      const form = mine?.form ?? formOf(m);
      const errors = mine?.errors ?? {};
      return {
        id: m.id,
        title: m.label,
        variable: t.margins.variable(labelOf(m.variable)),
        universe: m.universe ? t.margins.universe(labelOf(m.universe.variable), m.universe.codes.join(', ')) : null,
        filled: isFilled(m),
        inUse: inUse.has(m.id),
        form,
        errors,
        sharesError: errors.shares,
        hasErrors: Object.keys(errors).length > 0,
        categories: m.categories.map((c) => ({
          code: c.code,
          label: c.label,
          codes: t.margins.codesOf(c.codes.join(', ')),
          value: form.shares[c.code] ?? '',
          error: errors[`share.${c.code}`],
          field: `share.${c.code}`,
          domId: `marge-${m.id}-${c.code}`,
        })),
      };
    });
    res.status(status).render('weights/margins', { pageTitle: opts.editing ? t.errorTitle(t.margins.title) : t.margins.title, styles: STYLES, margins, notice: opts.notice, invalid: Boolean(opts.editing) });
  };

  router.get('/admin/marges', requirePage('admin'), (_req, res) => marginsPage(res));
  router.post('/admin/marges/:id', requirePage('admin'), (req, res, next) => {
    const m = getMargin(db, String(req.params.id));
    if (!m) return next();
    const form = readForm((req.body ?? {}) as Record<string, unknown>, m);
    const v = validateMargin(m, form, deps.now());
    if (!v.ok) return marginsPage(res, { editing: { id: m.id, form, errors: v.errors } }, 422);
    saveMargin(db, m.id, v.value);
    audit(db, req.staff!.email, 'margins.update', { marge: m.id, parts: Object.fromEntries(v.value.categories.map((c) => [c.code, c.share])), source: v.value.source, annee: v.value.year }, deps.now());
    marginsPage(res, { notice: t.margins.saved(v.value.label) });
  });

  // ---- Representativeness ----

  const readFilter = (req: Request) =>
    parseFiltersLenient(req.query, q, { channels: deps.campaign().channels.map((c) => c.code), communeExists: (code) => territory.byInsee.has(code) });

  router.get('/analyse/representativite', analysts, (req, res) => {
    const { filter, errors } = readFilter(req);
    const comparisons = compare(db, q, filter).map((c) => comparisonView(c, labelOf));
    res.status(errors.length ? 400 : 200).render('weights/representativeness', {
      pageTitle: t.representativeness.title,
      dashboard: true,
      styles: STYLES,
      filters: filterForm(q, deps.campaign(), filter, '/analyse/representativite', errors, req.query as Record<string, unknown>),
      filterErrors: errors,
      comparisons,
      isAdmin: req.staff!.role === 'admin',
    });
  });

  // ---- Weighting ----

  type SpecForm = { margins: string[]; tolerance: string; maxIterations: string; trim: boolean; cap: string };
  const specFormOf = (s: WeightingSpec): SpecForm => ({
    margins: s.margins,
    tolerance: new Intl.NumberFormat('fr-FR', { maximumSignificantDigits: 6, useGrouping: false }).format(s.tolerance * 100),
    maxIterations: String(s.maxIterations),
    trim: s.cap !== null,
    cap: s.cap === null ? '5' : new Intl.NumberFormat('fr-FR', { maximumSignificantDigits: 6, useGrouping: false }).format(s.cap),
  });
  const readSpecForm = (src: Record<string, unknown>): SpecForm => {
    const str = (k: string) => (typeof src[k] === 'string' ? (src[k] as string) : Array.isArray(src[k]) ? String((src[k] as unknown[]).at(-1) ?? '') : '');
    const ms = src.margins;
    return {
      margins: (Array.isArray(ms) ? ms : ms === undefined ? [] : [ms]).filter((x): x is string => typeof x === 'string'),
      tolerance: str('tolerance'),
      maxIterations: str('max_iterations'),
      trim: ['1', 'on', 'true'].includes(str('trim')),
      cap: str('cap'),
    };
  };
  const number = (s: string) => {
    const v = s.trim().replace(/\s/g, '').replace(',', '.');
    return /^\d+(\.\d+)?(e-?\d+)?$/i.test(v) ? Number(v) : NaN;
  };
  const parseSpec = (f: SpecForm): { spec: WeightingSpec; errors: SpecError[] } => {
    const errors: SpecError[] = [];
    const tol = number(f.tolerance);
    if (!(tol > 0 && tol <= 5)) errors.push({ field: 'tolerance', message: t.weighting.toleranceInvalid });
    const it = f.maxIterations.trim();
    if (!/^\d{1,4}$/.test(it) || Number(it) < 1 || Number(it) > 1000) errors.push({ field: 'max_iterations', message: t.weighting.iterationsInvalid });
    const cap = f.trim ? number(f.cap) : null;
    if (f.trim && !(cap! > 1 && cap! <= 100)) errors.push({ field: 'cap', message: t.weighting.capInvalid });
    const spec = { margins: [...new Set(f.margins)], tolerance: tol / 100, maxIterations: Number(it), cap };
    const r = resolveSpec(db, q, spec);
    if (!r.ok) errors.push(...r.errors);
    return { spec, errors };
  };

  const weightingPage = (req: Request, res: Response, opts: { form?: SpecForm; errors?: SpecError[]; preview?: ReturnType<typeof summaryView>; notice?: string } = {}, status = 200) => {
    const current = ensureWeights(db, q);
    const saved = savedWeighting(db);
    const form = opts.form ?? specFormOf(saved?.spec ?? { ...DEFAULT_SPEC, margins: listMargins(db).filter((m) => isFilled(m) && m.id !== 'epci_tous_ages').map((m) => m.id) });
    const errors = opts.errors ?? [];
    const errorOf = (field: string) => errors.filter((e) => e.field === field).map((e) => e.message);
    const margins = listMargins(db).map((m: ReferenceMargin) => ({ id: m.id, label: marginChoiceLabel(m), filled: isFilled(m), checked: form.margins.includes(m.id) }));
    const summary = saved?.summary;
    res.status(status).render('weights/weighting', {
      pageTitle: errors.length ? t.errorTitle(t.weighting.title) : t.weighting.title,
      styles: STYLES,
      notice: opts.notice,
      form,
      margins,
      errors,
      marginsErrors: errorOf('margins'),
      toleranceError: errorOf('tolerance')[0],
      iterationsError: errorOf('max_iterations')[0],
      capError: errorOf('cap')[0],
      preview: opts.preview,
      current: current && summary && !('error' in summary) ? { ...summaryView(summary), inForce: t.weighting.inForce(saved!.savedBy ?? '', frenchDateTime(new Date(saved!.savedAt))) } : null,
      broken: summary && 'error' in summary ? summary.error : null,
      hasSaved: Boolean(saved),
    });
  };

  router.get('/analyse/ponderation', analysts, (req, res) => {
    if (req.query.calculer === undefined) return weightingPage(req, res);
    const form = readSpecForm(req.query as Record<string, unknown>);
    const { spec, errors } = parseSpec(form);
    if (errors.length) return weightingPage(req, res, { form, errors }, 400);
    const r = resolveSpec(db, q, spec);
    if (!r.ok) return weightingPage(req, res, { form, errors: r.errors }, 400);
    const computed = db.transaction(() => computeWeighting(db, r.resolved, spec))();
    if (!computed.summary.responses) return weightingPage(req, res, { form, errors: [{ field: 'margins', message: t.weighting.noResponses }] }, 400);
    weightingPage(req, res, { form, preview: summaryView(computed.summary) });
  });

  router.post('/analyse/ponderation', analysts, (req, res) => {
    const form = readSpecForm((req.body ?? {}) as Record<string, unknown>);
    const { spec, errors } = parseSpec(form);
    if (errors.length) return weightingPage(req, res, { form, errors }, 422);
    saveWeighting(db, q, spec, req.staff!.email, deps.now());
    audit(db, req.staff!.email, 'weighting.save', { marges: spec.margins, tolerance: spec.tolerance, iterations: spec.maxIterations, plafond: spec.cap }, deps.now());
    weightingPage(req, res, { notice: t.weighting.saved });
  });

  router.post('/analyse/ponderation/retirer', analysts, (req, res) => {
    if (removeWeighting(db)) audit(db, req.staff!.email, 'weighting.remove', undefined, deps.now());
    weightingPage(req, res, { notice: t.weighting.removed });
  });

  router.get('/api/weights.json', requireApi('admin', 'analyst'), (_req, res) => {
    const current = ensureWeights(db, q);
    const saved = savedWeighting(db);
    const summary = saved?.summary;
    if (!current || !saved || !summary || 'error' in summary) return res.status(404).json({ error: t.weighting.apiNone, ...(summary && 'error' in summary ? { problems: summary.error } : {}) });
    res.json(weightsJson(summary, { savedAt: saved.savedAt, savedBy: saved.savedBy }));
  });

  return router;
}

