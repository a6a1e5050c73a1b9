import type { Db } from '../db/connection.js';
import type { Questionnaire } from '../questionnaire/schema.js';
import { ensureWeights } from '../weights/current.js';
import { derivedFor } from './derived.js';
import {
  addCount,
  addValue,
  buildResults,
  emptyTally,
  prepared,
  questionKinds,
  selectionOf,
  type IntegerStats,
  type QuestionResult,
  type Results,
  type ResultsOptions,
  type Tally,
} from './aggregate.js';
import type { Filter } from './filters.js';
import { answerKeys } from './answered.js';
import { wilson } from './statistics.js';
import { fr } from '../strings.js';

// « Résultats pondérés » (weighted=1, issue 12): the results of a selection counted with the
// raking weights of response_weights (migration 017, filled by src/weights/).
//
// The selection is the unweighted one (selectionOf: every filter), joined in SQL with
// response_weights; per (question_id, option_code, value_num) we need the number of rows, Σw and
// Σw², and per question the same over its respondents (the base). As in the unweighted filtered
// path, two ways, the second only when a selected response has no per-response summary:
//  - summaries (migration 006): one row per selected response, its summary blob and its weight,
//    counted in typed arrays (the base of any question: the responses with a row for it);
//  - the answers table: one grouped pass over the answers of the selected responses joined with
//    their weight. Every question but multiple choice has one row per respondent, so its base's Σw
//    and Σw² are sums over its options (a ranking's base: its rank-1 rows); a multiple choice
//    question's base needs one probe per selected response.
// The first is about 20 times faster (bench/results.ts). The three measures then go through the
// same buildResults as the unweighted results, so that tables, derived variables (age groups,
// intercommunalities, ranks) and their order are those of the unweighted results:
//   - count, base, percent: the raw respondents (what disclosure control decides on);
//   - weightedCount, weightedBase, weightedPercent: the weighted figures;
//   - effectiveBase: Kish's effective sample size of the base, (Σw)²/Σw², and designEffect n/n_eff;
//   - ciLow/ciHigh: the 95 % Wilson interval of the weighted share computed on the effective size.
// Responses selected but without a weight (weights not rebuilt yet) are left out of every figure
// and counted in `weighting.unweighted`.
//
// The unweighted path does not go through here (running totals, per-response summaries).

export class WeightingUnavailableError extends Error {
  constructor(message: string = fr.weighted.unavailable) {
    super(message);
  }
}

/** Whether a weighting is in force, cheaply (a page shows the switch with or without it). */
export function weightingSaved(db: Db): boolean {
  return db.prepare('SELECT EXISTS (SELECT 1 FROM response_weights) AS x').pluck(true).get() === 1;
}

type Measures = { raw: Tally; w: Tally; w2: Tally };

/**
 * The three measures from the per-response summaries of the selected responses and their weights;
 * null when a selected weighted response has no summary (or one this snapshot cannot read).
 * Call in a transaction.
 */
export function weightedFromSummaries(db: Db, f: { where: string; params: (string | number)[] }): (Measures & { selected: number }) | null {
  const keys = answerKeys(db);
  if (!keys) return null;
  const rows = prepared(db, `SELECT rw.weight, c.codes FROM responses r LEFT JOIN response_weights rw ON rw.response_id = r.id LEFT JOIN response_codes c ON c.response_id = r.id WHERE ${f.where}`)
    .raw(true)
    .all(...f.params) as [number | null, Buffer | null][];
  const n = new Float64Array(keys.size);
  const sw = new Float64Array(keys.size);
  const sw2 = new Float64Array(keys.size);
  const qn = new Float64Array(keys.questions.length);
  const qw = new Float64Array(keys.questions.length);
  const qw2 = new Float64Array(keys.questions.length);
  const seen = new Int32Array(keys.questions.length);
  const { dense, questionIndex } = keys;
  let total = 0;
  let totalW = 0;
  let totalW2 = 0;
  for (let r = 0; r < rows.length; r++) {
    const [w, c] = rows[r];
    if (w === null) continue; // not weighted yet: counted apart
    if (c === null || c.length % 2) return null;
    const w2 = w * w;
    total++;
    totalW += w;
    totalW2 += w2;
    const stamp = r + 1;
    for (let j = 0; j < c.length; j += 2) {
      const d = dense[c[j] | (c[j + 1] << 8)];
      if (d < 0) return null;
      n[d]++;
      sw[d] += w;
      sw2[d] += w2;
      const qi = questionIndex[d];
      if (seen[qi] !== stamp) {
        seen[qi] = stamp;
        qn[qi]++;
        qw[qi] += w;
        qw2[qi] += w2;
      }
    }
  }
  const m: Measures = { raw: emptyTally(), w: emptyTally(), w2: emptyTally() };
  m.raw.total = total;
  m.w.total = totalW;
  m.w2.total = totalW2;
  const measures: [Tally, Float64Array, Float64Array][] = [
    [m.raw, n, qn],
    [m.w, sw, qw],
    [m.w2, sw2, qw2],
  ];
  for (const [t, perKey, perQuestion] of measures) {
    for (let d = 0; d < keys.size; d++) {
      // A repeated key (never written, but harmless) is folded into its canonical one.
      const to = keys.canonical[d];
      if (to !== d && perKey[d]) {
        perKey[to] += perKey[d];
        perKey[d] = 0;
      }
    }
    for (let d = 0; d < keys.size; d++) {
      const x = perKey[d];
      if (!x) continue;
      addCount(t, keys.question[d], keys.option[d], x);
      const v = keys.value[d];
      if (v !== null) addValue(t, keys.question[d], keys.option[d], v, x);
    }
    keys.questions.forEach((qid, i) => perQuestion[i] && t.bases.set(qid, perQuestion[i]));
    for (const l of t.values.values()) l.sort((a, b) => a.value - b.value || (a.option < b.option ? -1 : 1));
  }
  return { ...m, selected: rows.length };
}

