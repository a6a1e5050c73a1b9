import { z } from 'zod';
import type { Questionnaire } from '../questionnaire/schema.js';
import { fr } from '../strings.js';
import { fold, groupEntries, entryKey, tidy } from '../text/normalise.js';
import { isProfane } from './moderation.js';

// The four kinds of workshop activity. Each owns its settings (validated when a facilitator creates
// it, by form or API), the parsing of a participant's answer, and its results.

export const ACTIVITY_TYPES = ['poll', 'scale', 'word_cloud', 'idea_wall'] as const;
export type ActivityType = (typeof ACTIVITY_TYPES)[number];

export const PROMPT_MAX = 200;
export const OPTION_MAX = 80;
export const OPTIONS_MAX = 12;
export const WORD_ENTRIES = 3;
export const WORD_MAX = 40;
export const IDEA_MAX = 280;
/** Proposals one participant may post on one wall: a room's worth of ideas, not a flood. */
export const IDEAS_PER_PARTICIPANT = 10;

export type Option = { code: string; label: string };
export type PollConfig = { multiple: boolean; max?: number; options: Option[]; questionId?: string };
export type ScaleConfig = { kind: 'numeric' | 'agreement'; options: Option[] };
export type ActivityConfig = PollConfig | ScaleConfig | Record<string, never>;

export type ActivityState = 'waiting' | 'open' | 'closed';
export type Activity = {
  position: number;
  type: ActivityType;
  prompt: string;
  config: ActivityConfig;
  state: ActivityState;
  revealed: boolean;
  premoderation: boolean;
};

const t = () => fr.workshops;

/** The scales a facilitator can pick: 1 to 5, or agreement in the questionnaire's four steps. */
export function scaleOptions(kind: ScaleConfig['kind']): Option[] {
  if (kind === 'numeric') return [1, 2, 3, 4, 5].map((n) => ({ code: String(n), label: String(n) }));
  return Object.entries(t().agreement).map(([code, label]) => ({ code, label }));
}

/** An option's stable ASCII code from its label (« Plus de bus le soir » → plus_de_bus_le_soir). */
export function optionCode(label: string, taken: Set<string>): string {
  const base = fold(label).replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 40) || 'option';
  let code = base;
  for (let i = 2; taken.has(code); i++) code = `${base}_${i}`;
  taken.add(code);
  return code;
}

// What a facilitator sends for one activity (JSON API; the form is read into the same shape).
const activityInput = z.object({
  type: z.enum(ACTIVITY_TYPES, { error: () => t().errors.type }),
  prompt: z
    .string({ error: () => t().errors.promptMissing })
    .transform(tidy)
    .pipe(z.string().min(1, { error: () => t().errors.promptMissing }).max(PROMPT_MAX, { error: () => t().errors.promptTooLong(PROMPT_MAX) })),
  options: z
    .array(z.string().transform(tidy).pipe(z.string().min(1).max(OPTION_MAX, { error: () => t().errors.optionTooLong(OPTION_MAX) })), {
      error: () => t().errors.optionsList,
    })
    .max(OPTIONS_MAX, { error: () => t().errors.tooManyOptions(OPTIONS_MAX) })
    .optional(),
  multiple: z.boolean().optional(),
  question_id: z.string().max(100).optional(),
  scale: z.enum(['numeric', 'agreement']).optional(),
  hide_results: z.boolean().optional(),
  premoderation: z.boolean().optional(),
});

export const workshopInput = z.object({
  title: z
    .string({ error: () => t().errors.titleMissing })
    .transform(tidy)
    .pipe(z.string().min(1, { error: () => t().errors.titleMissing }).max(120, { error: () => t().errors.titleTooLong(120) })),
  date: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, { error: () => t().errors.date })
    .refine((s) => !Number.isNaN(Date.parse(`${s}T12:00:00Z`)) && new Date(`${s}T12:00:00Z`).toISOString().startsWith(s), { error: () => t().errors.date })
    .optional()
    .or(z.literal('').transform(() => undefined)),
  place: z.string().transform(tidy).pipe(z.string().max(120, { error: () => t().errors.placeTooLong(120) })).optional(),
  activities: z.array(activityInput, { error: () => t().errors.activitiesList }).min(1, { error: () => t().errors.noActivity }).max(30, { error: () => t().errors.tooManyActivities(30) }),
});
export type WorkshopInput = z.input<typeof workshopInput>;

