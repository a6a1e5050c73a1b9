import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/connection.js';
import type { Question, Questionnaire } from '../questionnaire/schema.js';
import { EPCI_SUFFIX } from '../questionnaire/types/commune.js';
import { summaryCounts } from './answered.js';
import { TOTAL_KEY } from './counts.js';
import { compileFilter, FilterUnavailableError, hasColumn, isEmptyFilter, NO_CHANNEL, NO_FILTER, type Filter } from './filters.js';
import { AGE_GROUP_SUFFIX, ageGroupsFor, EPCI_CHOICES, eachQuestion, sub, type Choice } from './model.js';
import { derivedFor, recodeCounts, themeFigures, type Derived } from './derived.js';
import { frResults } from './strings.js';
import { computeWeightedResults } from './weighted.js';
import type { Audience } from '../privacy/disclosure.js';

// Results of the questionnaire: for each question, counts per option, the base (completed
// responses in which the question was answered) and percentages of that base, computed in SQL.
// Without filters they come from the running totals of migration 003 (a few hundred rows); with
// filters, from one pass over the per-response summaries of the selected responses (migration
// 006), or over their answer rows for responses without a summary.

/** Raw figures, whatever their source: the long format's counts, per-value counts and bases. */
export type Tally = {
  /** Completed responses counted. */
  total: number;
  /** question_id → option_code → answer rows. */
  counts: Map<string, Map<string, number>>;
  /** question_id → rows with a value_num (ranks, integers), per option and value. */
  values: Map<string, { option: string; value: number; n: number }[]>;
  /** question_id → responses with at least one row for it. */
  bases: Map<string, number>;
};

/**
 * One cell. count and percent are null when disclosure control hides the cell from a protected
 * viewer (src/privacy/results.ts): `suppressed` is then set, and `reason` says why ('small': 1 to
 * K−1 respondents, shown « moins de K »; 'complementary': hidden so that a small one cannot be
 * recomputed). N is `number` for what computeResults returns (every figure, for analysts) and
 * `number | null` for what disclosure control publishes (PublishedResults).
 */
export type OptionResult<N extends number | null = number> = {
  code: string;
  label: string;
  count: N;
  percent: number | null;
  suppressed?: true;
  reason?: 'small' | 'complementary';
  // Weighted results only (filter.weighted, src/results/weighted.ts); count and percent then stay
  // the raw respondents and their raw share. Null where disclosure control hides them.
  /** Sum of the weights of the respondents of this cell. */
  weightedCount?: number | null;
  /** Weighted share of the base, in percent (one decimal). */
  weightedPercent?: number | null;
  /** 95 % Wilson interval of the weighted share on the base's effective sample size, in percent. */
  ciLow?: number | null;
  ciHigh?: number | null;
};

/** One table of results: a question, a grid item, a ranking view, a derived variable. */
export type ResultTable<N extends number | null = number> = {
  /** The question_id column of results.csv: "<question>", "<grid>__<item>", "<ranking>__rang1"… */
  id: string;
  label: string;
  /** Null when hidden from a protected viewer (it would give away a small « sans réponse »). */
  base: N;
  /** Several options per respondent: percentages of respondents, summing to more than 100. */
  multiple: boolean;
  options: OptionResult<N>[];
  /**
   * An analyst's derived variable (src/results/derived.ts), shown with its source question:
   * a recode of the table `source` (each group's source codes), or the themes of the text
   * `source` with how many of its `base` answers have a reference coding (`coded`).
   */
  derived?: { kind: 'recode'; source: string; groups: { code: string; sources: string[] }[] } | { kind: 'theme'; source: string; coded: N };
  // Weighted results only: the base's sum of weights, Kish effective sample size (Σw)²/Σw² and
  // design effect n/n_eff over the respondents of the base.
  weightedBase?: number | null;
  effectiveBase?: number | null;
  designEffect?: number | null;
};

export type IntegerStats<N extends number | null = number> = { count: N; mean: number | null; median: number | null; min: number | null; max: number | null };

export type QuestionResult<N extends number | null = number> = {
  id: string;
  type: Question['type'];
  label: string;
  section: { id: string; title: string };
  tables: ResultTable<N>[];
  /** Integer questions only. */
  stats?: IntegerStats<N>;
};

