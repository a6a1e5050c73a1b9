import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/connection.js';
import type { Questionnaire } from '../questionnaire/schema.js';
import { textSources, type TextSource } from '../analysis/freeText.js';
import { fr } from '../strings.js';
import { eachQuestion, filterVariables, isMultiple, SEP, sub, type AnswerMatch, type Choice, type FilterVariable } from './model.js';

// The analysts' derived variables (issues #12 and #13), the one module that owns their rule:
//  - recodes (table `recodes`, migration 017): the codes of a single-choice variable grouped into
//    a new single-choice variable, « envisager_industrie_oui » = « Oui » (oui_tout_a_fait +
//    plutot_oui), « Non » (…), a source code in no group counting as no answer;
//  - themes (tables `themes`, `codings`, `coding_themes`): for each text source with at least one
//    theme, a multiple-choice variable "<source>__theme" whose codes are the themes of the
//    reference coding (coder ''), over the respondents who wrote something for that source.
// Both are FilterVariables (src/results/model.ts): filters, dashboard results, results.csv,
// crosstabs, responses.csv and the codebook read them through allVariables / derivedFor.
//
// Definitions change rarely and are read at every request: they are kept per connection under
// derived_version (migration 023), which triggers on the four tables move at every write,
// whatever the code path. derivedChanged(db) bumps it by hand (see its comment).

export const THEME_SUFFIX = 'theme';
/** Column of responses.csv for one theme: "<source>__theme__<code>". */
export const themeColumn = (source: string, code: string) => sub(source, THEME_SUFFIX, code);
export const themeVariableId = (source: string) => sub(source, THEME_SUFFIX);

export type RecodeGroup = { code: string; label: string; sources: string[] };
export type RecodeDef = { id: string; source: string; label: string; groups: RecodeGroup[]; position: number };
export type ThemeDef = { code: string; label: string; definition: string; position: number };
export type ThemeSet = { source: TextSource; variable: FilterVariable; themes: ThemeDef[] };

export type RecodeVariable = FilterVariable & { match: Extract<FilterVariable['match'], { kind: 'recode' }> };
export type ThemeVariable = FilterVariable & { match: Extract<FilterVariable['match'], { kind: 'theme' }> };

export type Derived = {
  version: number;
  /** Valid recodes, in their order, with their variable. */
  recodes: { def: RecodeDef; variable: RecodeVariable }[];
  /** Recodes that no longer fit the questionnaire (a source gone, a code gone): listed, not used. */
  invalid: { def: RecodeDef; errors: FieldError[] }[];
  themes: ThemeSet[];
  /** Every derived variable: the recodes, then the theme sets. */
  variables: FilterVariable[];
};

export type FieldError = { field: string; message: string };

const t = fr.derived;

// ---------------------------------------------------------------------------------------------
// Validation

export type RecodeInput = { id: string; label: string; source: string; groups: { code: string; label: string; sources: string[] }[] };

const ID = /^[a-z][a-z0-9_]*$/;
const CODE = /^[a-z0-9][a-z0-9_]*$/;
export const MAX_GROUPS = 12;
/** Column names that exports add outside the questionnaire (responses.csv's raking weight). */
const RESERVED = ['weight', 'response_id', 'questionnaire_version', 'channel', 'completed_date'];

/** Single-choice variables a recode can group: a question, a grid item, an intercommunality, an age group. */
export function recodeSources(q: Questionnaire): (FilterVariable & { match: AnswerMatch })[] {
  // The commune itself is an open list (choices null): its intercommunality is the grouping.
  return filterVariables(q).filter(
    (v): v is FilterVariable & { match: AnswerMatch } => v.choices !== null && !isMultiple(v) && (v.match.kind === 'option' || v.match.kind === 'range'),
  );
}

/** Every id a recode may not take: questions, variables, table and column ids (compound ones have "__"). */
function takenIds(q: Questionnaire): Set<string> {
  const out = new Set<string>(RESERVED);
  for (const { question } of eachQuestion(q)) out.add(question.id);
  for (const v of filterVariables(q)) out.add(v.id);
  return out;
}

/**
 * Checks a recode against the questionnaire and the other recodes; every error at once, in
 * French, on its field ("id", "label", "source", "groups", "groups.<i>.code", ".label", ".sources").
 */
