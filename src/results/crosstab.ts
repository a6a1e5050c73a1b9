import type { Db } from '../db/connection.js';
import type { Questionnaire } from '../questionnaire/schema.js';
import { compileFilter, NO_FILTER, type Filter } from './filters.js';
import { codeCondition } from './derived.js';
import { filterVariables, isMultiple, type Choice, type FilterVariable } from './model.js';
import { chiSquareIndependence, ratioOfProportions, wilson, type ChiSquareTest, type RatioOfProportions } from './statistics.js';
import { frResults } from './strings.js';

// Crosstabs of two variables (questions, grid statements, derived variables) over the completed
// responses of a filter, with row and column percentages, their 95 % Wilson intervals, the
// chi-square test of independence and, for two groups, the ratio of their proportions.
// A multiple-choice question (or a ranking, read as « cité dans les premiers choix ») is crossed
// option by option: each option is a yes/no variable among those who answered the question, never
// a share of a whole as if options were exclusive.

export type CrossVariable = {
  id: string;
  label: string;
  /** Several codes per respondent: each is crossed as ticked / not ticked. */
  multiple: boolean;
  choices: Choice[];
  source: FilterVariable;
};

/**
 * The variables one can cross: every filter variable with a closed list of codes, the derived
 * ones included when `variables` comes from allVariables (src/results/derived.ts).
 */
export function crossVariables(q: Questionnaire, variables: readonly FilterVariable[] = filterVariables(q)): CrossVariable[] {
  return variables
    .filter((v) => v.choices !== null)
    .map((v) => ({
      id: v.id,
      label: v.label,
      multiple: isMultiple(v),
      choices: v.choices!,
      source: v,
    }));
}

export type Share = { percent: number | null; ciLow: number | null; ciHigh: number | null };

export type CrossCell = {
  row: string;
  col: string;
  /** Respondents (weighted or not). */
  count: number;
  /** Weighted results: the sum of the weights (shares are computed on it); null otherwise. */
  weighted: number | null;
  /** Share of the row's respondents (null when the row variable is multiple and the column is too). */
  rowShare: Share;
  /** Share of the column's respondents. */
  colShare: Share;
};

export type CrossMargin = { code: string; label: string; count: number; share: Share; weighted: number | null; /** Kish's effective sample size of this base (weighted results). */ effectiveN: number | null };

export type OptionTest = { code: string; label: string; test: ChiSquareTest | null };

export type Crosstab = {
  row: { id: string; label: string; multiple: boolean };
  col: { id: string; label: string; multiple: boolean };
  /** Completed responses passing the filter. */
  responses: number;
  /** Responses that answered both variables: the base of the table. */
  base: number;
  rows: Choice[];
  cols: Choice[];
  /** cells[i][j]: row code i × column code j. */
  cells: CrossCell[][];
  /** Respondents per row code (among those who answered both), with their share of the base. */
  rowTotals: CrossMargin[];
  colTotals: CrossMargin[];
  /** Both variables exclusive: one test of independence on the whole table. */
  test: ChiSquareTest | null;
  /** One variable multiple: one test per option (ticked / not ticked × the other variable). */
  optionTests: OptionTest[];
  /** Exactly two non-empty rows, exclusive rows: for each column, the ratio of their column shares. */
  ratios: { col: string; ratio: RatioOfProportions | null }[] | null;
  /**
   * Weighted results (response_weights, src/weights/): the sum of the weights of the base and its
   * effective sample size (Kish), which the intervals and tests use instead of the respondents.
   */
  weighted: { sum: number; effectiveN: number } | null;
};

/** Respondents, sum of weights and of squared weights of a group (weights 1 when unweighted). */
type Tally = { n: number; sw: number; sw2: number };
const NO_TALLY: Tally = { n: 0, sw: 0, sw2: 0 };
/** Kish's effective sample size of a group, (Σw)² / Σw². */
const effectiveOf = (t: Tally) => (t.sw2 > 0 ? (t.sw * t.sw) / t.sw2 : 0);

