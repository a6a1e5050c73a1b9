import type { Db } from '../db/connection.js';
import type { Question, Questionnaire } from '../questionnaire/schema.js';
import { EPCI_SUFFIX } from '../questionnaire/types/commune.js';
import { TOTAL_KEY } from './counts.js';
import { compileFilter, isEmptyFilter, NO_FILTER, type Filter } from './filters.js';
import { AGE_GROUP_SUFFIX, ageGroupsFor, EPCI_CHOICES, eachQuestion, sub, type Choice } from './model.js';
import { frResults } from './strings.js';

// Results of the questionnaire: for each question, counts per option, the base (completed
// responses in which the question was answered) and percentages of that base, computed in SQL.
// Without filters they come from the running totals of migration 003 (a few hundred rows); with
// filters, from one grouped pass over the answers of the selected responses.

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

export type OptionResult = { code: string; label: string; count: number; percent: number | null };

/** One table of results: a question, a grid item, a ranking view, a derived variable. */
export type ResultTable = {
  /** The question_id column of results.csv: "<question>", "<grid>__<item>", "<ranking>__rang1"… */
  id: string;
  label: string;
  base: number;
  /** Several options per respondent: percentages of respondents, summing to more than 100. */
  multiple: boolean;
  options: OptionResult[];
};

export type IntegerStats = { count: number; mean: number | null; median: number | null; min: number | null; max: number | null };

export type QuestionResult = {
  id: string;
  type: Question['type'];
  label: string;
  section: { id: string; title: string };
  tables: ResultTable[];
  /** Integer questions only. */
  stats?: IntegerStats;
};

export type Results = {
  questionnaire: { id: string; version: number; title: string };
  filter: Filter;
  /** Completed responses passing the filter. */
  responses: number;
  /** 'counts': running totals; 'answers': computed from the answers of the selected responses. */
  source: 'counts' | 'answers';
  questions: QuestionResult[];
};

export type ResultsOptions = {
  /** Name of a commune from its INSEE code (labels of the per-commune table). */
  communeName?: (insee: string) => string | undefined;
  /** Force the scan of the answers even without filters (tests, repair checks). */
  source?: 'counts' | 'answers';
};

/** Percent of base, rounded to one decimal as everywhere it is shown; null without a base. */
export function percentOf(count: number, base: number): number | null {
  return base > 0 ? Math.round((count / base) * 1000) / 10 : null;
}

function emptyTally(): Tally {
  return { total: 0, counts: new Map(), values: new Map(), bases: new Map() };
}

function addCount(t: Tally, q: string, o: string, n: number) {
  let m = t.counts.get(q);
  if (!m) t.counts.set(q, (m = new Map()));
  m.set(o, (m.get(o) ?? 0) + n);
}

function addValue(t: Tally, q: string, option: string, value: number, n: number) {
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
 * Which answer rows need more than a count per (question_id, option_code):
 *  - value rows (ranks, integers) are also grouped by value_num;
 *  - questions with several rows per respondent (multiple choice, ranking) need a distinct count
 *    of respondents for their base; every other question has one row per respondent, so its base
 *    is the sum of its option counts.
 */
function questionKinds(q: Questionnaire) {
  const valued: string[] = [];
  const severalRows: string[] = [];
  for (const { question } of eachQuestion(q)) {
    if (question.type === 'integer' || question.type === 'ranking') valued.push(question.id);
    if (question.type === 'multiple') severalRows.push(question.id);
  }
  return { valued, severalRows };
}

/**
 * The figures of the completed responses passing `filter`, computed from the answers:
 *  1. the selected response ids, into a temporary table (the filter is evaluated once);
 *  2. one grouped pass over their answers: count per (question_id, option_code), with value_num
 *     kept only for ranks and integers;
 *  3. for multiple choice questions, the number of distinct respondents (base).
 */
export function tallyFromAnswers(db: Db, q: Questionnaire, filter: Filter): Tally {
  const t = emptyTally();
  const f = compileFilter(db, q, filter);
  const { valued, severalRows } = questionKinds(q);
  const marks = (n: number) => Array.from({ length: n }, () => '?').join(', ') || 'NULL';
  return db.transaction(() => {
    db.exec('CREATE TEMP TABLE IF NOT EXISTS results_selection (id TEXT PRIMARY KEY) WITHOUT ROWID');
    db.exec('DELETE FROM temp.results_selection');
    t.total = db.prepare(`INSERT INTO temp.results_selection (id) SELECT r.id FROM responses r WHERE ${f.where}`).run(...f.params).changes;
    const rows = db
      .prepare(
        `SELECT a.question_id AS q, a.option_code AS o,
                CASE WHEN a.question_id IN (${marks(valued.length)}) THEN a.value_num END AS v, count(*) AS n
         FROM temp.results_selection s JOIN answers a ON a.response_id = s.id
         GROUP BY a.question_id, a.option_code, v`,
      )
      .iterate(...valued) as Iterable<{ q: string; o: string; v: number | null; n: number }>;
    for (const r of rows) {
      addCount(t, r.q, r.o, r.n);
      if (r.v !== null) addValue(t, r.q, r.o, r.v, r.n);
    }
    for (const [qid, m] of t.counts) {
      if (severalRows.includes(qid)) continue;
      let sum = 0;
      for (const n of m.values()) sum += n;
      t.bases.set(qid, sum);
    }
    // Ranking: one rank-1 row per respondent (ranks are filled in order).
    for (const [qid, list] of t.values) {
      const first = list.filter((x) => x.value === 1);
      if (first.length && list.length && !q.sections.some((s) => s.questions.some((x) => x.id === qid && x.type === 'integer'))) {
        t.bases.set(qid, first.reduce((a, x) => a + x.n, 0));
      }
    }
    if (severalRows.length) {
      const bases = db
        .prepare(
          `SELECT a.question_id AS q, count(DISTINCT a.response_id) AS n
           FROM temp.results_selection s JOIN answers a ON a.response_id = s.id AND a.question_id IN (${marks(severalRows.length)})
           GROUP BY a.question_id`,
        )
        .all(...severalRows) as { q: string; n: number }[];
      for (const b of bases) t.bases.set(b.q, b.n);
    }
    db.exec('DELETE FROM temp.results_selection');
    for (const l of t.values.values()) l.sort((a, b) => a.value - b.value || (a.option < b.option ? -1 : 1));
    return t;
  })();
}

/** Results of every question, from the running totals when there is no filter. */
export function computeResults(db: Db, q: Questionnaire, filter: Filter = NO_FILTER, opts: ResultsOptions = {}): Results {
  const useCounts = (opts.source ?? (isEmptyFilter(filter) ? 'counts' : 'answers')) === 'counts';
  if (useCounts && !isEmptyFilter(filter)) throw new Error('les totaux courants ne servent que sans filtre');
  const tally = useCounts ? tallyFromCounts(db) : tallyFromAnswers(db, q, filter);
  return buildResults(q, tally, filter, useCounts ? 'counts' : 'answers', opts);
}

/** Turns raw figures into labelled tables, in questionnaire order. */
export function buildResults(q: Questionnaire, t: Tally, filter: Filter, source: Results['source'], opts: ResultsOptions = {}): Results {
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
    where.push(`channel IN (${opts.channels.map(() => '?').join(', ')})`);
    params.push(...opts.channels);
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