export type InputError = { field: string; message: string };
export type NewActivity = Omit<Activity, 'position' | 'state'>;
export type NewWorkshop = { title: string; day?: string; place: string; activities: NewActivity[] };

/**
 * Checks a workshop definition, every error at once (field paths like « activities.2.options »),
 * and turns it into activities with their settings: options get ASCII codes, a poll taken from the
 * questionnaire gets its question's options and codes, so the room can be set beside the survey.
 */
export function readWorkshop(input: unknown, q: Questionnaire): { ok: true; workshop: NewWorkshop } | { ok: false; errors: InputError[] } {
  const parsed = workshopInput.safeParse(input);
  const errors: InputError[] = [];
  if (!parsed.success) {
    for (const i of parsed.error.issues) errors.push({ field: i.path.join('.') || 'workshop', message: i.message });
    return { ok: false, errors: dedupe(errors) };
  }
  const w = parsed.data;
  const activities: NewActivity[] = [];
  w.activities.forEach((a, i) => {
    const field = (name: string) => `activities.${i}.${name}`;
    let config: ActivityConfig = {};
    if (a.type === 'poll') {
      if (a.question_id) {
        const question = q.sections.flatMap((s) => s.questions).find((x) => x.id === a.question_id);
        if (!question || (question.type !== 'single' && question.type !== 'multiple')) {
          errors.push({ field: field('question_id'), message: t().errors.questionId(a.question_id) });
          return;
        }
        config = {
          multiple: question.type === 'multiple',
          ...(question.type === 'multiple' && question.maxChoices ? { max: question.maxChoices } : {}),
          // Same codes as the survey; no « précise » field in a room.
          options: question.options.map((o) => ({ code: o.code, label: o.label.replace(/\s*\(précise\)\s*$/u, '') })),
          questionId: question.id,
        };
      } else {
        const labels = a.options ?? [];
        if (labels.length < 2) {
          errors.push({ field: field('options'), message: t().errors.tooFewOptions });
          return;
        }
        const seen = new Set<string>();
        if (new Set(labels.map((l) => fold(l))).size !== labels.length) errors.push({ field: field('options'), message: t().errors.duplicateOption });
        config = { multiple: a.multiple ?? false, options: labels.map((label) => ({ code: optionCode(label, seen), label })) };
      }
    } else if (a.type === 'scale') {
      const kind = a.scale ?? 'numeric';
      config = { kind, options: scaleOptions(kind) };
    }
    activities.push({
      type: a.type,
      prompt: a.prompt,
      config,
      revealed: !a.hide_results,
      premoderation: a.type === 'idea_wall' && (a.premoderation ?? false),
    });
  });
  if (errors.length) return { ok: false, errors };
  return { ok: true, workshop: { title: w.title, day: w.date, place: w.place ?? '', activities } };
}

function dedupe(errors: InputError[]): InputError[] {
  const seen = new Set<string>();
  return errors.filter((e) => (seen.has(e.field) ? false : (seen.add(e.field), true)));
}

// ---------------------------------------------------------------------------------------------
// Participants' answers, read from a form body. Everything typed comes back with the errors.

export type AnswerValue = { codes: string[] } | { entries: string[] } | { text: string };
export type ParsedAnswer = { ok: true; value: AnswerValue } | { ok: false; errors: InputError[]; typed: Record<string, string | string[]> };

const list = (v: unknown): string[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is string => typeof x === 'string');
const one = (v: unknown): string => (typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : '');