const share = (x: number, n: number): Share => {
  const ci = wilson(Math.min(x, n), n);
  return {
    percent: n > 0 ? (100 * x) / n : null,
    ciLow: ci ? 100 * ci.low : null,
    ciHigh: ci ? 100 * ci.high : null,
  };
};

/** SQL giving the code of a variable from its joined row `alias` (NULL when the row is not one of its codes). */
function codeExpr(v: CrossVariable, alias: string): { sql: string; params: (string | number)[] } {
  const m = v.source.match;
  if (m.kind === 'option' || m.kind === 'theme') {
    const column = m.kind === 'theme' ? `${alias}.code` : `${alias}.option_code`;
    return { sql: `CASE WHEN ${column} IN (${v.choices.map(() => '?').join(', ')}) THEN ${column} END`, params: v.choices.map((c) => c.code) };
  }
  const parts: string[] = [];
  const params: (string | number)[] = [];
  if (m.kind === 'range') {
    for (const g of m.groups) {
      for (const [a, b] of g.ranges) {
        parts.push(`WHEN ${alias}.value_num BETWEEN ? AND ? THEN ?`);
        params.push(a, b, g.code);
      }
    }
  } else {
    // A recode: the group of the source's code (or of the source's value range: an age group).
    const src = m.source.match;
    for (const g of m.groups) {
      if (src.kind === 'option') {
        if (!g.sources.length) continue;
        parts.push(`WHEN ${alias}.option_code IN (${g.sources.map(() => '?').join(', ')}) THEN ?`);
        params.push(...g.sources, g.code);
      } else {
        for (const [a, b] of src.groups.filter((x) => g.sources.includes(x.code)).flatMap((x) => x.ranges)) {
          parts.push(`WHEN ${alias}.value_num BETWEEN ? AND ? THEN ?`);
          params.push(a, b, g.code);
        }
      }
    }
  }
  return { sql: parts.length ? `CASE ${parts.join(' ')} END` : 'NULL', params };
}

/** The join of a variable's rows (answers, or the reference coding of a text) to `responses r`. */
function joinOf(v: CrossVariable, alias: string): { sql: string; params: (string | number)[] } {
  const m = v.source.match;
  if (m.kind === 'theme') return { sql: `JOIN coding_themes ${alias} ON ${alias}.source = ? AND ${alias}.coder = '' AND ${alias}.response_id = r.id`, params: [m.source] };
  const rows = m.kind === 'recode' ? m.source.match : m;
  const extra = rows.kind === 'range' ? ` AND ${alias}.option_code = ''` : '';
  return { sql: `JOIN answers ${alias} ON ${alias}.response_id = r.id AND ${alias}.question_id = ?${extra}`, params: [rows.answerId] };
}

/**
 * Responses that answered a variable at all (EXISTS on the answers' primary key): for a recode, a
 * source code in one of its groups; for themes, a text written for their source.
 */
function answeredExpr(v: CrossVariable): { sql: string; params: (string | number)[] } {
  const m = v.source.match;
  if (m.kind === 'theme') {
    return {
      sql: `EXISTS (SELECT 1 FROM answers x WHERE x.response_id = r.id AND x.question_id = ? AND x.option_code = ? AND x.value_text IS NOT NULL AND x.value_text <> '')`,
      params: [m.questionId, m.optionCode],
    };
  }
  if (m.kind === 'recode') {
    const c = codeCondition(v.source, v.choices.map((x) => x.code), 'r');
    return c;
  }
  return { sql: 'EXISTS (SELECT 1 FROM answers x WHERE x.response_id = r.id AND x.question_id = ?)', params: [m.answerId] };
}

export type CrosstabError = { field: 'row' | 'col'; message: string };

