import type { Db } from '../db/connection.js';
import type { Questionnaire } from '../questionnaire/schema.js';
import { compileFilter, NO_FILTER } from '../results/filters.js';
import { filterVariables, type FilterVariable } from '../results/model.js';
import { fr } from '../strings.js';

// Reference margins of the population (migration 018): the census figures the respondents are
// compared with and the raking targets. A margin is about one single-choice variable of the
// results; each of its categories groups codes of that variable. A code in no category (gender
// « autre », « hors PMA ») and no answer are outside the reference.

export type MarginCategory = { code: string; label: string; codes: string[]; share: number | null };
export type Universe = { variable: string; codes: string[] };

export type ReferenceMargin = {
  id: string;
  variable: string;
  label: string;
  population: string;
  universe: Universe | null;
  categories: MarginCategory[];
  source: string;
  year: number | null;
  note: string;
  position: number;
};

type Row = Omit<ReferenceMargin, 'universe' | 'categories'> & { universe: string | null; categories: string };

const t = fr.weights.margins;

const fromRow = (r: Row): ReferenceMargin => ({ ...r, universe: r.universe ? (JSON.parse(r.universe) as Universe) : null, categories: JSON.parse(r.categories) as MarginCategory[] });

export function listMargins(db: Db): ReferenceMargin[] {
  return (db.prepare('SELECT * FROM reference_margins ORDER BY position, id').all() as Row[]).map(fromRow);
}

export function getMargin(db: Db, id: string): ReferenceMargin | undefined {
  const r = db.prepare('SELECT * FROM reference_margins WHERE id = ?').get(id) as Row | undefined;
  return r && fromRow(r);
}

/** Every share entered: the margin can be compared and raked on. */
export const isFilled = (m: ReferenceMargin) => m.categories.length >= 2 && m.categories.every((c) => c.share !== null);

/** The variables a margin may be about: one code per respondent (no multiple choice, no ranking, no open list). */
export function marginVariables(q: Questionnaire): FilterVariable[] {
  return filterVariables(q).filter((v) => v.choices !== null && v.question.type !== 'multiple' && v.question.type !== 'ranking');
}

export type ResolvedMargin = {
  margin: ReferenceMargin;
  variable: FilterVariable;
  /** SQL on `responses r`: the index of the respondent's category, -1 outside the reference (other code, no answer, outside the universe). */
  categorySql: string;
  categoryParams: (string | number)[];
  /** SQL on `responses r`: the respondent's code of the variable (NULL = no answer), '' when outside the universe. */
  codeSql: string;
  codeParams: (string | number)[];
};

/** The margin read against the questionnaire, or why it can't be used. */
export function resolveMargin(db: Db, q: Questionnaire, m: ReferenceMargin): ResolvedMargin | { error: string } {
  const vars = new Map(marginVariables(q).map((v) => [v.id, v]));
  const v = vars.get(m.variable);
  if (!v) return { error: t.variableGone(m.variable) };
  if (m.universe && !vars.has(m.universe.variable)) return { error: t.variableGone(m.universe.variable) };
  const code = codeOf(v);
  let codeSql = code.sql;
  const codeParams = [...code.params];
  const params: (string | number)[] = [];
  const whens = m.categories.flatMap((c, i) => c.codes.map((k) => ((params.push(k, i), 'WHEN ? THEN ?'))));
  let categorySql = whens.length ? `coalesce(CASE (${code.sql}) ${whens.join(' ')} END, -1)` : '-1';
  const categoryParams: (string | number)[] = whens.length ? [...code.params, ...params] : [];
  if (m.universe) {
    // The universe as a filter of the results (its own EXISTS on the answers' key), minus the status.
    const u = compileFilter(db, q, { ...NO_FILTER, answers: [{ variable: m.universe.variable, codes: m.universe.codes }] }, 'r');
    const cond = u.where.replace(/^r\.status = 'complete' AND /, '');
    categorySql = `CASE WHEN ${cond} THEN ${categorySql} ELSE -1 END`;
    categoryParams.unshift(...u.params);
    codeSql = `CASE WHEN ${cond} THEN (${code.sql}) ELSE '' END`;
    codeParams.unshift(...u.params);
  }
  return { margin: m, variable: v, categorySql, categoryParams, codeSql, codeParams };
}

/** SQL on `responses r` giving a respondent's code of a one-code variable, NULL without an answer. */
function codeOf(v: FilterVariable): { sql: string; params: (string | number)[] } {
  const m = v.match;
  if (m.kind === 'option') return { sql: 'SELECT a.option_code FROM answers a WHERE a.response_id = r.id AND a.question_id = ?', params: [m.answerId] };
  // Margins are set on the questionnaire's variables only (never a recode or a theme: src/results/derived.ts).
  if (m.kind !== 'range') return { sql: 'SELECT NULL', params: [] };
  const parts: string[] = [];
  const params: (string | number)[] = [];
  for (const g of m.groups) {
    for (const [lo, hi] of g.ranges) {
      parts.push('WHEN a.value_num BETWEEN ? AND ? THEN ?');
      params.push(lo, hi, g.code);
    }
  }
  return { sql: `SELECT CASE ${parts.join(' ') || 'WHEN 0 THEN NULL'} END FROM answers a WHERE a.response_id = r.id AND a.question_id = ? AND a.option_code = ''`, params: [...params, m.answerId] };
}