export type Results<N extends number | null = number> = {
  questionnaire: { id: string; version: number; title: string };
  filter: Filter;
  /** Completed responses passing the filter; null when withheld from a protected viewer. */
  responses: N;
  /**
   * 'counts': running totals (minus the flagged responses when only those are excluded);
   * 'answers': computed from the answers of the selected responses.
   */
  source: 'counts' | 'answers';
  questions: QuestionResult<N>[];
  /** True for « résultats pondérés » (filter.weighted): see `weighting` and the weighted fields. */
  weighted?: boolean;
  weighting?: WeightingSummary;
  /** Set by protectResults / fullResults (src/privacy/results.ts): who these figures are for. */
  disclosure?: Disclosure;
};

/** The weighted selection as a whole (weighted results only). */
export type WeightingSummary = {
  /** Selected responses that carry a weight: the respondents every weighted figure counts. */
  responses: number | null;
  /** Selected responses without a weight yet (not counted in the weighted figures). */
  unweighted: number;
  /** Sum of their weights. */
  weightedTotal: number | null;
  /** Kish effective sample size of the selection, (Σw)²/Σw². */
  effectiveN: number | null;
  /** Kish design effect of the selection, n·Σw²/(Σw)² = n/n_eff. */
  designEffect: number | null;
};

/** Results as a protected viewer may get them: hidden figures are null. */
export type PublishedResults = Results<number | null>;

export type Disclosure = {
  audience: Audience;
  minGroupSize: number;
  /** Protected viewer, selection under the threshold: why no figure is shown (French). */
  withheld?: string;
  /** What the viewer is told about the figures they see (French). */
  notice?: string;
};

export type ResultsOptions = {
  /** Name of a commune from its INSEE code (labels of the per-commune table). */
  communeName?: (insee: string) => string | undefined;
  /** Force the scan of the answers even without filters (tests, repair checks). */
  source?: 'counts' | 'answers';
  /**
   * How the answers of the selected responses are read: their per-response summaries (default;
   * the answers table when one of them has none), or always the answers table (tests, checks).
   */
  answersFrom?: 'summary' | 'table';
};

/** Percent of base, rounded to one decimal as everywhere it is shown; null without a base. */
export function percentOf(count: number, base: number): number | null {
  return base > 0 ? Math.round((count / base) * 1000) / 10 : null;
}

export function emptyTally(): Tally {
  return { total: 0, counts: new Map(), values: new Map(), bases: new Map() };
}

export function addCount(t: Tally, q: string, o: string, n: number) {
  let m = t.counts.get(q);
  if (!m) t.counts.set(q, (m = new Map()));
  m.set(o, (m.get(o) ?? 0) + n);
}

export function addValue(t: Tally, q: string, option: string, value: number, n: number) {
  let l = t.values.get(q);
  if (!l) t.values.set(q, (l = []));
  l.push({ option, value, n });
}

/** The running totals (migration 003): a few hundred rows whatever the number of responses. */
export function tallyFromCounts(db: Db): Tally {
  const t = emptyTally();
  for (const r of db.prepare('SELECT question_id AS q, option_code AS o, n FROM result_counts').iterate() as Iterable<{ q: string; o: string; n: number }>) {
    addCount(t, r.q, r.o, r.n);
  }
  for (const r of db
    .prepare('SELECT question_id AS q, option_code AS o, value AS v, n FROM result_value_counts ORDER BY question_id, value, option_code')
    .iterate() as Iterable<{ q: string; o: string; v: number; n: number }>) {
    addValue(t, r.q, r.o, r.v, r.n);
  }
  for (const r of db.prepare('SELECT question_id AS q, n FROM result_bases').iterate() as Iterable<{ q: string; n: number }>) {
    if (r.q === TOTAL_KEY) t.total = r.n;
    else t.bases.set(r.q, r.n);
  }
  return t;
}

/**
 * Which questions need more than a count per (question_id, option_code):
 *  - multiple choice questions have several rows per respondent: their base is a count of
 *    respondents;
 *  - a ranking's base is its number of rank-1 rows (ranks are filled in order);
 *  - every other question has one row per respondent: its base is the sum of its option counts.
 */
