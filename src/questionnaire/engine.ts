import type { Territory } from '../territory/communes.js';
import type { Condition, Option, Question, Questionnaire, Section } from './schema.js';
import { firstChars, type AnswerRow, type DraftLimit, type FieldError, type ParseContext, type QuestionType, type RawValues } from './types/common.js';
import { multipleType, singleType } from './types/choice.js';
import { communeType } from './types/commune.js';
import { gridType } from './types/grid.js';
import { rankingType } from './types/ranking.js';
import { integerType, textType } from './types/scalar.js';

// Plain functions over the definition: which questions are shown, what a section's form means,
// which rows a complete response stores. Routes call these; tests call them directly.

const handlers: Record<Question['type'], QuestionType<any, any>> = {
  single: singleType,
  multiple: multipleType,
  grid: gridType,
  ranking: rankingType,
  text: textType,
  longtext: textType,
  integer: integerType,
  commune: communeType,
};

export function handlerFor(q: Question): QuestionType<Question, unknown> {
  return handlers[q.type];
}

/** Chosen codes so far, per question id (grids keep the item): what conditions look at. */
export type Choices = Map<string, { item?: string; code: string }[]>;

export function conditionMet(cond: Condition | undefined, choices: Choices): boolean {
  if (!cond) return true;
  const chosen = choices.get(cond.question) ?? [];
  return chosen.some((c) => (cond.item === undefined || c.item === cond.item) && cond.anyOf.includes(c.code));
}

export type SectionResult = {
  /** Valid values of the visible, answered questions. */
  values: Map<string, unknown>;
  errors: FieldError[];
  /** Form-level problems (forged fields) that belong to no question. */
  formErrors: string[];
  /** The posted fields this section owns: what is kept in the draft and shown again. */
  raw: RawValues;
  /** Questions shown given earlier answers and this section's own answers. */
  visible: Set<string>;
};

/** Field names the section's form may post besides the questions' own fields. */
/** `website` is the honeypot (invisible to people), `_t` the signed time the page was shown. */
export const FORM_META_FIELDS = new Set(['_csrf', 'action', 'website', '_t']);

const fieldNamesCache = new WeakMap<Section, Set<string>>();
/** The field names a section's form may post; computed once per section (hot path of every POST). */
export function sectionFieldNames(section: Section): Set<string> {
  let names = fieldNamesCache.get(section);
  if (!names) {
    names = new Set(section.questions.flatMap((q) => handlerFor(q).fieldNames(q)));
    fieldNamesCache.set(section, names);
  }
  return names;
}

/**
 * Keeps the section's own fields. Values are strings or arrays of strings; anything else a
 * hostile client might send is dropped.
 */
export function ownFields(section: Section, body: unknown): { raw: RawValues; unexpected: string[] } {
  const allowed = sectionFieldNames(section);
  const raw: RawValues = {};
  const unexpected: string[] = [];
  if (!body || typeof body !== 'object') return { raw, unexpected };
  const fields = body as Record<string, unknown>;
  // for…in rather than Object.entries: no array per field on every POST (the body has no prototype
  // when it comes from the form parser; own keys only otherwise).
  for (const key in fields) {
    if (!Object.hasOwn(fields, key) || FORM_META_FIELDS.has(key)) continue;
    const value = fields[key];
    if (!allowed.has(key)) {
      unexpected.push(key);
      continue;
    }
    if (typeof value === 'string') raw[key] = value;
    else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) raw[key] = value as string[];
    else unexpected.push(key);
  }
  return { raw, unexpected };
}

const draftLimitsCache = new WeakMap<Section, Map<string, DraftLimit>>();
function draftLimits(section: Section): Map<string, DraftLimit> {
  let limits = draftLimitsCache.get(section);
  if (!limits) {
    limits = new Map();
    for (const q of section.questions) for (const f of handlerFor(q).fieldNames(q)) limits.set(f, handlerFor(q).draftLimit(q, f));
    draftLimitsCache.set(section, limits);
  }
  return limits;
}

/**
 * What a draft keeps of a section's own fields (from ownFields): each value cut to its question
 * type's limit, repeated values deduplicated and counted. Validation and the page shown right away
 * use the input as posted (the error gives the length typed); only the stored copy is cut. The
 * input itself comes back when nothing needs cutting (every honest POST).
 */