export function validateRecode(input: RecodeInput, q: Questionnaire, others: readonly { id: string }[], opts: { editing?: string } = {}): FieldError[] {
  const errors: FieldError[] = [];
  const id = input.id.trim();
  if (opts.editing === undefined || opts.editing !== id) {
    if (!id) errors.push({ field: 'id', message: t.idMissing });
    else if (id.length > 40) errors.push({ field: 'id', message: t.idTooLong(40) });
    else if (!ID.test(id) || id.includes(SEP) || id.endsWith('_')) errors.push({ field: 'id', message: t.idBad });
    else if (takenIds(q).has(id)) errors.push({ field: 'id', message: t.idTaken(id) });
    else if (others.some((o) => o.id === id && o.id !== opts.editing)) errors.push({ field: 'id', message: t.idTakenRecode(id) });
  }
  const label = input.label.trim();
  if (!label) errors.push({ field: 'label', message: t.labelMissing });
  else if (label.length > 200) errors.push({ field: 'label', message: t.labelTooLong(200) });
  const source = recodeSources(q).find((v) => v.id === input.source);
  if (!input.source) errors.push({ field: 'source', message: t.sourceMissing });
  else if (!source) errors.push({ field: 'source', message: t.sourceBad(input.source) });
  const groups = input.groups;
  if (!groups.length) errors.push({ field: 'groups', message: t.groupsMissing });
  if (groups.length > MAX_GROUPS) errors.push({ field: 'groups', message: t.groupsTooMany(MAX_GROUPS) });
  const seenCodes = new Map<string, number>();
  const seenSources = new Map<string, number>();
  groups.forEach((g, i) => {
    const code = g.code.trim();
    const field = (k: string) => `groups.${i}.${k}`;
    if (!code) errors.push({ field: field('code'), message: t.groupCodeMissing });
    else if (code.length > 40 || !CODE.test(code) || code.includes(SEP) || code.endsWith('_')) errors.push({ field: field('code'), message: t.groupCodeBad });
    else if (seenCodes.has(code)) errors.push({ field: field('code'), message: t.groupCodeTwice(code) });
    else seenCodes.set(code, i);
    if (!g.label.trim()) errors.push({ field: field('label'), message: t.groupLabelMissing });
    else if (g.label.trim().length > 200) errors.push({ field: field('label'), message: t.labelTooLong(200) });
    if (!g.sources.length) errors.push({ field: field('sources'), message: t.groupSourcesMissing });
    for (const s of g.sources) {
      if (source && !source.choices!.some((c) => c.code === s)) errors.push({ field: field('sources'), message: t.groupSourceUnknown(s, source.label) });
      else if (seenSources.has(s)) errors.push({ field: field('sources'), message: t.groupSourceTwice(s, seenSources.get(s)! + 1) });
      else seenSources.set(s, i);
    }
  });
  return errors;
}

/** The trimmed definition, once valid. */
export function cleanRecode(input: RecodeInput): Omit<RecodeDef, 'position'> {
  return {
    id: input.id.trim(),
    label: input.label.trim(),
    source: input.source,
    groups: input.groups.map((g) => ({ code: g.code.trim(), label: g.label.trim(), sources: [...new Set(g.sources)] })),
  };
}

// ---------------------------------------------------------------------------------------------
// Storage

function parseGroups(json: string): RecodeGroup[] {
  try {
    const v = JSON.parse(json) as unknown;
    if (!Array.isArray(v)) return [];
    return v.map((g: { code?: unknown; label?: unknown; sources?: unknown }) => ({
      code: String(g?.code ?? ''),
      label: String(g?.label ?? ''),
      sources: Array.isArray(g?.sources) ? g.sources.map(String) : [],
    }));
  } catch {
    return [];
  }
}

export function readRecodes(db: Db): RecodeDef[] {
  return (db.prepare('SELECT id, source, label, groups, position FROM recodes ORDER BY position, id').all() as { id: string; source: string; label: string; groups: string; position: number }[]).map(
    (r) => ({ ...r, groups: parseGroups(r.groups) }),
  );
}

/** Creates or replaces a recode (validated by the caller); `previousId` renames nothing: ids are stable. */
export function saveRecode(db: Db, def: Omit<RecodeDef, 'position'>): void {
  db.prepare(
    `INSERT INTO recodes (id, source, label, groups, position)
     VALUES (?, ?, ?, ?, (SELECT coalesce(max(position), 0) + 1 FROM recodes))
     ON CONFLICT (id) DO UPDATE SET source = excluded.source, label = excluded.label, groups = excluded.groups`,
  ).run(def.id, def.source, def.label, JSON.stringify(def.groups));
}

export function deleteRecode(db: Db, id: string): boolean {
  return db.prepare('DELETE FROM recodes WHERE id = ?').run(id).changes > 0;
}

// ---------------------------------------------------------------------------------------------
// Registry

type State = { version: Statement; q?: Questionnaire; at?: number; value?: Derived };
const states = new WeakMap<Db, State | null>();

function stateOf(db: Db): State | null {
  let s = states.get(db);
  if (s === undefined) {
    const present = db.prepare(`SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'derived_version'`).get() !== undefined;
    s = present ? { version: db.prepare('SELECT n FROM derived_version WHERE id = 1').pluck(true) } : null;
    // Not remembered when absent: the migration may run later on this connection (tests).
    if (s) states.set(db, s);
  }
  return s ?? null;
}