export function questionKinds(q: Questionnaire) {
  const multiple: string[] = [];
  const ranking: string[] = [];
  for (const { question } of eachQuestion(q)) {
    if (question.type === 'ranking') ranking.push(question.id);
    if (question.type === 'multiple') multiple.push(question.id);
  }
  return { multiple, ranking };
}

/** Prepared statements of the filtered path, per connection and SQL text (a handful of shapes). */
const statements = new WeakMap<Db, Map<string, Statement>>();
export function prepared(db: Db, sql: string): Statement {
  let m = statements.get(db);
  if (!m) statements.set(db, (m = new Map()));
  let s = m.get(sql);
  if (!s) {
    if (m.size > 100) m.clear();
    m.set(sql, (s = db.prepare(sql)));
  }
  return s;
}

/**
 * The figures of the completed responses passing `filter`, computed from their answers: from the
 * per-response summaries of migration 006 when every selected response has one (always, once
 * ensureAnswered has run), else from the answers table. `from: 'table'` forces the latter.
 */
export function tallyFromAnswers(db: Db, q: Questionnaire, filter: Filter, from: ResultsOptions['answersFrom'] = 'summary'): Tally {
  return tallyWhere(db, q, selectionOf(db, q, filter), from);
}

/**
 * The SQL selecting the responses of a filter, as the results use it. Channel and flag live in
 * the response rows, which the status index does not cover: a filter on them reads the table
 * sequentially (about 0.1 s per million responses) rather than looking each completed response up
 * through the index (about 3 s per million). Otherwise the covering status index is used, and a
 * date range narrows it.
 */
export function selectionOf(db: Db, q: Questionnaire, filter: Filter) {
  return compileFilter(db, q, filter, 'r', { walkPrimaryKey: filter.channels.length > 0 || filter.excludeFlagged });
}

/** tallyFromAnswers for any condition on `responses AS r` (which must select completed responses). */
function tallyWhere(db: Db, q: Questionnaire, f: { where: string; params: (string | number)[] }, from: ResultsOptions['answersFrom'] = 'summary'): Tally {
  // One transaction: the dictionary of the summaries and the summaries from the same snapshot.
  return db.transaction(() => (from === 'summary' && tallyFromSummaries(db, f)) || tallyFromTable(db, q, f))();
}

/**
 * One pass over the summaries of the selected responses (one short blob each), counting answer
 * rows per key and, per question, the responses with at least one row (the base, whatever the
 * question type: the definition of the running totals' result_bases). Null when a selected
 * response has no summary.
 */
function tallyFromSummaries(db: Db, f: { where: string; params: (string | number)[] }): Tally | null {
  const c = summaryCounts(db, f.where, f.params, (sql) => prepared(db, sql));
  if (!c) return null;
  const t = emptyTally();
  t.total = c.total;
  const { keys } = c;
  for (let d = 0; d < keys.size; d++) {
    const n = c.rows[d];
    if (!n) continue;
    addCount(t, keys.question[d], keys.option[d], n);
    const v = keys.value[d];
    if (v !== null) addValue(t, keys.question[d], keys.option[d], v, n);
  }
  keys.questions.forEach((qid, i) => c.responses[i] && t.bases.set(qid, c.responses[i]));
  for (const l of t.values.values()) l.sort((a, b) => a.value - b.value || (a.option < b.option ? -1 : 1));
  return t;
}

/**
 * The same figures from the answers table (a selected response without a summary):
 *  1. the selected response ids go to a temporary table (the filter is evaluated once);
 *  2. one grouped pass over their answers, driven by the answers' primary key, counting rows per
 *     (question_id, option_code, value_num). value_num is only set on ranks and integers, so every
 *     other option stays one group;
 *  3. the base of each multiple choice question: one primary-key probe per selected response
 *     (the only figure a grouped count cannot give).
 * Call inside a transaction.
 */
