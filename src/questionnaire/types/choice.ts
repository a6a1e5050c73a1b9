import { fr } from '../../strings.js';
import type { Option, Question } from '../schema.js';
import {
  charLength,
  cleanText,
  codeChars,
  draftChars,
  fieldId,
  otherFieldName,
  readMany,
  readOne,
  SINGLE_VALUE,
  type AnswerRow,
  type DraftLimit,
  type FieldError,
  type ParseContext,
  type QuestionType,
  type RawValues,
} from './common.js';

type Single = Extract<Question, { type: 'single' }>;
type Multiple = Extract<Question, { type: 'multiple' }>;
export type SingleValue = { code: string; other?: string };
export type MultipleValue = { codes: string[]; other?: Record<string, string> };

/** Length of an "Autre (précise)" text. */
export const OTHER_MAX_LENGTH = 200;

function otherFields(q: Single | Multiple): string[] {
  return q.options.filter((o) => o.other).map((o) => otherFieldName(q.id, o.code));
}

/** The codes field keeps `values` distinct codes; a precision field a text of OTHER_MAX_LENGTH. */
function choiceDraftLimit(q: Single | Multiple, field: string, values: number): DraftLimit {
  if (field === q.id) return { chars: codeChars(q.options), values };
  return { chars: draftChars(OTHER_MAX_LENGTH), values: SINGLE_VALUE };
}

/** Reads the precision texts of the "Autre" options; errors when too long. */
function readOthers(q: Single | Multiple, raw: RawValues, errors: FieldError[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const o of q.options) {
    if (!o.other) continue;
    const { value, repeated } = readOne(raw, otherFieldName(q.id, o.code));
    if (!value && !repeated) continue; // the usual case: nothing typed
    const text = cleanText(value, false);
    if (repeated) errors.push({ field: fieldId(q.id, o.code, 'precision'), message: fr.errors.repeated });
    else if (charLength(text) > OTHER_MAX_LENGTH) {
      errors.push({ field: fieldId(q.id, o.code, 'precision'), message: fr.errors.tooLong(charLength(text), OTHER_MAX_LENGTH) });
    } else if (text) out.set(o.code, text);
  }
  return out;
}

function optionViews(q: Single | Multiple, raw: RawValues, errors: FieldError[], ctx: ParseContext) {
  const chosen = new Set(readMany(raw, q.id));
  return q.options
    .filter((o) => ctx.optionVisible(o))
    .map((o: Option) => {
      const precisionId = fieldId(q.id, o.code, 'precision');
      const precisionValue = o.other ? readOne(raw, otherFieldName(q.id, o.code)).value : '';
      return {
        code: o.code,
        label: o.label,
        id: fieldId(q.id, o.code),
        checked: chosen.has(o.code),
        exclusive: Boolean(o.exclusive),
        other: o.other
          ? {
              id: precisionId,
              name: otherFieldName(q.id, o.code),
              value: precisionValue,
              maxLength: OTHER_MAX_LENGTH,
              error: errors.find((e) => e.field === precisionId)?.message,
            }
          : undefined,
      };
    });
}

export const singleType: QuestionType<Single, SingleValue> = {
  fieldNames: (q) => [q.id, ...otherFields(q)],
  draftLimit: (q, field) => choiceDraftLimit(q, field, SINGLE_VALUE),
  parse(q, raw, ctx) {
    const errors: FieldError[] = [];
    const field = fieldId(q.id);
    const others = readOthers(q, raw, errors);
    const { value, repeated } = readOne(raw, q.id);
    if (repeated) return { value: undefined, errors: [...errors, { field, message: fr.errors.repeated }] };
    let code = value;
    // Without JavaScript the precision field is always visible: typing in it with nothing ticked
    // means "Autre".
    if (!code && others.size === 1) code = [...others.keys()][0];
    if (!code) {
      if (q.required) errors.push({ field, message: fr.errors.requiredChoice });
      return { value: undefined, errors };
    }
    const option = q.options.find((o) => o.code === code && ctx.optionVisible(o));
    if (!option) return { value: undefined, errors: [...errors, { field, message: fr.errors.invalidOption }] };
    // A precision left in the "Autre" field after choosing another answer is simply not kept.
    if (option.other && !others.get(option.code) && !errors.some((e) => e.field === fieldId(q.id, option.code, 'precision'))) {
      errors.push({ field: fieldId(q.id, option.code, 'precision'), message: fr.errors.otherMissing });
    }
    if (errors.length) return { value: undefined, errors };
    return { value: option.other ? { code, other: others.get(code) } : { code }, errors };
  },
  toRows: (q, v) => [{ questionId: q.id, optionCode: v.code, valueText: v.other ?? null, valueNum: null }],
  codes: (_q, v) => [{ code: v.code }],
  view: (q, raw, errors, ctx) => ({ options: optionViews(q, raw, errors, ctx), inputType: 'radio', compact: isCompact(q.options) }),
};

