import type { Db } from '../db/connection.js';
import type { Questionnaire } from '../questionnaire/schema.js';
import { textSources } from '../analysis/freeText.js';
import { crossVariables } from '../results/crosstab.js';
import { fr } from '../strings.js';

// What an analyst chose to put in the synthesis (migration 021): a title, an introduction, the
// questions shown one by one, the key crosstabs and the free-text sources whose themes are shown.
// Without a saved choice: every closed question outside the profile, no crosstab, every text
// source (a source with no theme shows nothing anyway).

export type CrossPair = { row: string; col: string };
export type SynthesisSettings = {
  title: string;
  introduction: string;
  questions: string[];
  crosstabs: CrossPair[];
  textSources: string[];
  /** Whether these are the defaults (nothing saved yet). */
  defaults: boolean;
};

export const TITLE_MAX = 120;
export const INTRO_MAX = 2000;
export const CROSSTABS_MAX = 6;

const t = fr.synthesis.choices.errors;

/** The questions one may choose: closed questions outside the first (profile) section. */
export function choosableQuestions(q: Questionnaire) {
  return q.sections.slice(1).flatMap((s) =>
    s.questions.filter((x) => x.type !== 'text' && x.type !== 'longtext').map((x) => ({ id: x.id, label: x.label, section: s.title })),
  );
}

export function defaultSettings(q: Questionnaire): SynthesisSettings {
  return {
    title: fr.synthesis.defaultTitle,
    introduction: '',
    questions: choosableQuestions(q).map((x) => x.id),
    crosstabs: [],
    textSources: textSources(q).map((s) => s.key),
    defaults: true,
  };
}

type Row = { title: string; introduction: string; questions: string; crosstabs: string; text_sources: string };

/** The saved choices, cleaned of what the questionnaire no longer has; the defaults when none. */
export function loadSettings(db: Db, q: Questionnaire): SynthesisSettings {
  const row = db.prepare('SELECT title, introduction, questions, crosstabs, text_sources FROM synthesis_settings WHERE id = 1').get() as Row | undefined;
  if (!row) return defaultSettings(q);
  const questions = new Set(choosableQuestions(q).map((x) => x.id));
  const vars = new Set(crossVariables(q).map((v) => v.id));
  const sources = new Set(textSources(q).map((s) => s.key));
  const list = (json: string): unknown[] => {
    try {
      const v = JSON.parse(json) as unknown;
      return Array.isArray(v) ? v : [];
    } catch {
      return [];
    }
  };
  return {
    title: row.title,
    introduction: row.introduction,
    questions: list(row.questions).filter((x): x is string => typeof x === 'string' && questions.has(x)),
    crosstabs: list(row.crosstabs).filter((p): p is CrossPair => {
      const c = p as CrossPair;
      return typeof c?.row === 'string' && typeof c?.col === 'string' && vars.has(c.row) && vars.has(c.col);
    }),
    textSources: list(row.text_sources).filter((x): x is string => typeof x === 'string' && sources.has(x)),
    defaults: false,
  };
}

export function saveSettings(db: Db, s: Omit<SynthesisSettings, 'defaults'>, now: Date): void {
  db.prepare(
    `INSERT INTO synthesis_settings (id, title, introduction, questions, crosstabs, text_sources, updated_at) VALUES (1, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET title = excluded.title, introduction = excluded.introduction, questions = excluded.questions,
       crosstabs = excluded.crosstabs, text_sources = excluded.text_sources, updated_at = excluded.updated_at`,
  ).run(s.title, s.introduction, JSON.stringify(s.questions), JSON.stringify(s.crosstabs), JSON.stringify(s.textSources), now.toISOString());
}

export type SettingsError = { field: string; message: string };
export type ParsedSettings =
  | { ok: true; settings: Omit<SynthesisSettings, 'defaults'> }
  | { ok: false; errors: SettingsError[]; typed: Omit<SynthesisSettings, 'defaults'> };

const strings = (v: unknown): string[] => (v === undefined ? [] : (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string'));
const single = (v: unknown): string => (typeof v === 'string' ? v : Array.isArray(v) && typeof v[v.length - 1] === 'string' ? (v[v.length - 1] as string) : '');

/**
 * Reads the choices form (fields title, introduction, question, source, row1…row6, col1…col6):
 * every problem at once, next to its field, and what was typed kept for the page that comes back.
 */
export function parseSettingsForm(body: Record<string, unknown>, q: Questionnaire): ParsedSettings {
  const errors: SettingsError[] = [];
  const title = single(body.title).replace(/\s+/g, ' ').trim();
  const introduction = single(body.introduction).replace(/\r\n?/g, '\n').trim();
  if (!title) errors.push({ field: 'title', message: t.titleMissing });
  else if (title.length > TITLE_MAX) errors.push({ field: 'title', message: t.titleTooLong(TITLE_MAX) });
  if (introduction.length > INTRO_MAX) errors.push({ field: 'introduction', message: t.introTooLong(INTRO_MAX) });

  const knownQuestions = choosableQuestions(q).map((x) => x.id);
  const askedQuestions = strings(body.question);
  for (const id of askedQuestions) if (!knownQuestions.includes(id)) errors.push({ field: 'question', message: t.unknownQuestion(id.slice(0, 60)) });
  // Questionnaire order, whatever the order of the form.
  const questions = knownQuestions.filter((id) => askedQuestions.includes(id));

  const knownSources = textSources(q).map((s) => s.key);
  const askedSources = strings(body.source);
  for (const id of askedSources) if (!knownSources.includes(id)) errors.push({ field: 'source', message: t.unknownSource(id.slice(0, 60)) });
  const sources = knownSources.filter((id) => askedSources.includes(id));

  const vars = new Set(crossVariables(q).map((v) => v.id));
  const crosstabs: CrossPair[] = [];
  const typedPairs: CrossPair[] = [];
  const seen = new Set<string>();
  for (let i = 1; i <= CROSSTABS_MAX; i++) {
    const row = single(body[`row${i}`]).trim();
    const col = single(body[`col${i}`]).trim();
    typedPairs.push({ row, col });
    if (!row && !col) continue;
    const before = errors.length;
    if (row && !vars.has(row)) errors.push({ field: `row${i}`, message: t.unknownVariable(row.slice(0, 60)) });
    if (col && !vars.has(col)) errors.push({ field: `col${i}`, message: t.unknownVariable(col.slice(0, 60)) });
    if (!row) errors.push({ field: `row${i}`, message: t.missingRow });
    if (!col) errors.push({ field: `col${i}`, message: t.missingCol });
    if (row && col && row === col) errors.push({ field: `col${i}`, message: t.same });
    if (errors.length > before) continue;
    const key = `${row}\u0000${col}`;
    if (seen.has(key)) {
      errors.push({ field: `row${i}`, message: t.duplicate });
      continue;
    }
    seen.add(key);
    crosstabs.push({ row, col });
  }
  const settings = { title, introduction, questions, crosstabs, textSources: sources };
  if (errors.length) return { ok: false, errors, typed: { ...settings, title: single(body.title), introduction: single(body.introduction), crosstabs: typedPairs } };
  return { ok: true, settings };
}