function tallyFromTable(db: Db, q: Questionnaire, f: { where: string; params: (string | number)[] }): Tally {
  const t = emptyTally();
  const { multiple, ranking } = questionKinds(q);
  db.exec('CREATE TEMP TABLE IF NOT EXISTS results_selection (id TEXT PRIMARY KEY) WITHOUT ROWID');
  db.exec('DELETE FROM temp.results_selection');
  t.total = prepared(db, `INSERT INTO temp.results_selection (id) SELECT r.id FROM responses r WHERE ${f.where}`).run(...f.params).changes;
  // "IN (SELECT id …)" rather than a join: SQLite then walks the selected ids and reads each
  // response's rows by primary key, instead of scanning the whole answers index.
  const rows = prepared(
    db,
    `SELECT question_id, option_code, value_num, count(*) FROM answers
     WHERE response_id IN (SELECT id FROM temp.results_selection)
     GROUP BY question_id, option_code, value_num`,
  )
    .raw(true)
    .iterate() as Iterable<[string, string, number | null, number]>;
  for (const [qid, option, v, n] of rows) {
    addCount(t, qid, option, n);
    if (v !== null) addValue(t, qid, option, v, n);
  }
  for (const [qid, m] of t.counts) {
    if (multiple.includes(qid) || ranking.includes(qid)) continue;
    let sum = 0;
    for (const n of m.values()) sum += n;
    t.bases.set(qid, sum);
  }
  for (const qid of ranking) {
    const first = (t.values.get(qid) ?? []).filter((x) => x.value === 1).reduce((a, x) => a + x.n, 0);
    if (first) t.bases.set(qid, first);
  }
  if (multiple.length && t.total) {
    // Responses with at least one row for the question: a lookup per response.
    const probe = 'sum(EXISTS (SELECT 1 FROM answers a WHERE a.response_id = s.id AND a.question_id = ?))';
    const bases = prepared(db, `SELECT ${multiple.map(() => probe).join(', ')} FROM temp.results_selection s`)
      .raw(true)
      .get(...multiple) as number[];
    multiple.forEach((qid, i) => bases[i] && t.bases.set(qid, bases[i]));
  }
  db.exec('DELETE FROM temp.results_selection');
  for (const l of t.values.values()) l.sort((a, b) => a.value - b.value || (a.option < b.option ? -1 : 1));
  return t;
}

/** Only the flagged-responses switch: the running totals minus the (few) flagged responses. */
function onlyExcludesFlagged(f: Filter): boolean {
  return f.excludeFlagged && isEmptyFilter({ ...f, excludeFlagged: false });
}

/** a − b, for b a subset of the responses counted in a. */
function subtractTally(a: Tally, b: Tally): Tally {
  const t = emptyTally();
  t.total = a.total - b.total;
  for (const [qid, m] of a.counts) {
    for (const [o, n] of m) {
      const left = n - (b.counts.get(qid)?.get(o) ?? 0);
      if (left) addCount(t, qid, o, left);
    }
  }
  for (const [qid, list] of a.values) {
    const minus = new Map((b.values.get(qid) ?? []).map((v) => [`${v.option}\u0000${v.value}`, v.n]));
    for (const v of list) {
      const left = v.n - (minus.get(`${v.option}\u0000${v.value}`) ?? 0);
      if (left) addValue(t, qid, v.option, v.value, left);
    }
  }
  for (const [qid, n] of a.bases) t.bases.set(qid, n - (b.bases.get(qid) ?? 0));
  return t;
}

/**
 * Results of every question. Without filter they come from the running totals; with only
 * « exclude flagged responses », from the running totals minus the flagged responses (computed
 * from their answers: they are few); otherwise from the answers of the selected responses.
 */
export function computeResults(db: Db, q: Questionnaire, filter: Filter = NO_FILTER, opts: ResultsOptions = {}): Results {
  // « Résultats pondérés »: a path of their own (src/results/weighted.ts); the rest is unchanged.
  if (filter.weighted) return computeWeightedResults(db, q, filter, opts);
  // What protected viewers see without filter: the running totals minus the unreleased responses
  // (fewer than K, migration 011), as cheap as the unfiltered results.
  if (filter.releasedOnly && isEmptyFilter({ ...filter, releasedOnly: false }) && opts.source !== 'answers') {
    return db.transaction(() => {
      const tally = subtractTally(tallyFromCounts(db), tallyWhere(db, q, { where: `r.status = 'complete' AND r.released = 0`, params: [] }, opts.answersFrom));
      // Themes come from free text: never computed for protected viewers (nor shown: privacy/results.ts).
      return buildResults(q, tally, filter, 'counts', opts, { derived: derivedFor(db, q) });
    })();
  }
  const useCounts = (opts.source ?? (isEmptyFilter(filter) || onlyExcludesFlagged(filter) ? 'counts' : 'answers')) === 'counts';
  if (useCounts && !isEmptyFilter(filter) && !onlyExcludesFlagged(filter)) throw new Error('les totaux courants ne servent que sans filtre');
  // The figures and the derived variables' figures from one snapshot.
  return db.transaction(() => {
    const tally = tallyFor(db, q, filter, useCounts, opts);
    const derived = derivedFor(db, q);
    // Themes come from free text: never computed for protected viewers (nor shown: privacy/results.ts).
    const themes =
      derived.themes.length && !filter.releasedOnly
        ? themeFigures(db, derived.themes, (set) => textAnswers(tally, set.source), isEmptyFilter(filter) ? null : selectionOf(db, q, filter))
        : undefined;
    return buildResults(q, tally, filter, useCounts ? 'counts' : 'answers', opts, { derived, themes });
  })();
}