export function findCrossVariables(
  q: Questionnaire,
  rowId: unknown,
  colId: unknown,
  variables: readonly CrossVariable[] = crossVariables(q),
): { row: CrossVariable; col: CrossVariable } | { errors: CrosstabError[] } {
  const vars = new Map(variables.map((v) => [v.id, v]));
  const errors: CrosstabError[] = [];
  const pick = (field: 'row' | 'col', id: unknown) => {
    if (typeof id !== 'string' || id === '') errors.push({ field, message: frResults.crosstab.missing(field) });
    else if (!vars.has(id)) errors.push({ field, message: frResults.crosstab.unknown(id) });
    return typeof id === 'string' ? vars.get(id) : undefined;
  };
  const row = pick('row', rowId);
  const col = pick('col', colId);
  if (row && col && row.id === col.id) errors.push({ field: 'col', message: frResults.crosstab.same });
  return errors.length ? { errors } : { row: row!, col: col! };
}

/**
 * The crosstab of two variables over the completed responses passing the filter. `weighted`:
 * shares from the weights of response_weights (the caller ran ensureWeights), intervals and tests
 * on the effective sample size of each base (Kish), counts still of respondents.
 */
export function crosstab(db: Db, q: Questionnaire, row: CrossVariable, col: CrossVariable, filter: Filter = NO_FILTER, opts: { weighted?: boolean } = {}): Crosstab {
  const f = compileFilter(db, q, filter, 'r');
  const weighted = opts.weighted === true;
  // Weighted: each response joined to its weight; the sums of w and w² come with the counts.
  const wj = weighted ? 'JOIN response_weights rw ON rw.response_id = r.id' : '';
  const wcol = weighted ? ', rw.weight AS w' : ', 1 AS w';
  const measures = 'count(*) AS n, total(w) AS sw, total(w * w) AS sw2';
  const tally = (x: { n: number; sw: number; sw2: number } | undefined): Tally => (x ? { n: x.n, sw: x.sw, sw2: x.sw2 } : NO_TALLY);
  // Shares of weighted sums, with the interval of the effective sample size of the base.
  const shareOf = (x: Tally, base: Tally): Share => {
    if (!weighted) return share(x.n, base.n);
    const neff = effectiveOf(base);
    return base.sw > 0 ? { ...share((x.sw / base.sw) * neff, neff), percent: (100 * x.sw) / base.sw } : share(0, 0);
  };
  return db.transaction(() => {
    const responses = (db.prepare(`SELECT count(*) AS n FROM responses r WHERE ${f.where}`).get(...f.params) as { n: number }).n;
    const rj = joinOf(row, 'ra');
    const cj = joinOf(col, 'ca');
    const rc = codeExpr(row, 'ra');
    const cc = codeExpr(col, 'ca');
    // One grouped pass: each selected response joined to its rows for both variables.
    const counts = new Map<string, Tally>();
    const key = (a: string, b: string) => `${a}\u0000${b}`;
    const grouped = db
      .prepare(
        `SELECT rc, cc, ${measures} FROM (
           SELECT ${rc.sql} AS rc, ${cc.sql} AS cc${wcol} FROM responses r ${rj.sql} ${cj.sql} ${wj} WHERE ${f.where}
         ) WHERE rc IS NOT NULL AND cc IS NOT NULL GROUP BY rc, cc`,
      )
      .all(...rc.params, ...cc.params, ...rj.params, ...cj.params, ...f.params) as ({ rc: string; cc: string } & Tally)[];
    for (const g of grouped) counts.set(key(g.rc, g.cc), tally(g));
    const cell = (a: string, b: string) => counts.get(key(a, b)) ?? NO_TALLY;

    // Bases. Exclusive × exclusive: the margins of the table. With a multiple variable, the base of
    // a code of the other variable is its respondents who answered the multiple one.
    const marginOf = (v: CrossVariable, other: CrossVariable): Map<string, Tally> => {
      const j = joinOf(v, 'm');
      const c = codeExpr(v, 'm');
      const answered = answeredExpr(other);
      const rows = db
        .prepare(
          `SELECT code, ${measures} FROM (
             SELECT ${c.sql} AS code${wcol} FROM responses r ${j.sql} ${wj} WHERE ${f.where} AND ${answered.sql}
           ) WHERE code IS NOT NULL GROUP BY code`,
        )
        .all(...c.params, ...j.params, ...f.params, ...answered.params) as ({ code: string } & Tally)[];
      return new Map(rows.map((x) => [x.code, tally(x)]));
    };
    const rowBase = marginOf(row, col);
    const colBase = marginOf(col, row);
    // Responses that answered both (whatever their codes).
    const bothTally = (() => {
      const a = answeredExpr(row);
      const b = answeredExpr(col);
      return tally(
        db
          .prepare(`SELECT ${measures} FROM (SELECT 1${wcol} FROM responses r ${wj} WHERE ${f.where} AND ${a.sql} AND ${b.sql})`)
          .get(...f.params, ...a.params, ...b.params) as Tally,
      );
    })();
    const both = bothTally.n;
    const rb = (code: string) => rowBase.get(code) ?? NO_TALLY;
    const cb = (code: string) => colBase.get(code) ?? NO_TALLY;

    const cells = row.choices.map((r) =>
      col.choices.map((c) => {
        const x = cell(r.code, c.code);
        return {
          row: r.code,
          col: c.code,
          count: x.n,
          weighted: weighted ? x.sw : null,
          // Share of a row's respondents: meaningful unless the row is a multiple option crossed with
          // another multiple option's base (then both shares are given against each base).
          rowShare: shareOf(x, rb(r.code)),
          colShare: shareOf(x, cb(c.code)),
        };
      }),
    );
    const marginRow = (code: string, label: string, x: Tally) => ({ code, label, count: x.n, share: shareOf(x, bothTally), weighted: weighted ? x.sw : null, effectiveN: weighted ? effectiveOf(x) : null });
    const rowTotals = row.choices.map((r) => marginRow(r.code, r.label, rb(r.code)));
    const colTotals = col.choices.map((c) => marginRow(c.code, c.label, cb(c.code)));

    // The tables the tests read: counts, or weighted sums brought back to the effective sample
    // size of the table (Kish's adjustment of the weighted chi-square).
    const scale = weighted ? (bothTally.sw > 0 ? effectiveOf(bothTally) / bothTally.sw : 0) : 1;
    const amount = (x: Tally) => (weighted ? x.sw * scale : x.n);
    let test: ChiSquareTest | null = null;
    const optionTests: OptionTest[] = [];
    if (!row.multiple && !col.multiple) {
      test = chiSquareIndependence(row.choices.map((r) => col.choices.map((c) => amount(cell(r.code, c.code)))));
    } else if (row.multiple && !col.multiple) {
      // Each row option: ticked / not ticked × columns, among the column's respondents.
      for (const r of row.choices) {
        const ticked = col.choices.map((c) => amount(cell(r.code, c.code)));
        const notTicked = col.choices.map((c, j) => Math.max(0, amount(cb(c.code)) - ticked[j]));
        optionTests.push({ code: r.code, label: r.label, test: chiSquareIndependence([ticked, notTicked]) });
      }
    } else if (!row.multiple && col.multiple) {
      for (const c of col.choices) {
        const ticked = row.choices.map((r) => amount(cell(r.code, c.code)));
        const notTicked = row.choices.map((r, i) => Math.max(0, amount(rb(r.code)) - ticked[i]));
        optionTests.push({ code: c.code, label: c.label, test: chiSquareIndependence(ticked.map((t, i) => [t, notTicked[i]])) });
      }
    }
    // Two groups compared: the ratio of the share of each column between them (weighted: the
    // weighted shares on each group's effective sample size).
    let ratios: Crosstab['ratios'] = null;
    const groups = row.multiple ? [] : row.choices.map((r, i) => ({ r, i })).filter((x) => rb(x.r.code).n > 0);
    if (groups.length === 2) {
      const [a, b] = groups;
      const ta = rb(a.r.code);
      const tb = rb(b.r.code);
      const na = weighted ? effectiveOf(ta) : ta.n;
      const nb = weighted ? effectiveOf(tb) : tb.n;
      const part = (x: Tally, base: Tally, n: number) => (weighted ? (base.sw > 0 ? (x.sw / base.sw) * n : 0) : x.n);
      ratios = col.choices.map((c) => ({
        col: c.code,
        ratio: ratioOfProportions(part(cell(a.r.code, c.code), ta, na), na, part(cell(b.r.code, c.code), tb, nb), nb),
      }));
    }
    return {
      row: { id: row.id, label: row.label, multiple: row.multiple },
      col: { id: col.id, label: col.label, multiple: col.multiple },
      responses,
      base: both,
      rows: row.choices,
      cols: col.choices,
      cells,
      rowTotals,
      colTotals,
      test,
      optionTests,
      ratios,
      weighted: weighted ? { sum: bothTally.sw, effectiveN: effectiveOf(bothTally) } : null,
    };
  })();
}

