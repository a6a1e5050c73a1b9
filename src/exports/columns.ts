import type { Questionnaire } from '../questionnaire/schema.js';
import { EPCI_SUFFIX } from '../questionnaire/types/commune.js';
import { otherFieldName } from '../questionnaire/types/common.js';
import { AGE_GROUP_SUFFIX, ageGroupsFor, EPCI_CHOICES, eachQuestion, sub, type AgeGroup, type Choice } from '../results/model.js';
import { frResults } from '../results/strings.js';

// The columns of responses.csv, derived from the questionnaire definition (nothing else names a
// column): the codebook describes exactly these, and the export fills them from the answer rows.

export type ColumnKind =
  | 'meta'
  /** option code of a single choice, grid item or derived variable */
  | 'code'
  /** 0/1 per option of a multiple choice */
  | 'flag'
  /** rank of a ranked option */
  | 'rank'
  | 'number'
  /** free text typed by the respondent (formulas neutralised) */
  | 'text'
  /** commune name from the official list */
  | 'name';

export type Column = {
  name: string;
  kind: ColumnKind;
  /** The question it comes from (none for metadata). */
  questionId?: string;
  label: string;
  /** Type, as the codebook shows it (French). */
  typeLabel: string;
  section?: string;
  /** code → label, for 'code' columns (and the meaning of 0/1 for flags). */
  codes?: Choice[];
};

const ty = frResults.types;

// weight: the raking weight of the weighting in force (response_weights, src/weights/), empty when none.
export const META_COLUMNS: Column[] = (['response_id', 'questionnaire_version', 'channel', 'completed_date', 'weight'] as const).map((name) => ({
  name,
  kind: 'meta',
  label: frResults.columns[name],
  typeLabel: ty.meta,
}));

const flagCodes: Choice[] = [
  { code: '1', label: frResults.codebook.ticked['1'] },
  { code: '0', label: frResults.codebook.ticked['0'] },
];

/** Every column of responses.csv, in order. */
export function responseColumns(q: Questionnaire): Column[] {
  const cols: Column[] = [...META_COLUMNS];
  for (const { question, section } of eachQuestion(q)) {
    const base = { questionId: question.id, section: section.title };
    switch (question.type) {
      case 'single':
        cols.push({ ...base, name: question.id, kind: 'code', label: question.label, typeLabel: ty.single, codes: question.options });
        for (const o of question.options.filter((x) => x.other)) {
          cols.push({ ...base, name: otherFieldName(question.id, o.code), kind: 'text', label: `${question.label} — ${frResults.derived.precision(o.label)}`, typeLabel: ty.precision });
        }
        break;
      case 'multiple':
        for (const o of question.options) {
          cols.push({ ...base, name: sub(question.id, o.code), kind: 'flag', label: `${question.label} — ${o.label}`, typeLabel: ty.multiple, codes: flagCodes });
        }
        for (const o of question.options.filter((x) => x.other)) {
          cols.push({ ...base, name: otherFieldName(question.id, o.code), kind: 'text', label: `${question.label} — ${frResults.derived.precision(o.label)}`, typeLabel: ty.precision });
        }
        break;
      case 'grid':
        for (const item of question.items) {
          cols.push({ ...base, name: sub(question.id, item.id), kind: 'code', label: `${question.label} — ${item.label}`, typeLabel: ty.grid, codes: question.scale });
        }
        break;
      case 'ranking':
        for (const o of question.options) {
          cols.push({ ...base, name: sub(question.id, o.code), kind: 'rank', label: `${question.label} — ${o.label}`, typeLabel: ty.ranking });
        }
        break;
      case 'text':
      case 'longtext':
        cols.push({ ...base, name: question.id, kind: 'text', label: question.label, typeLabel: question.type === 'text' ? ty.text : ty.longtext });
        break;
      case 'integer': {
        cols.push({ ...base, name: question.id, kind: 'number', label: question.label, typeLabel: ty.integer });
        const groups = ageGroupsFor(question);
        if (groups) {
          cols.push({
            ...base,
            name: sub(question.id, AGE_GROUP_SUFFIX),
            kind: 'code',
            label: `${question.label} — ${frResults.derived.ageGroup}`,
            typeLabel: ty.ageGroup,
            codes: groups.map(({ code, label }) => ({ code, label })),
          });
        }
        break;
      }
      case 'commune':
        cols.push({ ...base, name: question.id, kind: 'code', label: question.label, typeLabel: ty.commune });
        cols.push({ ...base, name: sub(question.id, 'nom'), kind: 'name', label: `${question.label} — ${frResults.derived.communeName}`, typeLabel: ty.communeName });
        cols.push({ ...base, name: sub(question.id, EPCI_SUFFIX), kind: 'code', label: `${question.label} — ${frResults.derived.epci}`, typeLabel: ty.epci, codes: EPCI_CHOICES });
        break;
    }
  }
  return cols;
}