function tallyFor(db: Db, q: Questionnaire, filter: Filter, useCounts: boolean, opts: ResultsOptions): Tally {
  let tally: Tally;
  if (!useCounts) tally = tallyFromAnswers(db, q, filter, opts.answersFrom);
  else if (!filter.excludeFlagged) tally = tallyFromCounts(db);
  else {
    // Same transaction: a completion between the two reads cannot make them disagree.
    tally = db.transaction(() => {
      // A sequential pass over the responses (no index on flagged): "+status" keeps SQLite off the
      // status index, which would cost one row lookup per completed response.
      const flagged = compileFilter(db, q, NO_FILTER, 'r', { walkPrimaryKey: true });
      if (!hasColumn(db, 'responses', 'flagged')) throw new FilterUnavailableError(frResults.filters.flaggedUnavailable);
      return subtractTally(tallyFromCounts(db), tallyWhere(db, q, { where: `${flagged.where} AND r.flagged = 1`, params: flagged.params }, opts.answersFrom));
    })();
  }
  return tally;
}

/** Respondents who wrote something for a text source: its rows (a text question's, or its « Autre » option's). */
function textAnswers(t: Tally, source: { questionId: string; optionCode: string }): number {
  return source.optionCode === '' ? (t.bases.get(source.questionId) ?? 0) : (t.counts.get(source.questionId)?.get(source.optionCode) ?? 0);
}

/** What buildResults adds to the questionnaire's tables: the derived variables and the themes' figures. */
export type DerivedFigures = { derived: Derived; themes?: ReturnType<typeof themeFigures> };

