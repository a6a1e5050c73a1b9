import express, { type Request } from 'express';
import type { Campaign } from '../campaign/campaign.js';
import type { Db } from '../db/connection.js';
import { textSources } from '../analysis/freeText.js';
import type { Questionnaire } from '../questionnaire/schema.js';
import { crossVariables } from '../results/crosstab.js';
import { filterToQuery, parseFiltersLenient } from '../results/filters.js';
import { weightingCheck } from '../results/weightedView.js';
import { audit } from '../staff/audit.js';
import { requirePage } from '../staff/auth.js';
import { fr } from '../strings.js';
import type { Territory } from '../territory/communes.js';
import type { WorkshopStore } from '../workshops/store.js';
import { buildSynthesis } from './document.js';
import { choosableQuestions, CROSSTABS_MAX, INTRO_MAX, loadSettings, parseSettingsForm, saveSettings, TITLE_MAX, type SettingsError, type SynthesisSettings } from './settings.js';
import type { Screener } from './themes.js';

export type SynthesisDeps = {
  db: Db;
  questionnaire: Questionnaire;
  territory: Territory;
  campaign: () => Campaign;
  workshops: WorkshopStore;
  minGroupSize: number;
  now: () => Date;
  /** Personal-data masks of free text (default: src/privacy/screening.ts `screen`). */
  screener?: Screener;
};

const s = fr.synthesis;

/**
 * The printable synthesis for elected officials (analysts and admins): /resultats/synthese with
 * the results' filters in the query string, and the choices of its content on
 * /resultats/synthese/choix (a form, CSRF-protected by the app's middleware).
 */
export function synthesisRouter(deps: SynthesisDeps) {
  const { db, questionnaire: q, territory } = deps;
  const router = express.Router();
  const guard = requirePage('admin', 'analyst');
  const weighting = weightingCheck(db, q);

  router.get('/resultats/synthese', guard, (req, res) => {
    const campaign = deps.campaign();
    const parsed = parseFiltersLenient(req.query, q, {
      channels: campaign.channels.map((c) => c.code),
      communeExists: (code) => territory.byInsee.has(code),
    });
    // weighted=1 without a weighting in force: the unweighted synthesis, and the reason in French.
    const { filter, errors } = weighting.refuse(parsed.filter, parsed.errors);
    const doc = buildSynthesis({
      db,
      q,
      filter,
      settings: loadSettings(db, q),
      campaign,
      territory,
      workshops: deps.workshops,
      minGroupSize: deps.minGroupSize,
      now: deps.now(),
      screener: deps.screener,
    });
    const query = filterToQuery(filter).toString();
    res.status(errors.length ? 400 : 200).render('synthesis/document', {
      pageTitle: doc.title,
      staffPage: true,
      styles: ['/static/css/synthesis.css'],
      pageScripts: ['/static/js/synthesis.js'],
      // Read by the print stylesheet's running head and foot (@page margin boxes, attr()).
      printRunning: { title: doc.title, text: doc.running },
      doc,
      source: s.source,
      filterErrors: errors,
      resultsHref: query ? `/resultats?${query}` : '/resultats',
    });
  });

  const formView = (settings: Omit<SynthesisSettings, 'defaults'>, errors: SettingsError[] = [], saved = false) => {
    const errorOf = (field: string) => errors.filter((e) => e.field === field).map((e) => e.message).join(' ') || undefined;
    const vars = crossVariables(q);
    const pairs = Array.from({ length: CROSSTABS_MAX }, (_, i) => settings.crosstabs[i] ?? { row: '', col: '' });
    const sections = new Map<string, { section: string; questions: { id: string; label: string; checked: boolean }[] }>();
    for (const x of choosableQuestions(q)) {
      if (!sections.has(x.section)) sections.set(x.section, { section: x.section, questions: [] });
      sections.get(x.section)!.questions.push({ id: x.id, label: x.label, checked: settings.questions.includes(x.id) });
    }
    const themeCounts = new Map(
      (db.prepare('SELECT source, count(*) AS n FROM themes GROUP BY source').all() as { source: string; n: number }[]).map((r) => [r.source, r.n]),
    );
    return {
      pageTitle: errors.length ? `Erreur : ${s.choices.title}` : s.choices.title,
      staffPage: true,
      styles: ['/static/css/synthesis.css'],
      errors,
      saved,
      title: { value: settings.title, error: errorOf('title'), max: TITLE_MAX },
      introduction: { value: settings.introduction, error: errorOf('introduction'), max: INTRO_MAX },
      questionError: errorOf('question'),
      sourceError: errorOf('source'),
      sections: [...sections.values()],
      sources: textSources(q).map((x) => ({ key: x.key, label: x.label, checked: settings.textSources.includes(x.key), themes: s.choices.themeCount(themeCounts.get(x.key) ?? 0) })),
      pairs: pairs.map((p, i) => ({
        n: i + 1,
        rowLabel: s.choices.crosstabRow(i + 1),
        colLabel: s.choices.crosstabCol(i + 1),
        rowError: errorOf(`row${i + 1}`),
        colError: errorOf(`col${i + 1}`),
        rowOptions: vars.map((v) => ({ id: v.id, label: v.label, selected: v.id === p.row })),
        colOptions: vars.map((v) => ({ id: v.id, label: v.label, selected: v.id === p.col })),
      })),
    };
  };

  router.get('/resultats/synthese/choix', guard, (req, res) => {
    res.render('synthesis/choices', formView(loadSettings(db, q), [], req.query.enregistre === '1'));
  });

  router.post('/resultats/synthese/choix', guard, (req: Request, res) => {
    const parsed = parseSettingsForm((req.body ?? {}) as Record<string, unknown>, q);
    if (!parsed.ok) return res.status(422).render('synthesis/choices', formView(parsed.typed, parsed.errors));
    saveSettings(db, parsed.settings, deps.now());
    audit(db, req.staff!.email, 'settings.synthesis', { questions: parsed.settings.questions.length, croisements: parsed.settings.crosstabs.length }, deps.now());
    res.redirect(303, '/resultats/synthese/choix?enregistre=1');
  });

  return router;
}
