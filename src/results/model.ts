import type { Question, Questionnaire, Section } from '../questionnaire/schema.js';
import { EPCI_SUFFIX } from '../questionnaire/types/commune.js';
import { OUTSIDE_PMA, PMA_EPCI } from '../territory/communes.js';
import { frResults } from './strings.js';

// Views derived from the questionnaire definition that the results, filters and exports share:
// which answer rows a question writes (question_id of the rows), the derived variables (age group,
// intercommunality) and their labels. Nothing here names a question of « Mon avenir en Artois ».

export type Choice = { code: string; label: string };

/** Separator of compound ids, reserved by the definition schema ("__" never appears in a code). */
export const SEP = '__';

export const sub = (...parts: string[]) => parts.join(SEP);

/** Integer questions counted in years get the report's age groups (15-17 minors, 18-25, other). */
const REPORT_AGE_GROUPS = [
  { code: 'mineurs_15_17', min: 15, max: 17 },
  { code: 'jeunes_18_25', min: 18, max: 25 },
] as const;
export const AGE_GROUP_SUFFIX = 'groupe';
export const AGE_OTHER_CODE = 'autre';

export type AgeGroup = Choice & { ranges: [number, number][] };
export function ageGroupsFor(q: Question): AgeGroup[] | null {
  if (q.type !== 'integer' || q.unit?.trim().toLowerCase() !== 'ans') return null;
  const labels = frResults.derived.ageGroups as Record<string, string>;
  const groups: AgeGroup[] = REPORT_AGE_GROUPS.map((g) => ({
    code: g.code,
    label: labels[g.code],
    ranges: [[g.min, g.max]],
  }));
  const lo = REPORT_AGE_GROUPS[0].min;
  const hi = REPORT_AGE_GROUPS[REPORT_AGE_GROUPS.length - 1].max;
  const other: [number, number][] = [];
  if (q.min < lo) other.push([q.min, lo - 1]);
  if (q.max > hi) other.push([hi + 1, q.max]);
  // A range like [-inf, +inf] never happens: the definition bounds every integer question.
  groups.push({ code: AGE_OTHER_CODE, label: labels[AGE_OTHER_CODE], ranges: other });
  return groups;
}

export function ageGroupOf(groups: AgeGroup[], value: number): AgeGroup | undefined {
  return groups.find((g) => g.ranges.some(([a, b]) => value >= a && value <= b));
}

export const EPCI_CHOICES: Choice[] = [...PMA_EPCI, OUTSIDE_PMA].map((e) => ({ code: e.code, label: e.label }));

/**
 * A variable one can filter on: a question_id of the answers table (or a derived one) and the codes
 * it may take. `match` says how a code is tested in SQL.
 */
export type FilterVariable = {
  id: string;
  label: string;
  /** The question it comes from (for a derived variable, the question of its source). */
  question: Question;
  section: Section;
  match: VariableMatch;
  /** Allowed codes; null = open list checked by `accepts` (communes). */
  choices: Choice[] | null;
  /** Set on the analysts' derived variables (src/results/derived.ts): a recode or a theme set. */
  derived?: 'recode' | 'theme';
  /** Several codes per respondent (the themes of an answer); else read from the question type. */
  multiple?: boolean;
};

/** A variable read straight from answer rows: a question, a grid item, an intercommunality, an age group. */
export type AnswerMatch = { kind: 'option'; answerId: string } | { kind: 'range'; answerId: string; groups: AgeGroup[] };

/**
 * How a code of a variable is tested in SQL:
 *  - option: rows (question_id = answerId, option_code IN codes);
 *  - range: value_num of the row (question_id = answerId, option_code '') in the groups' ranges;
 *  - recode: the source variable's codes grouped (a group = the source codes it takes);
 *  - theme: the reference coding (coder '') of the text `source` carries the theme (coding_themes).
 */
export type VariableMatch =
  | AnswerMatch
  | { kind: 'recode'; source: FilterVariable & { match: AnswerMatch }; groups: { code: string; label: string; sources: string[] }[] }
  | { kind: 'theme'; source: string; questionId: string; optionCode: string };

/** Whether a variable takes several codes per respondent (crossed option by option). */
export function isMultiple(v: FilterVariable): boolean {
  return v.multiple ?? (v.question.type === 'multiple' || v.question.type === 'ranking');
}

export function eachQuestion(q: Questionnaire): { question: Question; section: Section; sectionIndex: number }[] {
  return q.sections.flatMap((section, sectionIndex) => section.questions.map((question) => ({ question, section, sectionIndex })));
}

/** Every filterable variable, in questionnaire order. Free text and raw integers are not filterable. */
export function filterVariables(q: Questionnaire): FilterVariable[] {
  const out: FilterVariable[] = [];
  for (const { question, section } of eachQuestion(q)) {
    const base = { question, section };
    switch (question.type) {
      case 'single':
      case 'multiple':
      case 'ranking':
        out.push({
          ...base,
          id: question.id,
          label: question.label,
          match: { kind: 'option', answerId: question.id },
          choices: question.options.map((o) => ({ code: o.code, label: o.label })),
        });
        break;
      case 'grid':
        for (const item of question.items) {
          const id = sub(question.id, item.id);
          out.push({
            ...base,
            id,
            label: `${question.label} — ${item.label}`,
            match: { kind: 'option', answerId: id },
            choices: question.scale.map((s) => ({ code: s.code, label: s.label })),
          });
        }
        break;
      case 'commune': {
        out.push({ ...base, id: question.id, label: question.label, match: { kind: 'option', answerId: question.id }, choices: null });
        const epci = sub(question.id, EPCI_SUFFIX);
        out.push({
          ...base,
          id: epci,
          label: `${question.label} — ${frResults.derived.epci}`,
          match: { kind: 'option', answerId: epci },
          choices: EPCI_CHOICES,
        });
        break;
      }
      case 'integer': {
        const groups = ageGroupsFor(question);
        if (groups) {
          out.push({
            ...base,
            id: sub(question.id, AGE_GROUP_SUFFIX),
            label: `${question.label} — ${frResults.derived.ageGroup}`,
            match: { kind: 'range', answerId: question.id, groups },
            choices: groups.map(({ code, label }) => ({ code, label })),
          });
        }
        break;
      }
      case 'text':
      case 'longtext':
        break;
    }
  }
  return out;
}
