import express, { type Request, type Response } from 'express';
import type { Db } from '../db/connection.js';
import type { Questionnaire } from '../questionnaire/schema.js';
import { audit } from '../staff/audit.js';
import { requireApi, requirePage } from '../staff/auth.js';
import { fr } from '../strings.js';
import { computeResults, percentOf } from './aggregate.js';
import { formatCount, formatPercent } from './figures.js';
import {
  cleanRecode,
  deleteRecode,
  derivedFor,
  MAX_GROUPS,
  readRecodes,
  recodeSources,
  saveRecode,
  validateRecode,
  type FieldError,
  type RecodeDef,
  type RecodeInput,
} from './derived.js';

// /analyse/variables (analysts and admins): the recodes, created, edited and deleted with plain
// HTML forms (CSRF), a preview of the counts per group, every error at once next to its field.
// The same by JSON for scripts with an analyst's token: GET /api/recodes, GET / PUT / DELETE
// /api/recodes/<id>. The rule itself (ids, validation, storage) is src/results/derived.ts.

export type RecodeDeps = { db: Db; questionnaire: Questionnaire; now: () => Date };

const t = fr.derived;
const analysts = requirePage('admin', 'analyst');

/** The form's fields: group rows group_code_<i> / group_label_<i>, and assign_<source code> = row index. */
type FormState = { id: string; label: string; source: string; rows: { code: string; label: string }[]; assign: Record<string, string> };

const str = (v: unknown) => (typeof v === 'string' ? v : Array.isArray(v) ? String(v[v.length - 1] ?? '') : '');

function readForm(body: Record<string, unknown>, sourceCodes: string[]): FormState {
  const rows = Array.from({ length: MAX_GROUPS }, (_, i) => ({ code: str(body[`group_code_${i}`]), label: str(body[`group_label_${i}`]) }));
  const assign: Record<string, string> = {};
  for (const c of sourceCodes) assign[c] = str(body[`assign_${c}`]);
  return { id: str(body.id), label: str(body.label), source: str(body.source), rows, assign };
}

/** The recode a form describes (rows left empty are not groups), and which row each group is. */
function formToInput(s: FormState): { input: RecodeInput; rowOf: number[] } {
  const rowOf: number[] = [];
  const groups: RecodeInput['groups'] = [];
  s.rows.forEach((r, i) => {
    const sources = Object.entries(s.assign)
      .filter(([, row]) => row === String(i))
      .map(([code]) => code);
    if (!r.code.trim() && !r.label.trim() && !sources.length) return;
    rowOf.push(i);
    groups.push({ code: r.code, label: r.label, sources });
  });
  return { input: { id: s.id, label: s.label, source: s.source, groups }, rowOf };
}

function defToForm(def: RecodeDef | Omit<RecodeDef, 'position'>): FormState {
  const rows = Array.from({ length: MAX_GROUPS }, (_, i) => ({ code: def.groups[i]?.code ?? '', label: def.groups[i]?.label ?? '' }));
  const assign: Record<string, string> = {};
  def.groups.forEach((g, i) => g.sources.forEach((c) => (assign[c] = String(i))));
  return { id: def.id, label: def.label, source: def.source, rows, assign };
}