const pct = new Intl.NumberFormat('fr-FR', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const dec = new Intl.NumberFormat('fr-FR', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const dec2 = new Intl.NumberFormat('fr-FR', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** « p < 0,001 », « p = 0,012 »: the way a report writes a p-value. */
export function formatP(p: number): string {
  if (p < 0.001) return 'p < 0,001';
  return `p = ${new Intl.NumberFormat('fr-FR', { maximumSignificantDigits: 2 }).format(p)}`;
}

/**
 * Plain French readings of a crosstab, never claiming a difference the test does not show:
 * one sentence on the test of independence, and for two groups one per column of the ratio.
 */
export function readCrosstab(ct: Crosstab, alpha = 0.05): string[] {
  const s = frResults.crosstab;
  const out: string[] = [];
  if (ct.base === 0) return [s.noData];
  if (ct.test) {
    const t = ct.test;
    const stat = `χ² = ${dec.format(t.chi2)} ; ddl = ${t.df} ; ${formatP(t.pValue)}`;
    out.push(t.pValue < alpha ? s.significant(ct.row.label, ct.col.label, stat) : s.notSignificant(ct.row.label, ct.col.label, stat));
    if (t.minExpected < 5) out.push(s.smallExpected(dec2.format(t.minExpected)));
  }
  if (ct.ratios) {
    const groups = ct.rows.filter((r) => (ct.rowTotals.find((x) => x.code === r.code)?.count ?? 0) > 0);
    const [a, b] = groups;
    const ia = ct.rows.indexOf(a);
    const ib = ct.rows.indexOf(b);
    for (const [j, c] of ct.cols.entries()) {
      const r = ct.ratios[j].ratio;
      const pa = ct.cells[ia][j].rowShare.percent;
      const pb = ct.cells[ib][j].rowShare.percent;
      if (!r || pa === null || pb === null) continue;
      // Significant when the interval of the ratio leaves out 1 (the test of two proportions).
      const significant = r.low > 1 || r.high < 1;
      const times = r.ratio >= 1 ? { k: r.ratio, lo: r.low, hi: r.high, more: true } : { k: 1 / r.ratio, lo: 1 / r.high, hi: 1 / r.low, more: false };
      out.push(
        s.ratio({
          groupA: a.label,
          groupB: b.label,
          answer: c.label,
          shareA: `${pct.format(pa)} %`,
          shareB: `${pct.format(pb)} %`,
          // Two decimals: a bound of 1,04 must not read « 1,0 » next to « significative ».
          times: dec2.format(times.k),
          low: dec2.format(times.lo),
          high: dec2.format(times.hi),
          more: times.more,
          significant,
        }),
      );
    }
  }
  return out;
}