const EMPTY: Derived = Object.freeze({ version: -1, recodes: [], invalid: [], themes: [], variables: [] }) as unknown as Derived;

/** The derived variables of the questionnaire as stored now (read once per change of derived_version). */
export function derivedFor(db: Db, q: Questionnaire): Derived {
  const s = stateOf(db);
  if (!s) return EMPTY;
  const version = s.version.get() as number;
  if (s.value && s.q === q && s.at === version) return s.value;
  const value = loadDerived(db, q, version);
  s.q = q;
  s.at = version;
  s.value = value;
  return value;
}

/**
 * The number that moves at every change of a derived variable (a recode, a theme, a reference
 * coding): a cache of figures that can be filtered on them keys on it (-1 before migration 023).
 */
export function derivedVersion(db: Db): number {
  const s = stateOf(db);
  return s ? (s.version.get() as number) : -1;
}

/** Every variable one can filter on, cross or export: the questionnaire's, then the derived ones. */
export function allVariables(db: Db, q: Questionnaire): FilterVariable[] {
  const d = derivedFor(db, q);
  return d.variables.length ? [...filterVariables(q), ...d.variables] : filterVariables(q);
}

/**
 * Tells the registry and the results cache that a derived variable changed. The triggers of
 * migration 023 already do it for every write to recodes, themes, codings and coding_themes
 * (coder ''), whatever the code path: call this only after a change they cannot see (none
 * today), or after a batch for clarity; it is one UPDATE.
 */
export function derivedChanged(db: Db): void {
  if (stateOf(db)) db.prepare('UPDATE derived_version SET n = n + 1 WHERE id = 1').run();
}

function loadDerived(db: Db, q: Questionnaire, version: number): Derived {
  const recodes: Derived['recodes'] = [];
  const invalid: Derived['invalid'] = [];
  const sources = new Map(recodeSources(q).map((v) => [v.id, v]));
  const defs = readRecodes(db);
  for (const def of defs) {
    const errors = validateRecode(def, q, defs, { editing: def.id });
    const source = sources.get(def.source);
    if (errors.length || !source) {
      invalid.push({ def, errors });
      continue;
    }
    recodes.push({ def, variable: recodeVariable(def, source) });
  }
  const themes: ThemeSet[] = [];
  const rows = db.prepare('SELECT source, code, label, definition, position FROM themes ORDER BY source, position, code').all() as (ThemeDef & { source: string })[];
  const bySource = new Map<string, ThemeDef[]>();
  for (const r of rows) (bySource.get(r.source) ?? bySource.set(r.source, []).get(r.source)!).push({ code: r.code, label: r.label, definition: r.definition, position: r.position });
  const questions = new Map(eachQuestion(q).map((x) => [x.question.id, x]));
  // Questionnaire order of the sources; a codebook of a source no longer in the definition is left out.
  for (const source of textSources(q)) {
    const list = bySource.get(source.key);
    if (!list?.length) continue;
    const { question, section } = questions.get(source.questionId)!;
    themes.push({
      source,
      themes: list,
      variable: {
        id: themeVariableId(source.key),
        label: t.themesOf(source.label),
        question,
        section,
        match: { kind: 'theme', source: source.key, questionId: source.questionId, optionCode: source.optionCode },
        choices: list.map((x) => ({ code: x.code, label: x.label })),
        derived: 'theme',
        multiple: true,
      },
    });
  }
  return { version, recodes, invalid, themes, variables: [...recodes.map((r) => r.variable), ...themes.map((x) => x.variable)] };
}

export function recodeVariable(def: Omit<RecodeDef, 'position'>, source: FilterVariable & { match: AnswerMatch }): RecodeVariable {
  return {
    id: def.id,
    label: def.label,
    question: source.question,
    section: source.section,
    match: { kind: 'recode', source, groups: def.groups },
    choices: def.groups.map((g) => ({ code: g.code, label: g.label })),
    derived: 'recode',
    multiple: false,
  };
}

/** The source codes a set of recode codes stands for. */
export function sourceCodesOf(v: RecodeVariable, codes: readonly string[]): string[] {
  return v.match.groups.filter((g) => codes.includes(g.code)).flatMap((g) => g.sources);
}

/** Group counts from the counts of the source codes (one answer per respondent: the base is their sum). */
export function recodeCounts(v: RecodeVariable, sourceCount: (code: string) => number): { counts: Map<string, number>; base: number } {
  const counts = new Map<string, number>();
  let base = 0;
  for (const g of v.match.groups) {
    const n = g.sources.reduce((a, c) => a + sourceCount(c), 0);
    counts.set(g.code, n);
    base += n;
  }
  return { counts, base };
}

