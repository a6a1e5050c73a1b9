import { z } from 'zod';
import type { Db } from '../db/connection.js';
import type { Questionnaire } from '../questionnaire/schema.js';
import { allVariables, codeCondition } from './derived.js';
import { filterVariables, type FilterVariable } from './model.js';
import { frResults } from './strings.js';

// Filters of the results and exports, read from a query string:
//   f.<variable>=<code> (repeatable: codes of one variable are OR-ed, variables are AND-ed),
//   channel=<code> (repeatable, OR; NO_CHANNEL for the responses that came without a channel),
//   from / to = YYYY-MM-DD or DD/MM/YYYY (inclusive, on the completion hour), exclude_flagged=1,
//   weighted=1 (« résultats pondérés »: not a selection, how the selected responses are counted).
// Parsed with zod into a typed Filter (French messages for a form), then compiled to SQL with
// placeholders only: a value typed in the URL never becomes SQL text.

export type AnswerFilter = { variable: string; codes: string[] };

export type Filter = {
  answers: AnswerFilter[];
  channels: string[];
  /** Inclusive days, "YYYY-MM-DD", compared with responses.completed_hour (UTC). */
  from?: string;
  to?: string;
  excludeFlagged: boolean;
  /**
   * Only the responses released to protected viewers (migration 011, src/privacy/disclosure.ts).
   * Set by the routes for who is not an analyst, never read from a query string.
   */
  releasedOnly?: boolean;
  /**
   * « Résultats pondérés » (weighted=1, src/results/weighted.ts): the same selection, counted with
   * the raking weights. Not a selection: isEmptyFilter and compileFilter ignore it. Only set when on.
   */
  weighted?: true;
};

export const NO_FILTER: Filter = Object.freeze({ answers: [], channels: [], excludeFlagged: false }) as Filter;

export function isEmptyFilter(f: Filter): boolean {
  return !f.answers.length && !f.channels.length && !f.from && !f.to && !f.excludeFlagged && !f.releasedOnly;
}

export type FilterError = { field: string; message: string };
export type ParsedFilter = { ok: true; filter: Filter } | { ok: false; errors: FilterError[] };

export type FilterOptions = {
  /** Declared channel codes; when given, another code is refused. */
  channels?: readonly string[];
  /** Whether an INSEE code is a commune (commune filters); without it any well-formed code passes. */
  communeExists?: (insee: string) => boolean;
  /** The database of the derived variables (recodes, themes: src/results/derived.ts); without it only the questionnaire's. */
  db?: Db;
};

export const FILTER_PREFIX = 'f.';
/** The channel filter value for « no channel »: an underscore never appears in a channel code. */
export const NO_CHANNEL = '_aucun';
const MAX_VALUES = 200;
const t = frResults.filters;

const values = z
  .union([z.string(), z.array(z.string())], { error: t.badValue })
  .optional()
  .transform((v) => [...new Set((v === undefined ? [] : Array.isArray(v) ? v : [v]).map((s) => s.trim()).filter(Boolean))])
  .pipe(z.array(z.string()).max(MAX_VALUES, t.tooManyValues(MAX_VALUES)));

/** "31/12/2022" (or "1/2/2023", "31.12.2022") → "2022-12-31": what a French person types. */
export function normaliseDay(s: string): string {
  const m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(s);
  return m ? `${m[3]}-${m[2].padStart(2, '0')}-${m[1].padStart(2, '0')}` : s;
}

const day = z.string().superRefine((s, ctx) => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) ctx.addIssue({ code: 'custom', message: t.badDate });
  else if (nextDay(s) === null) ctx.addIssue({ code: 'custom', message: t.impossibleDate(s) });
});

/** A form sends "" for an empty date field: that means no bound. */
const optionalDay = z
  .union([z.string(), z.array(z.string())], { error: t.badValue })
  .optional()
  .transform((v) => {
    const s = (Array.isArray(v) ? v[v.length - 1] : v)?.trim();
    return s ? normaliseDay(s) : undefined;
  })
  .pipe(day.optional());