/**
 * How each answer row (question_id, option_code, value_text, value_num) fills the cells of a
 * response's line. `cells` is the line being built; null = empty cell.
 */
export type RowWriter = (cells: (string | number | null)[], option: string, text: string | null, num: number | null) => void;

export function rowWriters(q: Questionnaire, cols: Column[], labels: boolean): Map<string, RowWriter> {
  const index = new Map(cols.map((c, i) => [c.name, i]));
  const col = (name: string) => {
    const i = index.get(name);
    if (i === undefined) throw new Error(`colonne inconnue : ${name}`);
    return i;
  };
  const labelOf = (name: string) => {
    const m = new Map((cols[col(name)].codes ?? []).map((c) => [c.code, c.label]));
    return (code: string) => (labels ? (m.get(code) ?? code) : code);
  };
  const writers = new Map<string, RowWriter>();
  for (const { question } of eachQuestion(q)) {
    switch (question.type) {
      case 'single': {
        const c = col(question.id);
        const show = labelOf(question.id);
        const precision = new Map(question.options.filter((o) => o.other).map((o) => [o.code, col(otherFieldName(question.id, o.code))]));
        writers.set(question.id, (cells, option, text) => {
          cells[c] = show(option);
          const p = precision.get(option);
          if (p !== undefined && text) cells[p] = text;
        });
        break;
      }
      case 'multiple': {
        const flags = question.options.map((o) => col(sub(question.id, o.code)));
        const byCode = new Map(question.options.map((o, k) => [o.code, flags[k]]));
        const precision = new Map(question.options.filter((o) => o.other).map((o) => [o.code, col(otherFieldName(question.id, o.code))]));
        writers.set(question.id, (cells, option, text) => {
          // First row of this question for the response: it was answered, so unticked = 0.
          if (cells[flags[0]] === null) for (const f of flags) cells[f] = 0;
          const f = byCode.get(option);
          if (f !== undefined) cells[f] = 1;
          const p = precision.get(option);
          if (p !== undefined && text) cells[p] = text;
        });
        break;
      }
      case 'grid':
        for (const item of question.items) {
          const name = sub(question.id, item.id);
          const c = col(name);
          const show = labelOf(name);
          writers.set(name, (cells, option) => (cells[c] = show(option)));
        }
        break;
      case 'ranking': {
        const byCode = new Map(question.options.map((o) => [o.code, col(sub(question.id, o.code))]));
        writers.set(question.id, (cells, option, _t, num) => {
          const c = byCode.get(option);
          if (c !== undefined) cells[c] = num;
        });
        break;
      }
      case 'text':
      case 'longtext': {
        const c = col(question.id);
        writers.set(question.id, (cells, _o, text) => (cells[c] = text));
        break;
      }
      case 'integer': {
        const c = col(question.id);
        const groups = ageGroupsFor(question);
        const g = groups ? col(sub(question.id, AGE_GROUP_SUFFIX)) : -1;
        const show = groups ? labelOf(sub(question.id, AGE_GROUP_SUFFIX)) : (x: string) => x;
        writers.set(question.id, (cells, _o, _t, num) => {
          cells[c] = num;
          if (groups && num !== null) {
            const group = groupOf(groups, num);
            if (group) cells[g] = show(group);
          }
        });
        break;
      }
      case 'commune': {
        const c = col(question.id);
        const name = col(sub(question.id, 'nom'));
        const epci = sub(question.id, EPCI_SUFFIX);
        const e = col(epci);
        const show = labelOf(epci);
        writers.set(question.id, (cells, option, text) => {
          cells[c] = option;
          cells[name] = text;
        });
        writers.set(epci, (cells, option) => (cells[e] = show(option)));
        break;
      }
    }
  }
  return writers;
}

function groupOf(groups: AgeGroup[], v: number): string | undefined {
  return groups.find((g) => g.ranges.some(([a, b]) => v >= a && v <= b))?.code;
}