/** Turns raw figures into labelled tables, in questionnaire order. */
export function buildResults(q: Questionnaire, t: Tally, filter: Filter, source: Results['source'], opts: ResultsOptions = {}, extra?: DerivedFigures): Results {
  const count = (qid: string, code: string) => t.counts.get(qid)?.get(code) ?? 0;
  const baseOf = (qid: string) => t.bases.get(qid) ?? 0;
  const table = (id: string, label: string, base: number, choices: Choice[], n: (code: string) => number, multiple = false): ResultTable => ({
    id,
    label,
    base,
    multiple,
    options: choices.map((c) => ({ code: c.code, label: c.label, count: n(c.code), percent: percentOf(n(c.code), base) })),
  });

  const questions: QuestionResult[] = eachQuestion(q).map(({ question, section }) => {
    const tables: ResultTable[] = [];
    let stats: IntegerStats | undefined;
    switch (question.type) {
      case 'single':
      case 'multiple':
        tables.push(
          table(question.id, question.label, baseOf(question.id), question.options, (c) => count(question.id, c), question.type === 'multiple'),
        );
        break;
      case 'grid':
        for (const item of question.items) {
          const id = sub(question.id, item.id);
          tables.push(table(id, `${question.label} — ${item.label}`, baseOf(id), question.scale, (c) => count(id, c)));
        }
        break;
      case 'ranking': {
        const values = t.values.get(question.id) ?? [];
        const base = baseOf(question.id);
        const first = (c: string) => values.filter((v) => v.option === c && v.value === 1).reduce((a, v) => a + v.n, 0);
        const top = (c: string) => values.filter((v) => v.option === c && v.value <= question.picks).reduce((a, v) => a + v.n, 0);
        tables.push(table(sub(question.id, 'rang1'), `${question.label} — ${frResults.derived.firstRank}`, base, question.options, first));
        tables.push(
          table(sub(question.id, `top${question.picks}`), `${question.label} — ${frResults.derived.topRanks(question.picks)}`, base, question.options, top, true),
        );
        // Ranks 2…picks: the dashboard stacks 1st, 2nd, 3rd choice (after the two tables above,
        // whose place analysts' scripts may rely on).
        for (let k = 2; k <= question.picks; k++) {
          const at = (c: string) => values.filter((v) => v.option === c && v.value === k).reduce((a, v) => a + v.n, 0);
          tables.push(table(sub(question.id, `rang${k}`), `${question.label} — ${frResults.derived.nthRank(k)}`, base, question.options, at));
        }
        break;
      }
      case 'integer': {
        const values = (t.values.get(question.id) ?? []).filter((v) => v.option === '');
        const base = baseOf(question.id);
        const byValue = new Map(values.map((v) => [v.value, v.n]));
        // Every value of the allowed range when it is short (a stable shape for analysts' scripts).
        const range =
          question.max - question.min <= 200
            ? Array.from({ length: question.max - question.min + 1 }, (_, i) => question.min + i)
            : values.map((v) => v.value);
        const unit = question.unit ? ` ${question.unit}` : '';
        tables.push(
          table(question.id, question.label, base, range.map((v) => ({ code: String(v), label: `${v}${unit}` })), (c) => byValue.get(Number(c)) ?? 0),
        );
        const groups = ageGroupsFor(question);
        if (groups) {
          const inGroup = (code: string) =>
            values.filter((v) => groups.find((g) => g.code === code)!.ranges.some(([a, b]) => v.value >= a && v.value <= b)).reduce((a, v) => a + v.n, 0);
          tables.push(table(sub(question.id, AGE_GROUP_SUFFIX), `${question.label} — ${frResults.derived.ageGroup}`, base, groups, inGroup));
        }
        stats = integerStats(values);
        break;
      }
      case 'commune': {
        const epci = sub(question.id, EPCI_SUFFIX);
        tables.push(table(epci, `${question.label} — ${frResults.derived.epci}`, baseOf(epci), EPCI_CHOICES, (c) => count(epci, c)));
        const communes = [...(t.counts.get(question.id) ?? new Map<string, number>())]
          .map(([code, n]) => ({ code, label: opts.communeName?.(code) ?? code, n }))
          .sort((a, b) => b.n - a.n || a.label.localeCompare(b.label, 'fr'));
        tables.push(table(question.id, question.label, baseOf(question.id), communes, (c) => count(question.id, c)));
        break;
      }
      case 'text':
      case 'longtext':
        // Free text: only how many answered, as a share of the responses counted.
        tables.push(table(question.id, question.label, t.total, [{ code: '', label: frResults.derived.answers }], () => baseOf(question.id)));
        break;
    }
    if (extra) tables.push(...derivedTables(question.id, t, extra));
    return { id: question.id, type: question.type, label: question.label, section: { id: section.id, title: section.title }, tables, ...(stats ? { stats } : {}) };
  });

  return {
    questionnaire: { id: q.id, version: q.version, title: q.title },
    filter,
    responses: t.total,
    source,
    questions,
  };
}

/**
 * The derived tables shown with a question: its recodes (group sums of the source's counts, or of
 * its values for an age group), then its theme sets (when their figures were computed).
 */