export function draftInput(section: Section, raw: RawValues): RawValues {
  const limits = draftLimits(section);
  let out: RawValues | undefined;
  for (const key in raw) {
    const limit = limits.get(key);
    const value = raw[key];
    let kept: string | string[] | undefined;
    if (!limit) kept = undefined; // not a field of the section: never stored
    else if (typeof value === 'string') kept = value.length > limit.chars ? firstChars(value, limit.chars) : value;
    else if (value.length > limit.values || value.some((v) => v.length > limit.chars)) {
      kept = [...new Set(value.map((v) => firstChars(v, limit.chars)))].slice(0, limit.values);
    } else kept = value;
    if (kept === value) continue;
    out ??= { ...raw };
    if (kept === undefined) delete out[key];
    else out[key] = kept;
  }
  return out ?? raw;
}

/**
 * Parses one section's raw fields given the choices of the earlier sections. Questions are read in
 * order so a condition on an earlier question of the same section sees its fresh answer. Hidden
 * questions are never required and their answers are dropped.
 */
/** Parse context over the choices made so far (a class: one allocation per section parse). */
class ChoicesContext implements ParseContext {
  constructor(
    readonly territory: Territory,
    private readonly choices: Choices,
  ) {}
  optionVisible(o: Option): boolean {
    return conditionMet(o.showIf, this.choices);
  }
}

export function parseSection(section: Section, raw: RawValues, earlier: Choices, territory: Territory): SectionResult {
  const choices: Choices = new Map(earlier);
  const values = new Map<string, unknown>();
  const errors: FieldError[] = [];
  const visible = new Set<string>();
  const ctx: ParseContext = new ChoicesContext(territory, choices);
  for (const q of section.questions) {
    if (!conditionMet(q.showIf, choices)) {
      choices.delete(q.id);
      continue;
    }
    visible.add(q.id);
    const h = handlerFor(q);
    const r = h.parse(q, raw, ctx);
    for (const e of r.errors) errors.push(e);
    if (r.value !== undefined) {
      values.set(q.id, r.value);
      if (h.codes) choices.set(q.id, h.codes(q, r.value));
    } else choices.delete(q.id);
  }
  return { values, errors, formErrors: [], raw, visible };
}

/** Choices implied by a set of values (for conditions in later sections). */
export function choicesOf(section: Section, values: Map<string, unknown>, into: Choices = new Map()): Choices {
  for (const q of section.questions) {
    const v = values.get(q.id);
    const h = handlerFor(q);
    if (v !== undefined && h.codes) into.set(q.id, h.codes(q, v));
    else into.delete(q.id);
  }
  return into;
}

export type WholeResult = {
  /** Per section index, the parse of its stored draft. */
  sections: SectionResult[];
  /** Index of the first section with an error, or -1. */
  firstInvalid: number;
  rows: AnswerRow[];
};

/**
 * Re-parses every section of a draft in order, as the final check before completion: a change
 * made on an earlier page ("Précédent") may have hidden later questions, whose stale answers are
 * dropped here, or made a later answer invalid.
 */
export function parseWhole(questionnaire: Questionnaire, drafts: RawValues[], territory: Territory): WholeResult {
  const choices: Choices = new Map();
  const sections: SectionResult[] = [];
  const rows: AnswerRow[] = [];
  let firstInvalid = -1;
  questionnaire.sections.forEach((section, i) => {
    const r = parseSection(section, drafts[i] ?? {}, choices, territory);
    sections.push(r);
    if (r.errors.length && firstInvalid === -1) firstInvalid = i;
    choicesOf(section, r.values, choices);
    for (const q of section.questions) {
      const v = r.values.get(q.id);
      if (v !== undefined) rows.push(...handlerFor(q).toRows(q, v));
    }
  });
  return { sections, firstInvalid, rows };
}

const dependsCache = new WeakMap<Section, boolean>();
/**
 * Whether a section shows a question or an option on an answer of an earlier section. When it
 * doesn't, a POST of that section needs nothing from the earlier drafts (the common case).
 */
export function dependsOnEarlierSections(section: Section): boolean {
  let v = dependsCache.get(section);
  if (v === undefined) {
    const own = new Set(section.questions.map((q) => q.id));
    const conds = section.questions.flatMap((q) => [
      q.showIf,
      ...(q.type === 'single' || q.type === 'multiple' ? q.options.map((o) => o.showIf) : []),
    ]);
    v = conds.some((c) => c !== undefined && !own.has(c.question));
    dependsCache.set(section, v);
  }
  return v;
}

/** Choices from the drafts of the sections before `index`, for rendering or parsing that section. */
export function choicesBefore(
  questionnaire: Questionnaire,
  drafts: RawValues[],
  index: number,
  territory: Territory,
): Choices {
  const choices: Choices = new Map();
  for (let i = 0; i < index; i++) {
    const section = questionnaire.sections[i];
    const r = parseSection(section, drafts[i] ?? {}, choices, territory);
    choicesOf(section, r.values, choices);
  }
  return choices;
}
