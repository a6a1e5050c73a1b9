import crypto from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/connection.js';
import type { AnswerRow } from '../questionnaire/types/common.js';

// The per-response summary of the answers (migration 006), read by the results under a filter.
//
// answer_keys gives every distinct (question_id, option_code, value_num) of the long format an id
// from 1 to 65535, once and for all. response_codes holds, for each completed response, the ids of
// all its answer rows as 16-bit little-endian integers: "genre=feminin, age 16, 3 ticked
// options…" is a blob of ~70 bytes. Filtered results then read one short blob per selected
// response and count in a typed array, instead of sorting and grouping every answer row of the
// selection; the base of each question (responses with at least one row for it) comes from the
// same pass.
//
// Ids are drawn at random among the free ones: in the order of first appearance, they would tell
// which responses came first (the very first one would be "ids 1 to 35"), which the random
// response ids and the WITHOUT ROWID tables are there to hide.
//
// Kept in the transaction that writes the answers (recordAnswered); rebuilt from the answers when
// a completed response lacks its row (ensureAnswered, at start). A selected response without a row
// makes the results read the answers table instead: the summary can only speed results up.

/** Highest id: one 16-bit unit per answer row. */
export const MAX_KEY_ID = 0xffff;

/** The dictionary of answer keys as loaded from answer_keys, in dense arrays. */
export type AnswerKeys = {
  /** Number of keys; dense indexes are 0 … size - 1. */
  size: number;
  /** id → dense index, -1 for a free id. */
  dense: Int32Array;
  /** Per dense index. */
  id: number[];
  question: string[];
  option: string[];
  value: (number | null)[];
  /** Index of the key's question in `questions`. */
  questionIndex: number[];
  /** The dense index of the first key with the same (question, option, value): itself, except for
   * a repeated key (never written, but harmless). */
  canonical: number[];
  questions: string[];
  /** question → option → value (null for none) → id, for the writer. */
  ids: Map<string, Map<string, Map<number | null, number>>>;
  /** What the database said when these were loaded: count(*), min(id), max(id). */
  check: string;
};

type State = {
  keys: AnswerKeys | null;
  check: Statement;
  all: Statement;
  add: Statement;
  upsert: Statement;
  remove: Statement;
};
const states = new WeakMap<Db, State>();

function state(db: Db): State | null {
  let s = states.get(db);
  if (s) return s;
  // A database migrated only partly (tests of older migrations): no summary at all.
  const tables = db.prepare(`SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table' AND name IN ('answer_keys', 'response_codes')`).get() as { n: number };
  if (tables.n !== 2) return null;
  s = {
    keys: null,
    check: db
      .prepare(`SELECT (SELECT count(*) FROM answer_keys) || '/' || coalesce((SELECT min(id) FROM answer_keys), 0) || '/' || coalesce((SELECT max(id) FROM answer_keys), 0)`)
      .pluck(true),
    all: db.prepare('SELECT id, question_id, option_code, value_num FROM answer_keys').raw(true),
    add: db.prepare('INSERT INTO answer_keys (id, question_id, option_code, value_num) VALUES (?, ?, ?, ?)'),
    upsert: db.prepare(
      `INSERT INTO response_codes (response_id, codes) VALUES (?, ?)
       ON CONFLICT (response_id) DO UPDATE SET codes = excluded.codes`,
    ),
    remove: db.prepare('DELETE FROM response_codes WHERE response_id = ?'),
  };
  states.set(db, s);
  return s;
}

function addToKeys(k: AnswerKeys, id: number, question: string, option: string, value: number | null) {
  const d = k.size++;
  k.dense[id] = d;
  k.id[d] = id;
  k.question[d] = question;
  k.option[d] = option;
  k.value[d] = value;
  let qi = k.questions.indexOf(question);
  if (qi === -1) qi = k.questions.push(question) - 1;
  k.questionIndex[d] = qi;
  let options = k.ids.get(question);
  if (!options) k.ids.set(question, (options = new Map()));
  let values = options.get(option);
  if (!values) options.set(option, (values = new Map()));
  const first = values.get(value);
  if (first === undefined) values.set(value, id);
  k.canonical[d] = first === undefined ? d : k.dense[first];
}

/**
 * The dictionary as the database has it now. Cached per connection, checked by count(*), min(id)
 * and max(id) of the small table (a rolled-back completion takes its new keys back, another
 * process can add some); a microsecond per call.
 */
export function answerKeys(db: Db): AnswerKeys | null {
  const s = state(db);
  if (!s) return null;
  const check = s.check.get() as string;
  if (s.keys?.check === check) return s.keys;
  const k: AnswerKeys = {
    size: 0,
    dense: new Int32Array(MAX_KEY_ID + 1).fill(-1),
    id: [],
    question: [],
    option: [],
    value: [],
    questionIndex: [],
    canonical: [],
    questions: [],
    ids: new Map(),
    check,
  };
  // In id order: for a repeated key, the first id is the one the writer uses.
  const rows = (s.all.all() as [number, string, string, number | null][]).sort((a, b) => a[0] - b[0]);
  for (const [id, q, o, v] of rows) if (id >= 1 && id <= MAX_KEY_ID) addToKeys(k, id, q, o, v);
  s.keys = k;
  return k;
}

