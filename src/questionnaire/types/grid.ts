import { fr } from '../../strings.js';
import type { Question } from '../schema.js';
import { codeChars, fieldId, readOne, SINGLE_VALUE, type FieldError, type QuestionType } from './common.js';

type Grid = Extract<Question, { type: 'grid' }>;
/** item id → scale code, only for the items answered. */
export type GridValue = Record<string, string>;

const itemField = (q: Grid, item: string) => `${q.id}__${item}`;

/**
 * An agree/disagree grid rendered as one radio group per statement, stacked: each group is a
 * fieldset screen readers announce, drawn as a segmented row (app.css: `.scale`) that fits a
 * 360 px screen with every label visible, and wraps to two rows below 340 px.
 * Stored as one sub-question per item: question_id "<grid>__<item>", option_code = scale code.
 */
export const gridType: QuestionType<Grid, GridValue> = {
  fieldNames: (q) => q.items.map((i) => itemField(q, i.id)),
  draftLimit: (q) => ({ chars: codeChars(q.scale), values: SINGLE_VALUE }),
  parse(q, raw) {
    const errors: FieldError[] = [];
    const value: GridValue = {};
    for (const item of q.items) {
      const field = fieldId(q.id, item.id, q.scale[0].code);
      const { value: v, repeated } = readOne(raw, itemField(q, item.id));
      if (repeated) errors.push({ field, message: fr.errors.repeated });
      else if (v && !q.scale.some((s) => s.code === v)) errors.push({ field, message: fr.errors.invalidOption });
      else if (v) value[item.id] = v;
      else if (q.required) errors.push({ field, message: fr.errors.requiredChoice });
    }
    if (errors.length) return { value: undefined, errors };
    return { value: Object.keys(value).length ? value : undefined, errors };
  },
  toRows: (q, v) =>
    q.items
      .filter((i) => v[i.id])
      .map((i) => ({ questionId: itemField(q, i.id), optionCode: v[i.id], valueText: null, valueNum: null })),
  codes: (_q, v) => Object.entries(v).map(([item, code]) => ({ item, code })),
  view: (q, raw, errors) => ({
    // Four points ordered agree → disagree (the questionnaire's agreement scale): drawn with the
    // diverging colours of the results charts.
    diverging: q.scale.length === 4,
    items: q.items.map((item) => {
      const chosen = readOne(raw, itemField(q, item.id)).value;
      const firstId = fieldId(q.id, item.id, q.scale[0].code);
      return {
        id: item.id,
        label: item.label,
        name: itemField(q, item.id),
        legendId: fieldId(q.id, item.id, 'legend'),
        error: errors.find((e) => e.field === firstId)?.message,
        errorId: fieldId(q.id, item.id, 'error'),
        options: q.scale.map((s) => ({
          code: s.code,
          label: s.label,
          id: fieldId(q.id, item.id, s.code),
          checked: chosen === s.code,
        })),
      };
    }),
  }),
};