// ---------------------------------------------------------------------------------------------
// SQL shared by the filters, the results and the crosstabs

/** An answer-row condition of a variable read from answers (option codes, or value ranges). */
function answerRows(m: AnswerMatch, codes: readonly string[], alias: string): { sql: string; params: (string | number)[] } | null {
  if (m.kind === 'option') {
    if (!codes.length) return null;
    return { sql: `${alias}.question_id = ? AND ${alias}.option_code IN (${codes.map(() => '?').join(', ')})`, params: [m.answerId, ...codes] };
  }
  const ranges = m.groups.filter((g) => codes.includes(g.code)).flatMap((g) => g.ranges);
  if (!ranges.length) return null;
  return { sql: `${alias}.question_id = ? AND ${alias}.option_code = '' AND (${ranges.map(() => `${alias}.value_num BETWEEN ? AND ?`).join(' OR ')})`, params: [m.answerId, ...ranges.flat()] };
}

/**
 * SQL condition on `responses AS <alias>`: the response takes one of `codes` for the variable.
 * EXISTS on a primary key (answers, or coding_themes) for every kind: one probe per response.
 */
export function codeCondition(v: FilterVariable, codes: readonly string[], alias: string): { sql: string; params: (string | number)[] } {
  const m = v.match;
  if (m.kind === 'theme') {
    if (!codes.length) return { sql: '0', params: [] };
    return {
      sql: `EXISTS (SELECT 1 FROM coding_themes ct WHERE ct.source = ? AND ct.coder = '' AND ct.response_id = ${alias}.id AND ct.code IN (${codes.map(() => '?').join(', ')}))`,
      params: [m.source, ...codes],
    };
  }
  const rows = m.kind === 'recode' ? answerRows(m.source.match, sourceCodesOf(v as RecodeVariable, codes), 'fa') : answerRows(m, codes, 'fa');
  if (!rows) return { sql: '0', params: [] };
  return { sql: `EXISTS (SELECT 1 FROM answers fa WHERE fa.response_id = ${alias}.id AND ${rows.sql})`, params: rows.params };
}

/**
 * The figures of each theme set over the selected responses: respondents who wrote something for
 * the source (the base: `answered`, read by the caller from the results' own tally — the survey
 * never stores an empty text, src/questionnaire/types), how many of those answers have a reference
 * coding (progress), and per theme the respondents whose answer carries it.
 * `selection` (a condition on `responses AS r`) is null for every completed response: codings
 * are only made on completed responses (the coding screens read no draft) and go with their
 * response (ON DELETE CASCADE), so the counts are then read off the codings' indexes alone
 * (a few ms for tens of thousands of coded answers); otherwise each coded answer's response is
 * tested against the filter by primary key.
 */
export function themeFigures(
  db: Db,
  sets: readonly ThemeSet[],
  answered: (set: ThemeSet) => number,
  selection: { where: string; params: readonly (string | number)[] } | null,
): Map<string, { answered: number; coded: number; counts: Map<string, number> }> {
  const out = new Map<string, { answered: number; coded: number; counts: Map<string, number> }>();
  for (const set of sets) {
    const key = set.source.key;
    let coded: number;
    let rows: { code: string; n: number }[];
    if (!selection) {
      coded = db.prepare(`SELECT count(*) FROM codings WHERE source = ? AND coder = ''`).pluck(true).get(key) as number;
      rows = db.prepare(`SELECT code, count(*) AS n FROM coding_themes WHERE source = ? AND coder = '' GROUP BY code`).all(key) as typeof rows;
    } else {
      // The filter is evaluated once per coded answer: its responses go to a temporary table that
      // the themes are then counted against (call inside a transaction, as computeResults does).
      db.exec('CREATE TEMP TABLE IF NOT EXISTS theme_selection (id TEXT PRIMARY KEY) WITHOUT ROWID');
      db.exec('DELETE FROM temp.theme_selection');
      coded = db
        .prepare(`INSERT INTO temp.theme_selection (id) SELECT x.response_id FROM codings x JOIN responses r ON r.id = x.response_id WHERE x.source = ? AND x.coder = '' AND ${selection.where}`)
        .run(key, ...selection.params).changes;
      rows = db
        .prepare(`SELECT code, count(*) AS n FROM coding_themes WHERE source = ? AND coder = '' AND response_id IN (SELECT id FROM temp.theme_selection) GROUP BY code`)
        .all(key) as typeof rows;
      db.exec('DELETE FROM temp.theme_selection');
    }
    out.set(key, { answered: answered(set), coded, counts: new Map(rows.map((x) => [x.code, x.n])) });
  }
  return out;
}

export type { Choice };