export function parseAnswer(a: Activity, body: Record<string, unknown>): ParsedAnswer {
  const s = t().errors;
  if (a.type === 'poll' || a.type === 'scale') {
    const config = a.config as PollConfig | ScaleConfig;
    const codes = [...new Set(list(body.choice))];
    const typed = { choice: codes };
    const multiple = a.type === 'poll' && (config as PollConfig).multiple;
    const allowed = new Set(config.options.map((o) => o.code));
    if (codes.length === 0) return { ok: false, errors: [{ field: 'choice', message: multiple ? s.chooseSome : s.chooseOne }], typed };
    if (codes.some((c) => !allowed.has(c))) return { ok: false, errors: [{ field: 'choice', message: s.unknownChoice }], typed };
    if (!multiple && codes.length > 1) return { ok: false, errors: [{ field: 'choice', message: s.chooseOne }], typed };
    const max = (config as PollConfig).max;
    if (multiple && max && codes.length > max) return { ok: false, errors: [{ field: 'choice', message: fr.errors.tooManyChoices(max) }], typed };
    return { ok: true, value: { codes } };
  }
  if (a.type === 'word_cloud') {
    const raw = Array.from({ length: WORD_ENTRIES }, (_, i) => one(body[`entry${i + 1}`]).slice(0, 500));
    const typed = Object.fromEntries(raw.map((v, i) => [`entry${i + 1}`, v]));
    const errors: InputError[] = [];
    raw.forEach((v, i) => {
      const len = [...tidy(v)].length;
      if (len > WORD_MAX) errors.push({ field: `entry${i + 1}`, message: s.entryTooLong(len, WORD_MAX) });
    });
    // More than three entries in one field (« usine, fumée, emploi, argent »): say so.
    const entries = raw.map(tidy).filter((v) => v && entryKey(v));
    if (!errors.length && entries.length === 0) errors.push({ field: 'entry1', message: s.entryMissing });
    if (errors.length) return { ok: false, errors, typed };
    return { ok: true, value: { entries } };
  }
  const raw = one(body.text).slice(0, 5000);
  const text = tidy(raw);
  const typed = { text: raw };
  if (!text) return { ok: false, errors: [{ field: 'text', message: s.ideaMissing }], typed };
  const len = [...text].length;
  if (len > IDEA_MAX) return { ok: false, errors: [{ field: 'text', message: s.ideaTooLong(len, IDEA_MAX) }], typed };
  return { ok: true, value: { text } };
}

// ---------------------------------------------------------------------------------------------
// Results, from the stored answers.

export type OptionCount = { code: string; label: string; count: number; percent: number | null };
export type CloudEntry = { key: string; text: string; count: number; variants: { text: string; count: number }[]; hidden: boolean; flagged: boolean };
export type IdeaResult = { id: string; text: string; themeId: string | null; theme: string | null; votes: number; status: 'visible' | 'pending' | 'hidden'; flagged: boolean };

export function countOptions(options: Option[], answers: { codes: string[] }[]): { answered: number; options: OptionCount[] } {
  const counts = new Map(options.map((o) => [o.code, 0]));
  for (const a of answers) for (const c of a.codes) if (counts.has(c)) counts.set(c, counts.get(c)! + 1);
  const answered = answers.length;
  return {
    answered,
    options: options.map((o) => ({ ...o, count: counts.get(o.code)!, percent: answered ? Math.round((1000 * counts.get(o.code)!) / answered) / 10 : null })),
  };
}

/** The word cloud: entries grouped as a reader would; hidden and profane groups marked, never dropped. */
export function cloudEntries(answers: { entries: string[] }[], hiddenKeys: Set<string>): { answered: number; entries: CloudEntry[] } {
  const groups = groupEntries(answers.flatMap((a) => a.entries));
  return {
    answered: answers.length,
    entries: groups.map((g) => ({ ...g, hidden: hiddenKeys.has(g.key), flagged: g.variants.some((v) => isProfane(v.text)) })),
  };
}

/** What a screen may show of a cloud: neither hidden nor profane. */
export const shownEntries = (entries: CloudEntry[]) => entries.filter((e) => !e.hidden && !e.flagged);
