import express, { type Request, type Response } from 'express';
import type { Campaign } from '../campaign/campaign.js';
import { countTexts, textSources, type TextSource } from '../analysis/freeText.js';
import type { Db } from '../db/connection.js';
import type { Questionnaire } from '../questionnaire/schema.js';
import { filterToQuery, isEmptyFilter, NO_FILTER, parseFiltersLenient, type Filter, type FilterError } from '../results/filters.js';
import { filterWords } from '../results/filterWords.js';
import { audit } from '../staff/audit.js';
import { requirePage } from '../staff/auth.js';
import { fr } from '../strings.js';
import type { Territory } from '../territory/communes.js';
import { agreement, codersOf, markSettled } from './agreement.js';
import {
  addTheme,
  deleteTheme,
  getTheme,
  listThemes,
  mergeThemes,
  moveTheme,
  planReplace,
  removalImpact,
  replaceCodebook,
  themeCounts,
  themeFromForm,
  updateTheme,
  type FieldError,
  type Theme,
} from './codebook.js';
import {
  answerText,
  clearCoding,
  codedCounts,
  listAnswers,
  nextToCode,
  previousInScope,
  progress,
  readCoding,
  REFERENCE,
  sampleIds,
  saveCoding,
  type Coding,
  type Scope,
} from './codings.js';
import { codebookCsv, parseCodebookCsv } from './csv.js';
import { applyRules, compileRules, planRules } from './rules.js';

// The analysts' coding pages under /analyse/codage (never facilitators: they show raw free text).
// Every page works as plain HTML forms; public/js/coding.js only adds the keyboard on the screen.

export type CodingDeps = {
  db: Db;
  questionnaire: Questionnaire;
  territory: Territory;
  campaign: () => Campaign;
  now: () => Date;
};

const t = fr.coding;
const analysts = requirePage('admin', 'analyst');
const STYLES = ['/static/css/analysis.css', '/static/css/coding.css'];
// Every coding page uses the wide layout: tables of themes and of agreement, the screen's two columns.
const PAGE = { styles: STYLES, widePage: true };
export const LIST_PAGE_SIZE = 50;
export const DEFAULT_SAMPLE = 100;
const MAX_SAMPLE = 2000;
const RESPONSE_ID = /^[0-9a-f-]{8,64}$/i;