function derivedTables(questionId: string, t: Tally, extra: DerivedFigures): ResultTable[] {
  const out: ResultTable[] = [];
  for (const { variable: v } of extra.derived.recodes) {
    if (v.question.id !== questionId) continue;
    const src = v.match.source.match;
    const values = src.kind === 'range' ? (t.values.get(src.answerId) ?? []).filter((x) => x.option === '') : [];
    const sourceCount =
      src.kind === 'option'
        ? (code: string) => t.counts.get(src.answerId)?.get(code) ?? 0
        : (code: string) => {
            const ranges = src.groups.find((g) => g.code === code)?.ranges ?? [];
            return values.filter((x) => ranges.some(([a, b]) => x.value >= a && x.value <= b)).reduce((a, x) => a + x.n, 0);
          };
    const { counts, base } = recodeCounts(v, sourceCount);
    out.push({
      id: v.id,
      label: v.label,
      base,
      multiple: false,
      options: v.choices!.map((c) => ({ code: c.code, label: c.label, count: counts.get(c.code) ?? 0, percent: percentOf(counts.get(c.code) ?? 0, base) })),
      derived: { kind: 'recode', source: v.match.source.id, groups: v.match.groups.map((g) => ({ code: g.code, sources: g.sources })) },
    });
  }
  if (extra.themes) {
    for (const set of extra.derived.themes) {
      if (set.source.questionId !== questionId) continue;
      const f = extra.themes.get(set.source.key);
      if (!f) continue;
      out.push({
        id: set.variable.id,
        label: set.variable.label,
        base: f.answered,
        multiple: true,
        options: set.themes.map((x) => ({ code: x.code, label: x.label, count: f.counts.get(x.code) ?? 0, percent: percentOf(f.counts.get(x.code) ?? 0, f.answered) })),
        derived: { kind: 'theme', source: set.source.key, coded: f.coded },
      });
    }
  }
  return out;
}

/** Count, mean, median (middle value, or mean of the two middle ones), min, max from value counts. */
export function integerStats(values: { value: number; n: number }[]): IntegerStats {
  const sorted = [...values].filter((v) => v.n > 0).sort((a, b) => a.value - b.value);
  const count = sorted.reduce((a, v) => a + v.n, 0);
  if (!count) return { count: 0, mean: null, median: null, min: null, max: null };
  const mean = sorted.reduce((a, v) => a + v.value * v.n, 0) / count;
  const at = (k: number) => {
    // k-th value (0-based) in the sorted list of answers.
    let seen = 0;
    for (const v of sorted) {
      seen += v.n;
      if (k < seen) return v.value;
    }
    return sorted[sorted.length - 1].value;
  };
  const median = count % 2 ? at((count - 1) / 2) : (at(count / 2 - 1) + at(count / 2)) / 2;
  return { count, mean: Math.round(mean * 100) / 100, median, min: sorted[0].value, max: sorted[sorted.length - 1].value };
}

export type FunnelStep = { key: string; label: string; count: number; percent: number | null };

/**
 * Completion funnel over every response, drafts included: started, reached each later section
 * (responses.reached_section = last section saved), completed. Percentages of those who started.
 * Optional channel and days (on the start hour).
 */
export function completionFunnel(db: Db, q: Questionnaire, opts: { channels?: string[]; from?: string; to?: string } = {}): FunnelStep[] {
  const where: string[] = ['1'];
  const params: string[] = [];
  if (opts.channels?.length) {
    const named = opts.channels.filter((c) => c !== NO_CHANNEL);
    const alternatives = named.length ? [`channel IN (${named.map(() => '?').join(', ')})`] : [];
    if (named.length < opts.channels.length) alternatives.push('channel IS NULL');
    where.push(`(${alternatives.join(' OR ')})`);
    params.push(...named);
  }
  if (opts.from) {
    where.push('started_hour >= ?');
    params.push(opts.from);
  }
  if (opts.to) {
    where.push('substr(started_hour, 1, 10) <= ?');
    params.push(opts.to);
  }
  const reached = q.sections.slice(1).map((_, i) => `sum(reached_section >= ${i + 1}) AS s${i + 2}`);
  const row = db
    .prepare(
      `SELECT count(*) AS started, ${reached.join(', ')}${reached.length ? ',' : ''} sum(status = 'complete') AS completed
       FROM responses WHERE ${where.join(' AND ')}`,
    )
    .get(...params) as Record<string, number | null>;
  const started = row.started ?? 0;
  const steps: FunnelStep[] = [{ key: 'started', label: frResults.funnel.started, count: started, percent: percentOf(started, started) }];
  q.sections.slice(1).forEach((s, i) => {
    const n = row[`s${i + 2}`] ?? 0;
    steps.push({ key: `section_${i + 2}`, label: frResults.funnel.reached(i + 2, s.title), count: n, percent: percentOf(n, started) });
  });
  const completed = row.completed ?? 0;
  steps.push({ key: 'completed', label: frResults.funnel.completed, count: completed, percent: percentOf(completed, started) });
  return steps;
}