/** A free id, at random; undefined when all are taken. */
function freeId(k: AnswerKeys): number | undefined {
  for (let i = 0; i < 64; i++) {
    const id = crypto.randomInt(1, MAX_KEY_ID + 1);
    if (k.dense[id] === -1) return id;
  }
  const start = crypto.randomInt(1, MAX_KEY_ID + 1);
  for (let i = 0; i < MAX_KEY_ID; i++) {
    const id = ((start - 1 + i) % MAX_KEY_ID) + 1;
    if (k.dense[id] === -1) return id;
  }
  return undefined;
}

/**
 * Writes a completed response's summary. Call it in the transaction that writes its answer rows,
 * with exactly those rows.
 */
export function recordAnswered(db: Db, responseId: string, rows: readonly AnswerRow[]): void {
  const s = state(db);
  if (!s) return;
  const keys = answerKeys(db)!;
  const codes = Buffer.allocUnsafe(rows.length * 2);
  let added = false;
  let complete = true;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    let id = keys.ids.get(r.questionId)?.get(r.optionCode)?.get(r.valueNum);
    if (id === undefined) {
      id = freeId(keys);
      if (id === undefined) {
        complete = false;
        break;
      }
      s.add.run(id, r.questionId, r.optionCode, r.valueNum);
      addToKeys(keys, id, r.questionId, r.optionCode, r.valueNum);
      added = true;
    }
    codes.writeUInt16LE(id, i * 2);
  }
  // The cache now holds what this transaction wrote: the next check must find the same.
  if (added) keys.check = s.check.get() as string;
  if (complete) s.upsert.run(responseId, codes);
  // Every id taken (65,535 distinct answer values): no summary, the results read this response's
  // answers.
  else s.remove.run(responseId);
}

/**
 * Recomputes every summary from the answers, in one transaction, with the writer's own encoding:
 * the completed responses in key order, each one's answers by primary key, a few thousand
 * responses at a time. New keys are added to the dictionary; existing ids never change.
 */
export function rebuildAnswered(db: Db): void {
  if (!state(db)) return;
  const CHUNK = 2000;
  const page = db
    .prepare(
      `SELECT r.id, a.question_id, a.option_code, a.value_num
       FROM (SELECT id FROM responses WHERE +status = 'complete' AND id > ? ORDER BY id LIMIT ${CHUNK}) r
       LEFT JOIN answers a ON a.response_id = r.id
       ORDER BY r.id`,
    )
    .raw(true);
  db.transaction(() => {
    db.exec('DELETE FROM response_codes');
    let after = '';
    for (;;) {
      const rows = page.all(after) as [string, string | null, string | null, number | null][];
      if (!rows.length) break;
      let current = rows[0][0];
      let answers: AnswerRow[] = [];
      for (const [id, questionId, optionCode, valueNum] of rows) {
        if (id !== current) {
          recordAnswered(db, current, answers);
          current = id;
          answers = [];
        }
        if (questionId !== null) answers.push({ questionId, optionCode: optionCode!, valueText: null, valueNum });
      }
      recordAnswered(db, current, answers);
      after = current;
    }
  })();
}

/** Fills the summaries at start when a completed response lacks one (new database, older data). */
export function ensureAnswered(db: Db): void {
  if (state(db) && !answeredReady(db)) rebuildAnswered(db);
}

/** Whether every completed response has its summary (else the results read the answers for it). */
export function answeredReady(db: Db): boolean {
  if (!state(db)) return false;
  const summaries = (db.prepare('SELECT count(*) AS n FROM response_codes').get() as { n: number }).n;
  const completed = (db.prepare(`SELECT count(*) AS n FROM responses WHERE status = 'complete'`).get() as { n: number }).n;
  return summaries === completed;
}

/** What one pass over the summaries of a selection gives. */
export type SummaryCounts = {
  keys: AnswerKeys;
  /** Selected responses. */
  total: number;
  /** Answer rows per dense key index (repeated keys folded into their canonical index). */
  rows: Float64Array;
  /** Responses with at least one row, per index of keys.questions. */
  responses: Float64Array;
};

/**
 * Counts of the completed responses selected by `where` (a condition on `responses AS r`) from
 * their summaries, or null when one of them has none (the caller then reads the answers). Call it
 * inside a transaction, so the dictionary and the summaries come from the same snapshot.
 */
export function summaryCounts(db: Db, where: string, params: readonly (string | number)[], prepare: (sql: string) => Statement): SummaryCounts | null {
  const keys = answerKeys(db);
  if (!keys) return null;
  // LEFT JOIN: one row per selected response, NULL where the summary is missing.
  const codes = prepare(`SELECT c.codes FROM responses r LEFT JOIN response_codes c ON c.response_id = r.id WHERE ${where}`)
    .pluck(true)
    .all(...params) as (Buffer | null)[];
  const rows = new Float64Array(keys.size);
  const responses = new Float64Array(keys.questions.length);
  const seen = new Int32Array(keys.questions.length);
  const { dense, questionIndex } = keys;
  for (let r = 0; r < codes.length; r++) {
    const c = codes[r];
    if (c === null || c.length % 2) return null;
    const stamp = r + 1;
    for (let j = 0; j < c.length; j += 2) {
      const d = dense[c[j] | (c[j + 1] << 8)];
      if (d < 0) return null; // an id this snapshot does not know: read the answers instead
      rows[d]++;
      const qi = questionIndex[d];
      if (seen[qi] !== stamp) {
        seen[qi] = stamp;
        responses[qi]++;
      }
    }
  }
  for (let d = 0; d < keys.size; d++) {
    const to = keys.canonical[d];
    if (to !== d && rows[d]) {
      rows[to] += rows[d];
      rows[d] = 0;
    }
  }
  return { keys, total: codes.length, rows, responses };
}