// Read as a boolean by the final transform: a transform after a failed check would stop the
// other checks, and every error is reported at once.
const SWITCH = ['', '0', '1', 'true', 'false', 'on', 'off'];
const flag = z
  .union([z.string(), z.array(z.string())], { error: t.badValue })
  .optional()
  .transform((v) => (Array.isArray(v) ? v[v.length - 1] : v)?.trim().toLowerCase() ?? '')
  .refine((v) => SWITCH.includes(v), t.badSwitch);
const isOn = (v: unknown) => v === '1' || v === 'true' || v === 'on';

/** The zod schema of a query object for this questionnaire (other query keys are ignored). */
export function filterQuerySchema(q: Questionnaire, opts: FilterOptions = {}) {
  const variables = new Map((opts.db ? allVariables(opts.db, q) : filterVariables(q)).map((v) => [v.id, v]));
  const shape: Record<string, z.ZodType> = {
    channel: values.pipe(
      z.array(
        z
          .string()
          .refine((c) => c === NO_CHANNEL || /^[a-z0-9]+(-[a-z0-9]+)*$/.test(c), t.badChannel)
          .refine((c) => c === NO_CHANNEL || !/^[a-z0-9]+(-[a-z0-9]+)*$/.test(c) || !opts.channels || opts.channels.includes(c), { error: (iss) => t.unknownChannel(String(iss.input)) }),
      ),
    ),
    from: optionalDay,
    to: optionalDay,
    exclude_flagged: flag,
    weighted: flag,
  };
  for (const v of variables.values()) {
    shape[FILTER_PREFIX + v.id] = values.pipe(
      z.array(
        z
          .string()
          .max(40, t.badCode)
          .refine((code) => accepts(v, code, opts), { error: (iss) => t.unknownOption(String(iss.input), v.label) }),
      ),
    );
  }
  return z
    .looseObject(shape)
    .superRefine((obj, ctx) => {
      for (const key of Object.keys(obj)) {
        if (key.startsWith(FILTER_PREFIX) && !variables.has(key.slice(FILTER_PREFIX.length))) {
          ctx.addIssue({ code: 'custom', path: [key], message: t.unknownQuestion(key.slice(FILTER_PREFIX.length)) });
        }
      }
      const { from, to } = obj as { from?: string; to?: string };
      const valid = (d?: string) => typeof d === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(d) && nextDay(d) !== null;
      if (valid(from) && valid(to) && from! > to!) ctx.addIssue({ code: 'custom', path: ['to'], message: t.fromAfterTo });
    })
    .transform((obj): Filter => {
      const o = obj as Record<string, unknown>;
      const answers: AnswerFilter[] = [];
      // Questionnaire order, whatever the order of the URL: the same filter gives the same SQL.
      for (const v of variables.values()) {
        const codes = o[FILTER_PREFIX + v.id] as string[] | undefined;
        if (codes?.length) answers.push({ variable: v.id, codes });
      }
      return {
        answers,
        channels: o.channel as string[],
        from: o.from as string | undefined,
        to: o.to as string | undefined,
        excludeFlagged: isOn(o.exclude_flagged),
        ...(isOn(o.weighted) ? { weighted: true as const } : {}),
      };
    });
}

function accepts(v: FilterVariable, code: string, opts: FilterOptions): boolean {
  if (v.choices) return v.choices.some((c) => c.code === code);
  // Communes: INSEE codes ("62119", "2A004").
  return /^\d[0-9AB]\d{3}$/.test(code) && (opts.communeExists ? opts.communeExists(code) : true);
}

/** Reads filters from a query object (express `req.query`); every problem at once, in French. */
export function parseFilters(query: unknown, q: Questionnaire, opts: FilterOptions = {}): ParsedFilter {
  const r = filterQuerySchema(q, opts).safeParse(query ?? {});
  if (r.success) return { ok: true, filter: r.data };
  return {
    ok: false,
    errors: r.error.issues.map((i) => ({ field: i.path.map(String).filter((p) => !/^\d+$/.test(p)).join('.'), message: i.message })),
  };
}

/**
 * For a form: the filter made of every valid part of the query, and the errors of the others
 * (a bad date drops that date only, never the other choices). Exports keep the strict
 * parseFilters: a script must not silently get figures for another filter than it asked.
 */