/** The three measures of the filter's selection: from the summaries, else from the answers table. */
function weightedTallies(db: Db, q: Questionnaire, filter: Filter, from: ResultsOptions['answersFrom'] = 'summary'): Measures & { selected: number } {
  const f = selectionOf(db, q, filter);
  return (from === 'summary' && weightedFromSummaries(db, f)) || weightedFromTable(db, q, f);
}

/** The grouped pass over the answers table: raw counts, Σw and Σw² per key and per question base. Call in a transaction. */
function weightedFromTable(db: Db, q: Questionnaire, f: { where: string; params: (string | number)[] }): Measures & { selected: number } {
  const { multiple, ranking } = questionKinds(q);
  const m: Measures = { raw: emptyTally(), w: emptyTally(), w2: emptyTally() };
  db.exec('CREATE TEMP TABLE IF NOT EXISTS weighted_selection (id TEXT PRIMARY KEY, w REAL NOT NULL) WITHOUT ROWID');
  db.exec('DELETE FROM temp.weighted_selection');
  const selected = prepared(db, `SELECT count(*) FROM responses r WHERE ${f.where}`).pluck(true).get(...f.params) as number;
  prepared(db, `INSERT INTO temp.weighted_selection (id, w) SELECT r.id, rw.weight FROM responses r JOIN response_weights rw ON rw.response_id = r.id WHERE ${f.where}`).run(
    ...f.params,
  );
  const [n, sw, sw2] = prepared(db, 'SELECT count(*), total(w), total(w * w) FROM temp.weighted_selection').raw(true).get() as [number, number, number];
  m.raw.total = n;
  m.w.total = sw;
  m.w2.total = sw2;
  // CROSS JOIN: the selected ids drive, each one's answers read by primary key.
  const rows = prepared(
    db,
    `SELECT a.question_id, a.option_code, a.value_num, count(*), total(s.w), total(s.w * s.w)
     FROM temp.weighted_selection s CROSS JOIN answers a ON a.response_id = s.id
     GROUP BY a.question_id, a.option_code, a.value_num`,
  )
    .raw(true)
    .iterate() as Iterable<[string, string, number | null, number, number, number]>;
  for (const [qid, option, v, c, w, w2] of rows) {
    const each: [Tally, number][] = [
      [m.raw, c],
      [m.w, w],
      [m.w2, w2],
    ];
    for (const [t, x] of each) {
      addCount(t, qid, option, x);
      if (v !== null) addValue(t, qid, option, v, x);
    }
  }
  for (const t of [m.raw, m.w, m.w2]) {
    for (const [qid, counts] of t.counts) {
      if (multiple.includes(qid) || ranking.includes(qid)) continue;
      let sum = 0;
      for (const x of counts.values()) sum += x;
      t.bases.set(qid, sum);
    }
    for (const qid of ranking) {
      const first = (t.values.get(qid) ?? []).filter((x) => x.value === 1).reduce((a, x) => a + x.n, 0);
      if (first) t.bases.set(qid, first);
    }
    for (const l of t.values.values()) l.sort((a, b) => a.value - b.value || (a.option < b.option ? -1 : 1));
  }
  for (const qid of multiple) {
    if (!n) break;
    const [c, w, w2] = prepared(
      db,
      `SELECT count(*), total(s.w), total(s.w * s.w) FROM temp.weighted_selection s
       WHERE EXISTS (SELECT 1 FROM answers a WHERE a.response_id = s.id AND a.question_id = ?)`,
    )
      .raw(true)
      .get(qid) as [number, number, number];
    if (c) {
      m.raw.bases.set(qid, c);
      m.w.bases.set(qid, w);
      m.w2.bases.set(qid, w2);
    }
  }
  db.exec('DELETE FROM temp.weighted_selection');
  return { ...m, selected };
}

