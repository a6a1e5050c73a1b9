import type { Questionnaire } from '../questionnaire/schema.js';
import { EPCI_SUFFIX } from '../questionnaire/types/commune.js';
import { otherFieldName } from '../questionnaire/types/common.js';
import { AGE_GROUP_SUFFIX, ageGroupsFor, EPCI_CHOICES, eachQuestion, sub, type AgeGroup, type Choice } from '../results/model.js';
import { frResults } from '../results/strings.js';
import { themeColumn, type Derived } from '../results/derived.js';
import { fr } from '../strings.js';

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
  /** code → label, for 'code' columns (and the meaning of 0/1 for flags); a recode's groups say which source codes they take. */
  codes?: (Choice & { sources?: string[] })[];
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

/**
 * Every column of responses.csv, in order: the questionnaire's, then the derived variables'
 * (src/results/derived.ts: a code column per recode, a 0/1 column per theme), after every other
 * so that adding one never moves a column analysts' scripts read by position.
 */
export function responseColumns(q: Questionnaire, derived?: Derived): Column[] {
  const cols = questionnaireColumns(q);
  if (!derived) return cols;
  const d = fr.derived;
  const labelOf = new Map(cols.map((c) => [c.name, c.label]));
  for (const { def, variable } of derived.recodes) {
    const source = variable.match.source;
    const sourceCodes = new Map((source.choices ?? []).map((c) => [c.code, c.label]));
    cols.push({
      name: def.id,
      kind: 'code',
      questionId: def.id,
      label: def.label,
      typeLabel: `${d.recodeType} ; ${d.recodeDefinition(source.id)}`,
      section: variable.section.title,
      codes: def.groups.map((g) => ({ code: g.code, label: g.label, sources: g.sources.map((c) => `${c} = ${sourceCodes.get(c) ?? c}`) })),
    });
  }
  for (const set of derived.themes) {
    for (const theme of set.themes) {
      cols.push({
        name: themeColumn(set.source.key, theme.code),
        kind: 'flag',
        questionId: set.variable.id,
        label: d.themeColumnLabel(labelOf.get(set.source.key) ?? set.source.label, theme.label) + (theme.definition ? ` : ${theme.definition}` : ''),
        typeLabel: d.themeType,
        section: set.variable.section.title,
        codes: [
          { code: '1', label: d.themeFlag['1'] },
          { code: '0', label: d.themeFlag['0'] },
        ],
      });
    }
  }
  return cols;
}

function questionnaireColumns(q: Questionnaire): Column[] {
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

export function rowWriters(q: Questionnaire, cols: Column[], labels: boolean, derived?: Derived): Map<string, RowWriter> {
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
  // A recode fills its column from its source's row: the group of the code (or of the age group).
  for (const { def, variable } of derived?.recodes ?? []) {
    const c = col(def.id);
    const show = labelOf(def.id);
    const src = variable.match.source.match;
    const groupOf = new Map(def.groups.flatMap((g) => g.sources.map((s) => [s, g.code] as const)));
    const prev = writers.get(src.answerId);
    const write: RowWriter =
      src.kind === 'option'
        ? (cells, option) => {
            const g = groupOf.get(option);
            if (g !== undefined) cells[c] = show(g);
          }
        : (cells, option, _t, num) => {
            if (option !== '' || num === null) return;
            const age = src.groups.find((x) => x.ranges.some(([a, b]) => num >= a && num <= b));
            const g = age && groupOf.get(age.code);
            if (g !== undefined) cells[c] = show(g);
          };
    writers.set(
      src.answerId,
      prev
        ? (cells, option, text, num) => {
            prev(cells, option, text, num);
            write(cells, option, text, num);
          }
        : write,
    );
  }
  return writers;
}

/**
 * The theme columns of a response's line: 0/1 per theme of each coded source, empty when the
 * response wrote nothing for that source. `coded` = the (source, code) pairs of its reference
 * coding. Call once the answer rows are written (the source's text is then in its cell).
 */
export function themeFiller(cols: Column[], derived?: Derived): ((cells: (string | number | null)[], coded: [string, string][]) => void) | null {
  if (!derived?.themes.length) return null;
  const index = new Map(cols.map((c, i) => [c.name, i]));
  const sets = derived.themes.map((set) => ({
    key: set.source.key,
    text: index.get(set.source.key)!,
    flags: new Map(set.themes.map((x) => [x.code, index.get(themeColumn(set.source.key, x.code))!])),
  }));
  const byKey = new Map(sets.map((s) => [s.key, s]));
  return (cells, coded) => {
    for (const s of sets) {
      const text = cells[s.text];
      if (typeof text === 'string' && text !== '') for (const i of s.flags.values()) cells[i] = 0;
    }
    for (const [source, code] of coded) {
      const s = byKey.get(source);
      const i = s?.flags.get(code);
      if (s && i !== undefined && cells[i] === 0) cells[i] = 1;
    }
  };
}

function groupOf(groups: AgeGroup[], v: number): string | undefined {
  return groups.find((g) => g.ranges.some(([a, b]) => v >= a && v <= b))?.code;
}