export const multipleType: QuestionType<Multiple, MultipleValue> = {
  fieldNames: (q) => [q.id, ...otherFields(q)],
  // Every option once, plus one: more distinct values than options means one is not an option.
  draftLimit: (q, field) => choiceDraftLimit(q, field, q.options.length + 1),
  parse(q, raw, ctx) {
    const errors: FieldError[] = [];
    const field = fieldId(q.id);
    const others = readOthers(q, raw, errors);
    const posted = readMany(raw, q.id);
    const codes: string[] = [];
    for (const c of posted) {
      if (codes.includes(c)) continue; // a repeated tick is the same tick
      const option = q.options.find((o) => o.code === c && ctx.optionVisible(o));
      if (!option) return { value: undefined, errors: [...errors, { field, message: fr.errors.invalidOption }] };
      codes.push(c);
    }
    // A precision typed without ticking its box ticks it (JavaScript-off phones show it always).
    for (const [otherCode] of others) if (!codes.includes(otherCode)) codes.push(otherCode);
    if (codes.length === 0) {
      if (q.required) errors.push({ field, message: fr.errors.requiredChoice });
      return { value: undefined, errors };
    }
    const exclusive = q.options.find((o) => o.exclusive && codes.includes(o.code));
    if (exclusive && codes.length > 1) errors.push({ field, message: fr.errors.exclusive(exclusive.label) });
    if (q.maxChoices !== undefined && codes.length > q.maxChoices) {
      errors.push({ field, message: fr.errors.tooManyChoices(q.maxChoices) });
    }
    for (const o of q.options) {
      if (!o.other || !codes.includes(o.code) || others.get(o.code)) continue;
      const precisionField = fieldId(q.id, o.code, 'precision');
      if (!errors.some((e) => e.field === precisionField)) errors.push({ field: precisionField, message: fr.errors.otherMissing });
    }
    if (errors.length) return { value: undefined, errors };
    // Stored in the questionnaire's order, whatever order the browser sent.
    const ordered = q.options.map((o) => o.code).filter((c) => codes.includes(c));
    const other = Object.fromEntries(ordered.filter((c) => others.has(c)).map((c) => [c, others.get(c)!]));
    return { value: Object.keys(other).length ? { codes: ordered, other } : { codes: ordered }, errors };
  },
  toRows: (q, v): AnswerRow[] =>
    v.codes.map((c) => ({ questionId: q.id, optionCode: c, valueText: v.other?.[c] ?? null, valueNum: null })),
  codes: (_q, v) => v.codes.map((code) => ({ code })),
  view: (q, raw, errors, ctx) => ({
    options: optionViews(q, raw, errors, ctx),
    inputType: 'checkbox',
    maxChoices: q.maxChoices,
    maxReached: q.maxChoices !== undefined ? fr.survey.maxChoicesReached(q.maxChoices) : undefined,
  }),
};

/**
 * Short single-choice answers (« Oui », « Plutôt non », « Je ne sais pas ») sit two by two as
 * tiles: a long step gets shorter on a phone. Not with an « Autre (précise) » field, which needs
 * the width.
 */
function isCompact(options: readonly { label: string; other?: boolean }[]): boolean {
  return options.every((o) => !o.other && [...o.label].length <= 14);
}