const round = (x: number, digits: number) => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

/** Kish: effective sample size (Σw)²/Σw² and design effect n·Σw²/(Σw)², null without weight. */
export function kish(n: number, sumW: number, sumW2: number): { effectiveN: number | null; designEffect: number | null } {
  if (!(sumW > 0 && sumW2 > 0 && n > 0)) return { effectiveN: null, designEffect: null };
  return { effectiveN: (sumW * sumW) / sumW2, designEffect: (n * sumW2) / (sumW * sumW) };
}

/** Weighted mean and median of an integer question (median: the smallest value reaching half the weight). */
export function weightedIntegerStats(raw: IntegerStats, values: { value: number; n: number }[]): IntegerStats {
  const sorted = values.filter((v) => v.n > 0).sort((a, b) => a.value - b.value);
  const total = sorted.reduce((a, v) => a + v.n, 0);
  if (!(total > 0)) return raw;
  const mean = sorted.reduce((a, v) => a + v.value * v.n, 0) / total;
  let seen = 0;
  let median = sorted[sorted.length - 1].value;
  for (const v of sorted) {
    seen += v.n;
    // A relative tolerance: sums of floating weights that should reach exactly half.
    if (seen >= total / 2 - 1e-9 * total) {
      median = v.value;
      break;
    }
  }
  return { ...raw, mean: round(mean, 2), median };
}

/** The raw, Σw and Σw² results of the same questionnaire, merged into one weighted Results. */
function merge(raw: Results, w: Results, w2: Results, m: Measures): QuestionResult[] {
  return raw.questions.map((qr, qi) => {
    const wq = w.questions[qi];
    const w2q = w2.questions[qi];
    const tables = qr.tables.map((table, ti) => {
      const wt = wq.tables[ti];
      const w2t = w2q.tables[ti];
      const { effectiveN, designEffect } = kish(table.base, wt.base, w2t.base);
      const byCode = new Map(wt.options.map((o) => [o.code, o]));
      return {
        ...table,
        weightedBase: round(wt.base, 2),
        effectiveBase: effectiveN === null ? null : round(effectiveN, 1),
        designEffect: designEffect === null ? null : round(designEffect, 3),
        options: table.options.map((o) => {
          const wo = byCode.get(o.code);
          const sum = wo?.count ?? 0;
          const ci = effectiveN === null ? null : wilson((sum / wt.base) * effectiveN, effectiveN);
          return {
            ...o,
            weightedCount: round(sum, 2),
            weightedPercent: wt.base > 0 ? round((100 * sum) / wt.base, 1) : null,
            ciLow: ci ? round(100 * ci.low, 1) : null,
            ciHigh: ci ? round(100 * ci.high, 1) : null,
          };
        }),
      };
    });
    const out: QuestionResult = { ...qr, tables };
    if (qr.stats) out.stats = weightedIntegerStats(qr.stats, (m.w.values.get(qr.id) ?? []).filter((v) => v.option === ''));
    return out;
  });
}

/**
 * Weighted results of every question for the filter (filter.weighted). Calls ensureWeights first
 * (the weighting module brings the weights up to date); throws WeightingUnavailableError when no
 * weighting is in force.
 */
export function computeWeightedResults(db: Db, q: Questionnaire, filter: Filter, opts: ResultsOptions = {}): Results {
  return db.transaction(() => {
    if (!ensureWeights(db, q)) throw new WeightingUnavailableError();
    const m = weightedTallies(db, q, filter, opts.answersFrom);
    // Recodes are sums of their source's cells: weighted like them (derived.ts). Theme tables are
    // counts of codings, not weighted yet: left out of the weighted results.
    const extra = { derived: derivedFor(db, q) };
    const raw = buildResults(q, m.raw, filter, 'answers', opts, extra);
    const w = buildResults(q, m.w, filter, 'answers', opts, extra);
    const w2 = buildResults(q, m.w2, filter, 'answers', opts, extra);
    const all = kish(m.raw.total, m.w.total, m.w2.total);
    return {
      ...raw,
      questions: merge(raw, w, w2, m),
      weighted: true,
      weighting: {
        responses: m.raw.total,
        unweighted: m.selected - m.raw.total,
        weightedTotal: round(m.w.total, 2),
        effectiveN: all.effectiveN === null ? null : round(all.effectiveN, 1),
        designEffect: all.designEffect === null ? null : round(all.designEffect, 3),
      },
    };
  })();
}