export function recodeRouter(deps: RecodeDeps) {
  const { db, questionnaire: q } = deps;
  const router = express.Router();
  const sources = () => recodeSources(q);
  const sourceOf = (id: string) => sources().find((v) => v.id === id);

  /** Counts per group over every completed response (the running totals: cheap). */
  const preview = (input: RecodeInput) => {
    const table = computeResults(db, q)
      .questions.flatMap((x) => x.tables)
      .find((x) => x.id === input.source);
    if (!table) return undefined;
    const count = (code: string) => table.options.find((o) => o.code === code)?.count ?? 0;
    const groups = input.groups.map((g) => ({ label: g.label || g.code, n: g.sources.reduce((a, c) => a + count(c), 0) }));
    const base = groups.reduce((a, g) => a + g.n, 0);
    return {
      base: t.previewBase(formatCount(base)),
      rows: groups.map((g) => ({ label: g.label, count: formatCount(g.n), percent: formatPercent(percentOf(g.n, base)) })),
    };
  };

  const list = (req: Request, res: Response, notice?: string) => {
    const d = derivedFor(db, q);
    const labelOf = new Map(sources().map((v) => [v.id, v.label]));
    const invalid = new Set(d.invalid.map((x) => x.def.id));
    res.render('results/variables', {
      pageTitle: t.title,
      styles: ['/static/css/recodes.css'],
      notice,
      recodes: readRecodes(db).map((r) => ({
        id: r.id,
        label: r.label,
        source: labelOf.get(r.source) ?? r.source,
        groups: r.groups.map((g) => `${g.label} (${g.sources.length})`).join(' · '),
        invalid: invalid.has(r.id),
        href: `/analyse/variables/${encodeURIComponent(r.id)}`,
      })),
      themes: d.themes.map((x) => ({ id: x.variable.id, label: x.variable.label, count: formatCount(x.themes.length) })),
      sources: sources().map((v) => ({ id: v.id, label: `${v.section.title} — ${v.label}` })),
    });
  };

  const form = (res: Response, s: FormState, opts: { editing?: string; errors?: FieldError[]; rowOf?: number[]; preview?: ReturnType<typeof preview>; status?: number }) => {
    const source = sourceOf(s.source);
    if (!source) return list(res.req, res);
    const errors = opts.errors ?? [];
    const rowOf = opts.rowOf ?? [];
    const errorOf = (field: string) => errors.filter((e) => e.field === field).map((e) => e.message).join(' ') || undefined;
    // groups.<k>.<part> → the form row the k-th group came from.
    const rowError = (row: number, part: string) => {
      const k = rowOf.indexOf(row);
      return k === -1 ? undefined : errorOf(`groups.${k}.${part}`);
    };
    // As many rows as the groups typed, plus two empty ones (all rows are sent back, up to the maximum).
    const used = s.rows.reduce((last, r, i) => (r.code || r.label || Object.values(s.assign).includes(String(i)) ? i + 1 : last), 0);
    const shown = Math.min(MAX_GROUPS, Math.max(used + 2, 3));
    const rows = s.rows.slice(0, shown).map((r, i) => ({
      index: i,
      title: t.groupN(i + 1),
      code: r.code,
      label: r.label,
      codeError: rowError(i, 'code'),
      labelError: rowError(i, 'label'),
      sourcesError: rowError(i, 'sources'),
    }));
    res.status(opts.status ?? (errors.length ? 400 : 200)).render('results/variable-form', {
      pageTitle: opts.editing ? t.editTitle(opts.editing) : t.newTitle,
      styles: ['/static/css/recodes.css'],
      title: opts.editing ? t.editTitle(opts.editing) : t.newTitle,
      action: opts.editing ? `/analyse/variables/${encodeURIComponent(opts.editing)}` : '/analyse/variables',
      editing: opts.editing,
      deleteAction: opts.editing ? `/analyse/variables/${encodeURIComponent(opts.editing)}/supprimer` : undefined,
      deleteConfirm: opts.editing ? t.deleteConfirm(opts.editing) : undefined,
      id: s.id,
      label: s.label,
      source: { id: source.id, label: source.label },
      idError: errorOf('id'),
      labelError: errorOf('label'),
      sourceError: errorOf('source'),
      groupsError: errorOf('groups'),
      errors,
      rows,
      assign: source.choices!.map((c) => ({
        code: c.code,
        label: c.label,
        name: `assign_${c.code}`,
        domId: `assign-${c.code}`,
        options: rows.map((r) => ({ value: String(r.index), label: r.label || r.code || r.title, selected: s.assign[c.code] === String(r.index) })),
        none: !s.assign[c.code],
      })),
      preview: opts.preview,
    });
  };

  router.get('/analyse/variables', analysts, (req, res) => list(req, res));

  router.get('/analyse/variables/nouvelle', analysts, (req, res) => {
    const source = sourceOf(str(req.query.source));
    if (!source) return list(req, res);
    form(res, { id: '', label: '', source: source.id, rows: Array.from({ length: MAX_GROUPS }, () => ({ code: '', label: '' })), assign: {} }, {});
  });

  const submit = (req: Request, res: Response, editing?: RecodeDef) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const sourceId = editing ? editing.source : str(body.source);
    const source = sourceOf(sourceId) ?? sourceOf(str(body.source));
    const state = readForm(body, source?.choices?.map((c) => c.code) ?? []);
    if (editing) state.id = editing.id;
    if (!source) {
      res.status(400);
      return list(req, res);
    }
    state.source = source.id;
    const { input, rowOf } = formToInput(state);
    const errors = validateRecode(input, q, readRecodes(db), { editing: editing?.id });
    if (str(body.action) === 'preview' || errors.length) {
      return form(res, state, { editing: editing?.id, errors, rowOf, preview: preview(input), status: errors.length ? 400 : 200 });
    }
    const def = cleanRecode(input);
    saveRecode(db, def);
    audit(db, req.staff!.email, editing ? 'recode.update' : 'recode.create', { variable: def.id, source: def.source }, deps.now());
    res.redirect(303, `/analyse/variables/${encodeURIComponent(def.id)}?enregistre=1`);
  };

  router.post('/analyse/variables', analysts, (req, res) => submit(req, res));

  const find = (id: string) => readRecodes(db).find((r) => r.id === id);

  router.get('/analyse/variables/:id', analysts, (req, res, next) => {
    const def = find(String(req.params.id));
    if (!def) return next();
    const state = defToForm(def);
    const notice = req.query.enregistre === '1' ? t.saved(def.id) : undefined;
    if (!sourceOf(def.source)) return list(req, res, notice);
    res.locals.notice = notice;
    form(res, state, { editing: def.id, preview: preview(def), errors: derivedFor(db, q).invalid.find((x) => x.def.id === def.id)?.errors ?? [], status: 200 });
  });

  router.post('/analyse/variables/:id', analysts, (req, res, next) => {
    const def = find(String(req.params.id));
    if (!def) return next();
    submit(req, res, def);
  });

  router.post('/analyse/variables/:id/supprimer', analysts, (req, res, next) => {
    const id = String(req.params.id);
    if (!deleteRecode(db, id)) return next();
    audit(db, req.staff!.email, 'recode.delete', { variable: id }, deps.now());
    list(req, res, t.deleted(id));
  });

  // JSON API for scripts (personal token of an analyst or an admin).
  const api = requireApi('admin', 'analyst');
  const json = express.json({ limit: '32kb', type: 'application/json' });
  const asJson = (r: RecodeDef) => ({ id: r.id, label: r.label, source: r.source, groups: r.groups });

  router.get('/api/recodes', api, (_req, res) => {
    const invalid = new Map(derivedFor(db, q).invalid.map((x) => [x.def.id, x.errors]));
    res.json({ recodes: readRecodes(db).map((r) => ({ ...asJson(r), ...(invalid.has(r.id) ? { errors: invalid.get(r.id) } : {}) })) });
  });

  router.get('/api/recodes/:id', api, (req, res) => {
    const def = find(String(req.params.id));
    if (!def) return res.status(404).json({ errors: [{ field: 'id', message: t.notFound }] });
    res.json(asJson(def));
  });

  router.put('/api/recodes/:id', api, (req, res) => {
    json(req, res, (err?: unknown) => {
      if (err) return void res.status(400).json({ errors: [{ field: 'body', message: t.apiBadBody }] });
      const body = req.body as { label?: unknown; source?: unknown; groups?: unknown } | undefined;
      if (!body || typeof body !== 'object' || !Array.isArray(body.groups)) return void res.status(400).json({ errors: [{ field: 'body', message: t.apiBadBody }] });
      const id = String(req.params.id);
      const existing = find(id);
      const input: RecodeInput = {
        id,
        label: typeof body.label === 'string' ? body.label : '',
        source: typeof body.source === 'string' ? body.source : '',
        groups: (body.groups as unknown[]).map((g) => {
          const x = (g ?? {}) as { code?: unknown; label?: unknown; sources?: unknown };
          return {
            code: typeof x.code === 'string' ? x.code : '',
            label: typeof x.label === 'string' ? x.label : '',
            sources: Array.isArray(x.sources) ? x.sources.filter((s): s is string => typeof s === 'string') : [],
          };
        }),
      };
      const errors = validateRecode(input, q, readRecodes(db), { editing: existing?.id });
      if (errors.length) return void res.status(400).json({ errors });
      const def = cleanRecode(input);
      saveRecode(db, def);
      audit(db, req.staff!.email, existing ? 'recode.update' : 'recode.create', { variable: def.id, source: def.source, via: req.staffVia }, deps.now());
      res.status(existing ? 200 : 201).json(asJson(find(def.id)!));
    });
  });

  router.delete('/api/recodes/:id', api, (req, res) => {
    const id = String(req.params.id);
    if (!deleteRecode(db, id)) return res.status(404).json({ errors: [{ field: 'id', message: t.notFound }] });
    audit(db, req.staff!.email, 'recode.delete', { variable: id, via: req.staffVia }, deps.now());
    res.status(204).end();
  });

  return router;
}
