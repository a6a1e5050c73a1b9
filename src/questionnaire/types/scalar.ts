import { fr } from '../../strings.js';
import type { Question } from '../schema.js';
import { charLength, cleanText, draftChars, fieldId, readOne, SINGLE_VALUE, type FieldError, type QuestionType } from './common.js';

type Text = Extract<Question, { type: 'text' | 'longtext' }>;
type Integer = Extract<Question, { type: 'integer' }>;

export const textType: QuestionType<Text, string> = {
  fieldNames: (q) => [q.id],
  draftLimit: (q) => ({ chars: draftChars(q.maxLength), values: SINGLE_VALUE }),
  parse(q, raw) {
    const field = fieldId(q.id);
    const { value, repeated } = readOne(raw, q.id);
    if (repeated) return { value: undefined, errors: [{ field, message: fr.errors.repeated }] };
    const text = cleanText(value, q.type === 'longtext');
    if (!text) return { value: undefined, errors: q.required ? [{ field, message: fr.errors.required }] : [] };
    const len = charLength(text);
    if (len > q.maxLength) return { value: undefined, errors: [{ field, message: fr.errors.tooLong(len, q.maxLength) }] };
    return { value: text, errors: [] };
  },
  toRows: (q, v) => [{ questionId: q.id, optionCode: '', valueText: v, valueNum: null }],
  view: (q, raw) => ({
    id: fieldId(q.id),
    value: readOne(raw, q.id).value,
    maxLength: q.maxLength,
    multiline: q.type === 'longtext',
    rows: q.maxLength > 500 ? 6 : 4,
    lengthHint: fr.survey.charactersMax(q.maxLength),
    // With JavaScript the hint becomes a live count, in one phrase: « … au maximum : il t’en reste 998. »
    lengthLeft: fr.survey.charactersLeft(q.maxLength),
    lengthOver: fr.survey.charactersOver(q.maxLength),
  }),
};

const unitPatterns = new WeakMap<Integer, RegExp | null>();
/** "ans" after the number, built once per question. */
function unitPattern(q: Integer): RegExp | null {
  let p = unitPatterns.get(q);
  if (p === undefined) {
    p = q.unit ? new RegExp(`\\s*${q.unit.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`, 'i') : null;
    unitPatterns.set(q, p);
  }
  return p;
}

/** Six digits, the unit and some spaces: longer is never a valid number. */
const INTEGER_DRAFT_CHARS = 40;

export const integerType: QuestionType<Integer, number> = {
  fieldNames: (q) => [q.id],
  draftLimit: (q) => ({ chars: INTEGER_DRAFT_CHARS + (q.unit?.length ?? 0), values: SINGLE_VALUE }),
  parse(q, raw) {
    const field = fieldId(q.id);
    const { value, repeated } = readOne(raw, q.id);
    if (repeated) return { value: undefined, errors: [{ field, message: fr.errors.repeated }] };
    // "17", " 17 ", "17 ans" are all seventeen; "17,5" or "dix-sept" are not an integer.
    const unit = unitPattern(q);
    const trimmed = (unit ? value.replace(unit, '') : value).trim();
    if (!trimmed) return { value: undefined, errors: q.required ? [{ field, message: fr.errors.required }] : [] };
    if (!/^[0-9]{1,6}$/.test(trimmed)) return { value: undefined, errors: [{ field, message: fr.errors.notInteger }] };
    const n = Number(trimmed);
    if (n < q.min || n > q.max) {
      return { value: undefined, errors: [{ field, message: fr.errors.outOfRange(q.min, q.max, q.unit) }] };
    }
    return { value: n, errors: [] as FieldError[] };
  },
  toRows: (q, v) => [{ questionId: q.id, optionCode: '', valueText: null, valueNum: v }],
  view: (q, raw) => ({ id: fieldId(q.id), value: readOne(raw, q.id).value, unit: q.unit, min: q.min, max: q.max }),
};