const str = (v: unknown) => (typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? (v[0] as string) : '');
const list = (v: unknown): string[] => (typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const percent = (x: number) => `${new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 0 }).format(x * 100)} %`;
const decimal = (x: number) => new Intl.NumberFormat('fr-FR', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(x);

export function codingRouter(deps: CodingDeps) {
  const { db, questionnaire: q, territory } = deps;
  const router = express.Router();
  const sources = textSources(q);
  const byKey = new Map(sources.map((s) => [s.key, s]));
  const base = (s: TextSource) => `/analyse/codage/${s.key}`;
  const communeName = (insee: string) => territory.byInsee.get(insee)?.name;

  const readFilter = (req: Request): { filter: Filter; errors: FilterError[] } =>
    parseFiltersLenient(req.query, q, { channels: deps.campaign().channels.map((c) => c.code), communeExists: (c) => territory.byInsee.has(c), db });
  const filterView = (filter: Filter, errors: FilterError[]) => ({
    words: filterWords(filter, { q, channelLabel: (c) => deps.campaign().channels.find((x) => x.code === c)?.label, communeName }),
    errors,
    query: filterToQuery(filter).toString(),
    active: !isEmptyFilter(filter),
  });
  const sourceOf = (req: Request) => byKey.get(String(req.params.source));
  const coderName = (coder: string) => {
    if (coder === REFERENCE) return t.reference;
    const row = db.prepare('SELECT email FROM staff_users WHERE id = ?').get(coder) as { email: string } | undefined;
    return row?.email ?? t.deletedAccount;
  };
  const logChange = (req: Request, source: TextSource, what: string, details: Record<string, unknown> = {}) =>
    audit(db, req.staff!.email, 'coding.codebook', { question: source.key, action: what, ...details }, deps.now());

  router.get('/analyse/codage', analysts, (_req, res) => {
    const totals = countTexts(db, q, NO_FILTER);
    const coded = codedCounts(db);
    const themes = new Map((db.prepare('SELECT source, count(*) AS n FROM themes GROUP BY source').all() as { source: string; n: number }[]).map((r) => [r.source, r.n]));
    const nf = new Intl.NumberFormat('fr-FR');
    res.render('coding/index', {
      pageTitle: t.title,
      ...PAGE,
      sources: sources.map((s) => {
        const total = totals.get(s.key) ?? 0;
        const done = coded.get(s.key)?.coded ?? 0;
        return { ...s, href: base(s), total: nf.format(total), coded: nf.format(done), uncoded: nf.format(Math.max(0, total - done)), themes: nf.format(themes.get(s.key) ?? 0) };
      }),
    });
  });

  // ---- Codebook -------------------------------------------------------------------------------

  const notice = (req: Request, themes: Theme[]): string | undefined => {
    const ok = str(req.query.ok);
    const num = Number(str(req.query.n)) || 0;
    const label = (code: string) => themes.find((x) => x.code === code)?.label ?? code;
    switch (ok) {
      case 'ajoute':
        return t.notices.added(label(str(req.query.theme)));
      case 'modifie':
        return t.notices.updated(label(str(req.query.theme)));
      case 'fusionne':
        return t.notices.merged(str(req.query.de), label(str(req.query.theme)), num);
      case 'supprime':
        return t.notices.deleted(str(req.query.de), num);
      case 'importe':
        return t.notices.imported(themes.length);
      case 'regles':
        return t.notices.applied(num);
      default:
        return undefined;
    }
  };

  const renderCodebook = (req: Request, res: Response, source: TextSource, form?: { values: Record<string, string>; errors: FieldError[] }) => {
    const themes = listThemes(db, source.key);
    const counts = themeCounts(db, source.key);
    const p = progress(db, q, source, { kind: 'filter', filter: NO_FILTER }, REFERENCE);
    res.status(form?.errors.length ? 422 : 200).render('coding/codebook', {
      pageTitle: t.codebookTitle(source.label),
      ...PAGE,
      source,
      base: base(source),
      notice: notice(req, themes),
      progress: t.progress(p.coded, p.total),
      uncodable: p.uncodable ? t.uncodableCount(p.uncodable) : '',
      percentDone: p.total ? Math.round((p.coded / p.total) * 100) : 0,
      themes: themes.map((x, i) => ({
        ...x,
        key: i < 9 ? String(i + 1) : '',
        keywords: x.keywords.join(', '),
        count: new Intl.NumberFormat('fr-FR').format(counts.get(x.code) ?? 0),
        href: `${base(source)}/themes/${x.code}`,
      })),
      form: form ?? { values: {}, errors: [] },
      errorFor: Object.fromEntries((form?.errors ?? []).map((e) => [e.field, e.message])),
    });
  };

  router.get('/analyse/codage/:source', analysts, (req, res, next) => {
    const source = sourceOf(req);
    if (!source) return next();
    renderCodebook(req, res, source);
  });

  router.post('/analyse/codage/:source/themes', analysts, (req, res, next) => {
    const source = sourceOf(req);
    if (!source) return next();
    const body = (req.body ?? {}) as Record<string, unknown>;
    const input = themeFromForm(body);
    const r = addTheme(db, source.key, input);
    if (!r.ok) return renderCodebook(req, res, source, { values: { code: str(body.code), label: str(body.label), definition: str(body.definition), keywords: str(body.keywords) }, errors: r.errors });
    logChange(req, source, t.audit.add, { theme: input.code });
    res.redirect(303, `${base(source)}?ok=ajoute&theme=${encodeURIComponent(input.code)}#themes`);
  });

  const renderTheme = (res: Response, source: TextSource, theme: Theme, form?: { values: Record<string, string>; errors: FieldError[] }, mergeError?: string) => {
    const themes = listThemes(db, source.key);
    const codings = removalImpact(db, source.key, [theme.code]).codings;
    res.status(form?.errors.length || mergeError ? 422 : 200).render('coding/theme', {
      pageTitle: t.editTitle(theme.label),
      ...PAGE,
      source,
      base: base(source),
      theme,
      values: form?.values ?? { label: theme.label, definition: theme.definition, keywords: theme.keywords.join(', ') },
      errors: form?.errors ?? [],
      errorFor: Object.fromEntries((form?.errors ?? []).map((e) => [e.field, e.message])),
      mergeIntro: t.mergeIntro(codings),
      mergeError,
      others: themes.filter((x) => x.code !== theme.code),
      first: themes[0]?.code === theme.code,
      last: themes[themes.length - 1]?.code === theme.code,
    });
  };

  const themeOf = (req: Request, source: TextSource) => getTheme(db, source.key, String(req.params.code));

  router.get('/analyse/codage/:source/themes/:code', analysts, (req, res, next) => {
    const source = sourceOf(req);
    const theme = source && themeOf(req, source);
    if (!source || !theme) return next();
    renderTheme(res, source, theme);
  });

  router.post('/analyse/codage/:source/themes/:code', analysts, (req, res, next) => {
    const source = sourceOf(req);
    const theme = source && themeOf(req, source);
    if (!source || !theme) return next();
    const body = (req.body ?? {}) as Record<string, unknown>;
    const action = str(body.action);
    if (action === 'up' || action === 'down') {
      moveTheme(db, source.key, theme.code, action === 'up' ? -1 : 1);
      logChange(req, source, t.audit.move, { theme: theme.code });
      return res.redirect(303, `${base(source)}#themes`);
    }
    const input = themeFromForm({ ...body, code: theme.code });
    const r = updateTheme(db, source.key, theme.code, input);
    if (!r.ok) return renderTheme(res, source, theme, { values: { label: str(body.label), definition: str(body.definition), keywords: str(body.keywords) }, errors: r.errors });
    logChange(req, source, t.audit.update, { theme: theme.code });
    res.redirect(303, `${base(source)}?ok=modifie&theme=${encodeURIComponent(theme.code)}#themes`);
  });

  router.post('/analyse/codage/:source/themes/:code/fusion', analysts, (req, res, next) => {
    const source = sourceOf(req);
    const theme = source && themeOf(req, source);
    if (!source || !theme) return next();
    const into = str((req.body as Record<string, unknown> | undefined)?.into);
    if (!into) return renderTheme(res, source, theme, undefined, t.errors.mergeChoose);
    const r = mergeThemes(db, source.key, theme.code, into);
    if (!r.ok) return renderTheme(res, source, theme, undefined, r.errors[0].message);
    logChange(req, source, t.audit.merge, { theme: theme.code, dans: into, codages: r.value.moved });
    res.redirect(303, `${base(source)}?ok=fusionne&de=${encodeURIComponent(theme.label)}&theme=${encodeURIComponent(into)}&n=${r.value.moved}#themes`);
  });

  router.get('/analyse/codage/:source/themes/:code/supprimer', analysts, (req, res, next) => {
    const source = sourceOf(req);
    const theme = source && themeOf(req, source);
    if (!source || !theme) return next();
    const impact = removalImpact(db, source.key, [theme.code]);
    res.render('coding/delete', { pageTitle: t.deleteConfirmTitle(theme.label), ...PAGE, source, base: base(source), theme, impact: t.deleteImpact(impact.codings, impact.uncoded) });
  });

  router.post('/analyse/codage/:source/themes/:code/supprimer', analysts, (req, res, next) => {
    const source = sourceOf(req);
    const theme = source && themeOf(req, source);
    if (!source || !theme) return next();
    const r = deleteTheme(db, source.key, theme.code);
    if (r) logChange(req, source, t.audit.delete, { theme: theme.code, codages: r.codings });
    res.redirect(303, `${base(source)}?ok=supprime&de=${encodeURIComponent(theme.label)}&n=${r?.codings ?? 0}#themes`);
  });

  // ---- CSV ------------------------------------------------------------------------------------

  router.get('/analyse/codage/:source/plan.csv', analysts, (req, res, next) => {
    const source = sourceOf(req);
    if (!source) return next();
    const excel = str(req.query.excel) === '1';
    res
      .type('text/csv; charset=utf-8')
      .set('Content-Disposition', `attachment; filename="plan-de-codage-${source.key}${excel ? '-excel' : ''}.csv"`)
      .send(codebookCsv(listThemes(db, source.key), { excel }));
  });

  const renderImport = (res: Response, source: TextSource, view: Record<string, unknown>, status = 200) =>
    res.status(status).render('coding/import', { pageTitle: t.importTitle(source.label), ...PAGE, scripts: undefined, codingImport: true, source, base: base(source), ...view });

  router.get('/analyse/codage/:source/import', analysts, (req, res, next) => {
    const source = sourceOf(req);
    if (!source) return next();
    renderImport(res, source, { csv: '' });
  });

  router.post('/analyse/codage/:source/import', analysts, (req, res, next) => {
    const source = sourceOf(req);
    if (!source) return next();
    const body = (req.body ?? {}) as Record<string, unknown>;
    const csv = str(body.csv);
    const parsed = parseCodebookCsv(csv);
    if (!parsed.ok) return renderImport(res, source, { csv, errors: parsed.errors.map((e) => e.message) }, 422);
    if (str(body.action) !== 'confirm') {
      const plan = planReplace(db, source.key, parsed.themes);
      return renderImport(res, source, {
        csv,
        plan: {
          added: plan.added.length ? t.planAdded(plan.added.join(', ')) : '',
          changed: plan.changed.length ? t.planChanged(plan.changed.join(', ')) : '',
          unchanged: plan.unchanged.length ? t.planUnchanged(plan.unchanged.length) : '',
          removed: plan.removed.map((r) => t.planRemoved(r.code, r.label, r.codings)),
          uncoded: plan.impact.uncoded ? t.planUncoded(plan.impact.uncoded) : '',
          nothingRemoved: plan.impact.codings === 0 ? t.planNothingRemoved : '',
        },
      });
    }
    const plan = replaceCodebook(db, source.key, parsed.themes);
    logChange(req, source, t.audit.import, { themes: parsed.themes.length, supprimes: plan.removed.map((r) => r.code).join(', ') || '(aucun)', codages_supprimes: plan.impact.codings });
    res.redirect(303, `${base(source)}?ok=importe#themes`);
  });

  // ---- Keyword rules --------------------------------------------------------------------------

  router.get('/analyse/codage/:source/regles', analysts, (req, res, next) => {
    const source = sourceOf(req);
    if (!source) return next();
    const themes = listThemes(db, source.key);
    const plan = planRules(db, source, themes);
    const texts = new Map<string, string>();
    const examples = themes.map((x) => {
      const ids = plan.matches.filter((m) => m.codes.includes(x.code)).slice(0, 3).map((m) => m.responseId);
      return { label: x.label, count: plan.perTheme.find((p) => p.code === x.code)!.count, texts: ids.map((id) => texts.get(id) ?? answerText(db, source, id) ?? '') };
    });
    res.render('coding/rules', {
      pageTitle: t.rulesTitle(source.label),
      ...PAGE,
      source,
      base: base(source),
      anyKeyword: compileRules(themes).any,
      matched: plan.matched,
      summary: `${t.rulesPreview(plan.matched, plan.uncoded)}${plan.matched ? ` : ${plan.perTheme.filter((p) => p.count).map((p) => t.rulesPerTheme(p.label, p.count)).join(', ')}` : ''}.`,
      examples: examples.filter((e) => e.count),
    });
  });

  router.post('/analyse/codage/:source/regles', analysts, (req, res, next) => {
    const source = sourceOf(req);
    if (!source) return next();
    const plan = applyRules(db, source, listThemes(db, source.key));
    audit(db, req.staff!.email, 'coding.rules', { question: source.key, codees: plan.matched, ...Object.fromEntries(plan.perTheme.map((p) => [p.code, p.count])) }, deps.now());
    res.redirect(303, `${base(source)}?ok=regles&n=${plan.matched}`);
  });

  // ---- Coding screen --------------------------------------------------------------------------

  type ScreenState = { source: TextSource; scope: Scope; coder: string; filter: Filter; errors: FilterError[]; sample: number | undefined; query: URLSearchParams };
  const screenState = (req: Request, source: TextSource): ScreenState => {
    const { filter, errors } = readFilter(req);
    const raw = str(req.query.echantillon);
    const asked = /^\d{1,5}$/.test(raw) ? Number(raw) : undefined;
    const sample = asked === undefined ? undefined : Math.min(MAX_SAMPLE, Math.max(1, asked));
    const query = sample === undefined ? filterToQuery(filter) : new URLSearchParams({ echantillon: String(sample) });
    return {
      source,
      filter,
      errors,
      sample,
      query,
      scope: sample === undefined ? { kind: 'filter', filter } : { kind: 'sample', size: sample },
      coder: sample === undefined ? REFERENCE : req.staff!.id,
    };
  };
  const screenUrl = (s: ScreenState, extra: Record<string, string> = {}) => {
    const p = new URLSearchParams(s.query);
    for (const [k, v] of Object.entries(extra)) p.set(k, v);
    const qs = p.toString();
    return `${base(s.source)}/coder${qs ? `?${qs}` : ''}`;
  };

  const renderScreen = (req: Request, res: Response, s: ScreenState, id: string | undefined, opts: { previous?: string; error?: string; ticked?: Coding } = {}) => {
    const themes = listThemes(db, s.source.key);
    const p = progress(db, q, s.source, s.scope, s.coder);
    const common = {
      ...PAGE,
      codingScreen: true,
      source: s.source,
      base: base(s.source),
      sampleMode: s.sample !== undefined,
      sampleNote: s.sample !== undefined ? t.sampleNote(sampleIds(db, s.source, s.sample).length) : '',
      filters: filterView(s.filter, s.errors),
      progress: t.progress(p.coded, p.total),
      progressMax: p.total,
      progressValue: p.coded,
      uncodableCount: p.uncodable ? t.uncodableCount(p.uncodable) : '',
      listHref: `${base(s.source)}/reponses${s.sample === undefined && s.query.toString() ? `?${s.query}` : ''}`,
    };
    const title = s.sample !== undefined ? t.sampleScreenTitle(s.source.label) : t.screenTitle(s.source.label);
    const text = id ? answerText(db, s.source, id) : undefined;
    if (!id || text === undefined) {
      return res.status(id ? 404 : 200).render('coding/screen', {
        ...common,
        pageTitle: title,
        done: !id ? (p.total === 0 ? t.nothingToCode : s.filter && !isEmptyFilter(s.filter) && s.sample === undefined ? t.allDoneFilter : t.allDone) : t.errors.notAnswer,
        previousHref: opts.previous ? screenUrl(s, { reponse: opts.previous }) : undefined,
      });
    }
    const coding = readCoding(db, s.source.key, s.coder, id);
    // The independent coding is blind to the rules: a coder who sees suggestions agrees with them.
    const suggested = s.sample === undefined ? compileRules(themes).suggest(text) : [];
    const ticked = opts.ticked ?? coding ?? { codes: suggested, uncodable: false };
    const before = previousInScope(db, q, s.source, s.scope, id);
    const previous = opts.previous ?? before;
    // What was just saved, said back (and one key away with ←): coding fast without doubt.
    const saved = opts.previous ? readCoding(db, s.source.key, s.coder, opts.previous) : undefined;
    const labelOf = new Map(themes.map((x) => [x.code, x.label]));
    const counts = themeCounts(db, s.source.key, s.coder);
    res.status(opts.error ? 422 : 200).render('coding/screen', {
      ...common,
      pageTitle: title,
      action: screenUrl(s),
      responseId: id,
      text,
      coded: !!coding,
      error: opts.error,
      suggestedAny: !coding && suggested.length > 0,
      lastSaved: saved ? t.lastSaved(saved.uncodable ? t.uncodable : saved.codes.length ? saved.codes.map((c) => labelOf.get(c) ?? c).join(', ') : t.noTheme) : undefined,
      themes: themes.map((x, i) => ({
        code: x.code,
        label: x.label,
        definition: x.definition,
        key: i < 9 ? String(i + 1) : '',
        checked: ticked.codes.includes(x.code),
        suggested: suggested.includes(x.code),
        count: new Intl.NumberFormat('fr-FR').format(counts.get(x.code) ?? 0),
      })),
      uncodable: ticked.uncodable,
      previousHref: previous ? screenUrl(s, { reponse: previous }) : undefined,
      responseHref: `/analyse/reponses/${id}`,
    });
  };

  router.get('/analyse/codage/:source/coder', analysts, (req, res, next) => {
    const source = sourceOf(req);
    if (!source) return next();
    const s = screenState(req, source);
    const asked = str(req.query.reponse);
    const after = str(req.query.apres);
    if (asked && RESPONSE_ID.test(asked)) return renderScreen(req, res, s, asked);
    const afterId = after && RESPONSE_ID.test(after) ? after : undefined;
    renderScreen(req, res, s, nextToCode(db, q, source, s.scope, s.coder, afterId), { previous: afterId });
  });

  router.post('/analyse/codage/:source/coder', analysts, (req, res, next) => {
    const source = sourceOf(req);
    if (!source) return next();
    const s = screenState(req, source);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const id = str(body.reponse);
    if (!RESPONSE_ID.test(id) || answerText(db, source, id) === undefined) return renderScreen(req, res, s, undefined, {});
    const action = str(body.action) || 'save';
    if (action === 'skip') return res.redirect(303, screenUrl(s, { apres: id }));
    if (action === 'clear') {
      clearCoding(db, source.key, s.coder, id);
      return res.redirect(303, screenUrl(s, { reponse: id }));
    }
    const known = new Set(listThemes(db, source.key).map((x) => x.code));
    const codes = [...new Set(list(body.theme))];
    const uncodable = action === 'uncodable' || str(body.non_codable) === '1';
    if (codes.some((c) => !known.has(c))) {
      return renderScreen(req, res, s, id, { error: t.errors.staleThemes, ticked: { codes: codes.filter((c) => known.has(c)), uncodable } });
    }
    saveCoding(db, source.key, s.coder, id, { codes, uncodable });
    res.redirect(303, screenUrl(s, { apres: id }));
  });

  // ---- Coded answers, to go back to ------------------------------------------------------------

  router.get('/analyse/codage/:source/reponses', analysts, (req, res, next) => {
    const source = sourceOf(req);
    if (!source) return next();
    const { filter, errors } = readFilter(req);
    const themes = listThemes(db, source.key);
    const labels = new Map(themes.map((x) => [x.code, x.label]));
    const voir = str(req.query.voir);
    const show = voir === 'a_coder' ? 'uncoded' : voir === 'non_codable' ? 'uncodable' : voir === 'sans_theme' ? 'none' : labels.has(voir) ? { theme: voir } : 'all';
    const asked = Number(req.query.page);
    const page = Number.isInteger(asked) && asked >= 1 ? asked : 1;
    let found = listAnswers(db, q, source, filter, REFERENCE, { show, limit: LIST_PAGE_SIZE, offset: (page - 1) * LIST_PAGE_SIZE });
    const pages = Math.max(1, Math.ceil(found.total / LIST_PAGE_SIZE));
    const current = Math.min(page, pages);
    if (current !== page) found = listAnswers(db, q, source, filter, REFERENCE, { show, limit: LIST_PAGE_SIZE, offset: (current - 1) * LIST_PAGE_SIZE });
    const fq = filterToQuery(filter);
    const link = (p: number) => {
      const qs = new URLSearchParams(fq);
      if (show !== 'all') qs.set('voir', voir);
      if (p > 1) qs.set('page', String(p));
      return `${base(source)}/reponses${qs.toString() ? `?${qs}` : ''}`;
    };
    const screen = (id: string) => {
      const qs = new URLSearchParams(fq);
      qs.set('reponse', id);
      return `${base(source)}/coder?${qs}`;
    };
    res.status(errors.length ? 400 : 200).render('coding/answers', {
      pageTitle: t.listTitle(source.label),
      ...PAGE,
      source,
      base: base(source),
      filters: filterView(filter, errors),
      hidden: [...fq].map(([name, value]) => ({ name, value })),
      options: [
        { value: '', label: t.showAll, selected: show === 'all' },
        { value: 'a_coder', label: t.showUncoded, selected: show === 'uncoded' },
        { value: 'sans_theme', label: t.showNone, selected: show === 'none' },
        { value: 'non_codable', label: t.showUncodable, selected: show === 'uncodable' },
        ...themes.map((x) => ({ value: x.code, label: t.showTheme(x.label), selected: voir === x.code })),
      ],
      summary: t.found(found.total),
      answers: found.answers.map((a) => ({
        text: a.text,
        href: screen(a.responseId),
        state: !a.coding ? t.notCoded : a.coding.uncodable ? t.uncodable : a.coding.codes.length ? '' : t.noTheme,
        themes: a.coding?.codes.map((c) => labels.get(c) ?? c) ?? [],
      })),
      pageLabel: pages > 1 ? t.page(current, pages) : '',
      previous: current > 1 ? link(current - 1) : undefined,
      next: current < pages ? link(current + 1) : undefined,
    });
  });

  // ---- Agreement between two coders ------------------------------------------------------------

  router.get('/analyse/codage/:source/accord', analysts, (req, res, next) => {
    const source = sourceOf(req);
    if (!source) return next();
    const themes = listThemes(db, source.key);
    const coders = codersOf(db, source.key);
    const ids = new Set(coders.map((c) => c.coder));
    const independent = coders.filter((c) => c.coder !== REFERENCE);
    const pickCoder = (v: unknown, fallback: string | undefined) => {
      const raw = str(v);
      const asked = raw === 'reference' ? REFERENCE : raw;
      return raw && ids.has(asked) ? asked : fallback;
    };
    const a = pickCoder(req.query.a, independent.length >= 2 ? independent[0].coder : ids.has(REFERENCE) ? REFERENCE : undefined);
    const b = pickCoder(req.query.b, independent.length >= 2 ? independent[1].coder : independent[0]?.coder);
    const mineSize = (() => {
      const raw = str(req.query.echantillon);
      return /^\d{1,5}$/.test(raw) ? Math.min(MAX_SAMPLE, Math.max(1, Number(raw))) : DEFAULT_SAMPLE;
    })();
    const mine = progress(db, q, source, { kind: 'sample', size: mineSize }, req.staff!.id);
    const coderOption = (selected: string | undefined) =>
      coders.map((c) => ({ value: c.coder === REFERENCE ? 'reference' : c.coder, label: t.coderCount(coderName(c.coder), c.count), selected: c.coder === selected }));
    const view: Record<string, unknown> = {
      pageTitle: t.agreementTitle(source.label),
      ...PAGE,
      source,
      base: base(source),
      sampleSize: mineSize,
      sampleMine: t.sampleMine(mine.coded, mine.total),
      sampleHref: `${base(source)}/coder?echantillon=${mineSize}`,
      coderA: coderOption(a),
      coderB: coderOption(b),
      notice: str(req.query.ok) === 'regle' ? t.notices.settled : undefined,
    };
    if (a === undefined || b === undefined || a === b) return res.render('coding/agreement', { ...view, needTwo: true });
    const ag = agreement(db, source.key, themes, a, b, t.uncodable);
    const labels = new Map(themes.map((x) => [x.code, x.label]));
    const describe = (c: Coding) => (c.uncodable ? t.uncodable : c.codes.length ? c.codes.map((x) => labels.get(x) ?? x).join(', ') : t.noTheme);
    const row = (r: (typeof ag.themes)[number]) => ({
      label: r.label,
      ...r.table,
      observed: r.kappa.n ? percent(r.kappa.observed) : '—',
      kappa: r.kappa.kappa === null ? t.notComputable : decimal(r.kappa.kappa),
      reading: r.reading ? t.readings[r.reading] : t.notComputableHint,
      level: r.reading ?? 'none',
    });
    const aName = coderName(a);
    const bName = coderName(b);
    const aValue = a === REFERENCE ? 'reference' : a;
    const bValue = b === REFERENCE ? 'reference' : b;
    res.render('coding/agreement', {
      ...view,
      aName,
      bName,
      aValue,
      bValue,
      compared: t.compared(ag.compared),
      rows: [...ag.themes.map(row), row(ag.uncodable)],
      disagreements: ag.disagreements.slice(0, 200).map((d) => ({
        responseId: d.responseId,
        text: answerText(db, source, d.responseId) ?? '',
        a: describe(d.a),
        b: describe(d.b),
        settled: d.settled,
        themes: themes.map((x) => ({ code: x.code, label: x.label, checked: d.a.codes.includes(x.code) && d.b.codes.includes(x.code), a: d.a.codes.includes(x.code), b: d.b.codes.includes(x.code) })),
        uncodable: d.a.uncodable && d.b.uncodable,
      })),
    });
  });

  router.post('/analyse/codage/:source/accord/regler', analysts, (req, res, next) => {
    const source = sourceOf(req);
    if (!source) return next();
    const body = (req.body ?? {}) as Record<string, unknown>;
    const coder = (v: string) => (v === 'reference' ? REFERENCE : v);
    const a = coder(str(body.a));
    const b = coder(str(body.b));
    const id = str(body.reponse);
    const back = `${base(source)}/accord?a=${encodeURIComponent(str(body.a))}&b=${encodeURIComponent(str(body.b))}`;
    if (!RESPONSE_ID.test(id) || answerText(db, source, id) === undefined || a === b) return res.redirect(303, back);
    const known = new Set(listThemes(db, source.key).map((x) => x.code));
    const codes = [...new Set(list(body.theme))].filter((c) => known.has(c));
    const uncodable = str(body.non_codable) === '1';
    db.transaction(() => {
      saveCoding(db, source.key, REFERENCE, id, { codes, uncodable });
      markSettled(db, source.key, a, b, id);
    })();
    res.redirect(303, `${back}&ok=regle#desaccords`);
  });

  return router;
}
