import { fr } from '../../strings.js';
import type { Question } from '../schema.js';
import { codeChars, fieldId, readOne, SINGLE_VALUE, type FieldError, type QuestionType } from './common.js';

type Ranking = Extract<Question, { type: 'ranking' }>;
/** Option codes, first rank first. */
export type RankingValue = string[];

const rankField = (q: Ranking, rank: number) => `${q.id}__rang${rank}`;

/**
 * "Top N" ranking as N labelled selects (1er choix, 2e choix…): works without JavaScript, with
 * a screen reader and on a small touch screen, unlike drag and drop. Stored as one row per ranked
 * option with value_num = rank.
 */
export const rankingType: QuestionType<Ranking, RankingValue> = {
  fieldNames: (q) => Array.from({ length: q.picks }, (_, i) => rankField(q, i + 1)),
  draftLimit: (q) => ({ chars: codeChars(q.options), values: SINGLE_VALUE }),
  parse(q, raw) {
    const errors: FieldError[] = [];
    const picked: (string | '')[] = [];
    for (let r = 1; r <= q.picks; r++) {
      const field = fieldId(q.id, `rang${r}`);
      const { value, repeated } = readOne(raw, rankField(q, r));
      if (repeated) errors.push({ field, message: fr.errors.repeated });
      else if (value && !q.options.some((o) => o.code === value)) errors.push({ field, message: fr.errors.invalidOption });
      else if (value && picked.includes(value)) errors.push({ field, message: fr.errors.rankingDuplicate });
      picked.push(value);
    }
    if (errors.length) return { value: undefined, errors };
    const lastFilled = picked.reduce((acc, v, i) => (v ? i : acc), -1);
    const firstEmpty = picked.findIndex((v) => !v);
    if (firstEmpty !== -1 && firstEmpty < lastFilled) {
      return { value: undefined, errors: [{ field: fieldId(q.id, `rang${firstEmpty + 1}`), message: fr.errors.rankingGap }] };
    }
    const value = picked.filter(Boolean);
    if (!value.length) {
      return { value: undefined, errors: q.required ? [{ field: fieldId(q.id, 'rang1'), message: fr.errors.requiredChoice }] : [] };
    }
    return { value, errors };
  },
  toRows: (q, v) => v.map((code, i) => ({ questionId: q.id, optionCode: code, valueText: null, valueNum: i + 1 })),
  codes: (_q, v) => v.map((code) => ({ code })),
  view: (q, raw, errors) => ({
    ranks: Array.from({ length: q.picks }, (_, i) => {
      const rank = i + 1;
      const id = fieldId(q.id, `rang${rank}`);
      const chosen = readOne(raw, rankField(q, rank)).value;
      return {
        id,
        name: rankField(q, rank),
        label: fr.survey.rank(rank),
        error: errors.find((e) => e.field === id)?.message,
        errorId: `${id}-error`,
        options: q.options.map((o) => ({ code: o.code, label: o.label, selected: chosen === o.code })),
      };
    }),
    noneLabel: fr.survey.rankNone,
  }),
};