// ---- Editing (admins) ----

export type MarginForm = { label: string; population: string; source: string; year: string; note: string; shares: Record<string, string> };
export type MarginErrors = Record<string, string>;

export const SHARE_TOLERANCE = 0.1;

/** « 51,5 », « 51.5 », « 51,5 % » → 51.5; null for an empty field, NaN for anything else. */
export function parseShare(s: string): number | null {
  const v = s.trim().replace(/\s*%$/, '').replace(/\s/g, '').replace(',', '.');
  if (v === '') return null;
  return /^\d{1,3}(\.\d{1,6})?$/.test(v) ? Number(v) : NaN;
}

export function formOf(m: ReferenceMargin): MarginForm {
  return {
    label: m.label,
    population: m.population,
    source: m.source,
    year: m.year === null ? '' : String(m.year),
    note: m.note,
    shares: Object.fromEntries(m.categories.map((c) => [c.code, c.share === null ? '' : new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 6, useGrouping: false }).format(c.share)])),
  };
}

/** The form as posted (every field a string; what was typed is kept as typed). */
export function readForm(body: Record<string, unknown>, m: ReferenceMargin): MarginForm {
  const str = (k: string) => (typeof body[k] === 'string' ? (body[k] as string) : '');
  return {
    label: str('label'),
    population: str('population'),
    source: str('source'),
    year: str('year'),
    note: str('note'),
    shares: Object.fromEntries(m.categories.map((c) => [c.code, str(`share.${c.code}`)])),
  };
}

/**
 * Checks an edited margin; every error at once, keyed by field name. All shares or none: a
 * margin with no share stays « à renseigner »; with shares, they sum to 100 % (± 0.1) and the
 * source and year are required (a figure without its source is not kept).
 */
export function validateMargin(m: ReferenceMargin, f: MarginForm, now = new Date()): { ok: true; value: Pick<ReferenceMargin, 'label' | 'population' | 'source' | 'year' | 'note' | 'categories'> } | { ok: false; errors: MarginErrors } {
  const errors: MarginErrors = {};
  const label = f.label.trim();
  const population = f.population.trim();
  const source = f.source.trim();
  const note = f.note.trim();
  if (!label) errors.label = t.labelMissing;
  else if (label.length > 120) errors.label = t.tooLong(120);
  if (!population) errors.population = t.populationMissing;
  else if (population.length > 200) errors.population = t.tooLong(200);
  if (source.length > 200) errors.source = t.tooLong(200);
  if (note.length > 2000) errors.note = t.tooLong(2000);
  const shares = m.categories.map((c) => ({ c, v: parseShare(f.shares[c.code] ?? '') }));
  for (const { c, v } of shares) {
    if (v === null) continue;
    if (Number.isNaN(v)) errors[`share.${c.code}`] = t.shareInvalid;
    else if (v > 100) errors[`share.${c.code}`] = t.shareOver100;
  }
  const given = shares.filter((s) => s.v !== null);
  if (given.length && given.length < shares.length) {
    for (const { c, v } of shares) if (v === null) errors[`share.${c.code}`] = t.shareMissing;
  }
  const complete = given.length === shares.length && shares.every((s) => s.v !== null && !Number.isNaN(s.v) && s.v <= 100);
  if (complete) {
    const sum = shares.reduce((a, s) => a + (s.v as number), 0);
    if (Math.abs(sum - 100) > SHARE_TOLERANCE) errors.shares = t.sumNot100(new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 2 }).format(sum));
  }
  const yearText = f.year.trim();
  let year: number | null = null;
  if (yearText) {
    if (!/^\d{4}$/.test(yearText) || Number(yearText) < 1900 || Number(yearText) > now.getUTCFullYear()) errors.year = t.yearInvalid(now.getUTCFullYear());
    else year = Number(yearText);
  }
  if (given.length) {
    if (!source) errors.source ??= t.sourceMissing;
    if (!yearText) errors.year ??= t.yearMissing;
  }
  if (Object.keys(errors).length) return { ok: false, errors };
  return {
    ok: true,
    value: { label, population, source, year, note, categories: m.categories.map((c, i) => ({ ...c, share: shares[i].v as number | null })) },
  };
}

export function saveMargin(db: Db, id: string, v: Pick<ReferenceMargin, 'label' | 'population' | 'source' | 'year' | 'note' | 'categories'>): void {
  db.prepare('UPDATE reference_margins SET label = ?, population = ?, source = ?, year = ?, note = ?, categories = ? WHERE id = ?').run(
    v.label,
    v.population,
    v.source,
    v.year,
    v.note,
    JSON.stringify(v.categories),
    id,
  );
}