export function parseFiltersLenient(query: unknown, q: Questionnaire, opts: FilterOptions = {}): { filter: Filter; errors: FilterError[] } {
  const first = parseFilters(query, q, opts);
  if (first.ok) return { filter: first.filter, errors: [] };
  const rest: Record<string, unknown> = { ...((query ?? {}) as Record<string, unknown>) };
  for (const e of first.errors) delete rest[e.field];
  const second = parseFilters(rest, q, opts);
  return { filter: second.ok ? second.filter : { ...NO_FILTER, answers: [], channels: [] }, errors: first.errors };
}

/** The query string of a filter (links of a dashboard, export URLs). */
export function filterToQuery(f: Filter): URLSearchParams {
  const p = new URLSearchParams();
  for (const a of f.answers) for (const c of a.codes) p.append(FILTER_PREFIX + a.variable, c);
  for (const c of f.channels) p.append('channel', c);
  if (f.from) p.set('from', f.from);
  if (f.to) p.set('to', f.to);
  if (f.excludeFlagged) p.set('exclude_flagged', '1');
  if (f.weighted) p.set('weighted', '1');
  return p;
}

/** "2023-01-31" → "2023-02-01"; null for a day that does not exist. */
export function nextDay(s: string): string | null {
  const [y, m, d] = s.split('-').map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null;
  date.setUTCDate(date.getUTCDate() + 1);
  return date.toISOString().slice(0, 10);
}

export class FilterUnavailableError extends Error {}

export type CompiledFilter = { where: string; params: (string | number)[] };

const columnCache = new WeakMap<Db, Map<string, boolean>>();
export function hasColumn(db: Db, table: string, column: string): boolean {
  let m = columnCache.get(db);
  if (!m) columnCache.set(db, (m = new Map()));
  const key = `${table}.${column}`;
  // Not cached when absent: migration 002 may add the column while the process runs (tests).
  if (m.get(key)) return true;
  const found = (db.prepare(`SELECT name FROM pragma_table_info(?)`).all(table) as { name: string }[]).some((c) => c.name === column);
  if (found) m.set(key, true);
  return found;
}

/**
 * SQL condition on `responses AS r` selecting the completed responses that pass the filter.
 * Answer conditions are EXISTS subqueries on the answers primary key (response_id, question_id,
 * option_code), so each costs one index probe per candidate response.
 */
export function compileFilter(db: Db, q: Questionnaire, f: Filter, alias = 'r', opts: { walkPrimaryKey?: boolean } = {}): CompiledFilter {
  const variables = new Map((f.answers.length ? allVariables(db, q) : []).map((v) => [v.id, v]));
  // walkPrimaryKey: for a query paging through responses in id order, the unary "+" stops SQLite
  // from preferring the status index (which would sort every completed response for each page).
  const where: string[] = [`${opts.walkPrimaryKey ? '+' : ''}${alias}.status = 'complete'`];
  const params: (string | number)[] = [];
  const marks = (n: number) => Array.from({ length: n }, () => '?').join(', ');
  if (f.from) {
    where.push(`${alias}.completed_hour >= ?`);
    params.push(f.from);
  }
  if (f.to) {
    where.push(`${alias}.completed_hour < ?`);
    params.push(nextDay(f.to)!);
  }
  if (f.channels.length) {
    const named = f.channels.filter((c) => c !== NO_CHANNEL);
    const alternatives = named.length ? [`${alias}.channel IN (${marks(named.length)})`] : [];
    if (named.length < f.channels.length) alternatives.push(`${alias}.channel IS NULL`);
    where.push(alternatives.length > 1 ? `(${alternatives.join(' OR ')})` : alternatives[0]);
    params.push(...named);
  }
  if (f.excludeFlagged) {
    if (!hasColumn(db, 'responses', 'flagged')) throw new FilterUnavailableError(frResults.filters.flaggedUnavailable);
    where.push(`${alias}.flagged = 0`);
  }
  if (f.releasedOnly) where.push(`${alias}.released = 1`);
  for (const a of f.answers) {
    const v = variables.get(a.variable);
    if (!v) throw new Error(`variable de filtre inconnue : ${a.variable}`);
    const c = codeCondition(v, a.codes, alias);
    where.push(c.sql);
    params.push(...c.params);
  }
  return { where: where.join(' AND '), params };
}
