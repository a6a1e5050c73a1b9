import type { Db } from '../db/connection.js';
import type { AnswerRow } from '../questionnaire/types/common.js';

// Running totals of the completed responses (migration 003), so the unfiltered results read a few
// hundred rows instead of scanning millions of answers:
//   result_counts        (question_id, option_code) → answer rows
//   result_value_counts  (question_id, option_code, value) → rows with that value_num (ranks, integers)
//   result_bases         question_id → responses with at least one row for it; '' → all completed
// They are kept up to date in the transaction that completes a response (recordCompletion), and
// can be rebuilt from the answers at any time (rebuildCounts). Nothing here knows a question type:
// the counts mirror the long format.

/** Key of result_bases holding the number of completed responses. */
export const TOTAL_KEY = '';

type Statements = ReturnType<typeof prepare>;
const cache = new WeakMap<Db, Statements>();

function prepare(db: Db) {
  return {
    count: db.prepare(
      `INSERT INTO result_counts (question_id, option_code, n) VALUES (?, ?, ?)
       ON CONFLICT (question_id, option_code) DO UPDATE SET n = n + excluded.n`,
    ),
    value: db.prepare(
      `INSERT INTO result_value_counts (question_id, option_code, value, n) VALUES (?, ?, ?, ?)
       ON CONFLICT (question_id, option_code, value) DO UPDATE SET n = n + excluded.n`,
    ),
    base: db.prepare(
      `INSERT INTO result_bases (question_id, n) VALUES (?, ?)
       ON CONFLICT (question_id) DO UPDATE SET n = n + excluded.n`,
    ),
  };
}

function stmts(db: Db): Statements {
  let s = cache.get(db);
  if (!s) cache.set(db, (s = prepare(db)));
  return s;
}

function apply(db: Db, rows: readonly AnswerRow[], sign: 1 | -1) {
  const s = stmts(db);
  const questions = new Set<string>();
  for (const r of rows) {
    s.count.run(r.questionId, r.optionCode, sign);
    if (r.valueNum !== null) s.value.run(r.questionId, r.optionCode, r.valueNum, sign);
    questions.add(r.questionId);
  }
  for (const q of questions) s.base.run(q, sign);
  s.base.run(TOTAL_KEY, sign);
}

/**
 * Adds one completed response (its answer rows, exactly as written to `answers`) to the counts.
 * Call it inside the transaction that completes the response, so the counts can never disagree
 * with the answers: either both are written or neither.
 */
export function recordCompletion(db: Db, rows: readonly AnswerRow[]): void {
  // A savepoint when already inside the completion transaction, a transaction otherwise.
  db.transaction(() => apply(db, rows, 1))();
}

/** The opposite of recordCompletion, for a completed response deleted with its answers. */
export function recordRemoval(db: Db, rows: readonly AnswerRow[]): void {
  db.transaction(() => {
    apply(db, rows, -1);
    pruneZeros(db);
  })();
}

/**
 * Adds (sign 1) or subtracts (sign -1) the answers of the completed responses matching `where`
 * (a condition on `responses AS r`), in three set-based statements.
 */
function applySelection(db: Db, where: string, params: unknown[], sign: 1 | -1) {
  const from = `FROM answers a JOIN responses r ON r.id = a.response_id WHERE r.status = 'complete' AND (${where})`;
  db.prepare(
    `INSERT INTO result_counts (question_id, option_code, n)
     SELECT a.question_id, a.option_code, ${sign} * count(*) ${from} GROUP BY a.question_id, a.option_code
     ON CONFLICT (question_id, option_code) DO UPDATE SET n = n + excluded.n`,
  ).run(...params);
  db.prepare(
    `INSERT INTO result_value_counts (question_id, option_code, value, n)
     SELECT a.question_id, a.option_code, a.value_num, ${sign} * count(*) ${from} AND a.value_num IS NOT NULL
     GROUP BY a.question_id, a.option_code, a.value_num
     ON CONFLICT (question_id, option_code, value) DO UPDATE SET n = n + excluded.n`,
  ).run(...params);
  // Rows of one response and question are adjacent in the primary key: the DISTINCT streams.
  db.prepare(
    `INSERT INTO result_bases (question_id, n)
     SELECT question_id, ${sign} * count(*) FROM (SELECT DISTINCT a.response_id, a.question_id ${from}) WHERE true
     GROUP BY question_id
     ON CONFLICT (question_id) DO UPDATE SET n = n + excluded.n`,
  ).run(...params);
  db.prepare(
    `INSERT INTO result_bases (question_id, n)
     SELECT ?, ${sign} * count(*) FROM responses r WHERE r.status = 'complete' AND (${where})
     ON CONFLICT (question_id) DO UPDATE SET n = n + excluded.n`,
  ).run(TOTAL_KEY, ...params);
}

function pruneZeros(db: Db) {
  db.exec(`DELETE FROM result_counts WHERE n = 0;
           DELETE FROM result_value_counts WHERE n = 0;
           DELETE FROM result_bases WHERE n = 0 AND question_id <> ''`);
}

/**
 * Recomputes every count from the answers: after restoring a backup, importing responses written
 * without recordCompletion, or when checkCounts reports a difference. One transaction; readers see
 * the old or the new counts, never a half-built table.
 */
export function rebuildCounts(db: Db): void {
  db.transaction(() => {
    db.exec('DELETE FROM result_counts; DELETE FROM result_value_counts; DELETE FROM result_bases;');
    applySelection(db, '1', [], 1);
  })();
}

/**
 * Removes from the counts the completed responses matching `where` (on `responses AS r`), before
 * those responses are deleted. Used by removeDemo; call it in the deleting transaction.
 */
export function subtractResponses(db: Db, where: string, params: unknown[] = []): void {
  db.transaction(() => {
    applySelection(db, where, params, -1);
    pruneZeros(db);
  })();
}

/**
 * Cheap consistency check: the stored number of completed responses against the responses table
 * (an index count). A difference means a completion path does not call recordCompletion, or
 * responses were deleted without subtractResponses: rebuildCounts repairs it.
 */
export function countsInSync(db: Db): boolean {
  const stored = (db.prepare('SELECT n FROM result_bases WHERE question_id = ?').get(TOTAL_KEY) as { n: number } | undefined)?.n ?? 0;
  const actual = (db.prepare(`SELECT count(*) AS n FROM responses WHERE status = 'complete'`).get() as { n: number }).n;
  return stored === actual;
}

/** Every difference between the stored counts and the answers (for tests and a repair command). */
export function checkCounts(db: Db): { table: string; key: string; stored: number; actual: number }[] {
  const diffs: { table: string; key: string; stored: number; actual: number }[] = [];
  db.transaction(() => {
    // Build the true counts in temp tables, compare, and roll the temp tables away.
    db.exec(`CREATE TEMP TABLE IF NOT EXISTS check_counts (question_id TEXT, option_code TEXT, n INTEGER);
             CREATE TEMP TABLE IF NOT EXISTS check_values (question_id TEXT, option_code TEXT, value REAL, n INTEGER);
             CREATE TEMP TABLE IF NOT EXISTS check_bases (question_id TEXT, n INTEGER);
             DELETE FROM check_counts; DELETE FROM check_values; DELETE FROM check_bases;`);
    const from = `FROM answers a JOIN responses r ON r.id = a.response_id WHERE r.status = 'complete'`;
    db.exec(`INSERT INTO check_counts SELECT a.question_id, a.option_code, count(*) ${from} GROUP BY 1, 2;
             INSERT INTO check_values SELECT a.question_id, a.option_code, a.value_num, count(*) ${from}
               AND a.value_num IS NOT NULL GROUP BY 1, 2, 3;
             INSERT INTO check_bases SELECT question_id, count(*) FROM (SELECT DISTINCT a.response_id, a.question_id ${from}) GROUP BY 1;
             INSERT INTO check_bases SELECT '', count(*) FROM responses WHERE status = 'complete';`);
    const compare = (table: string, check: string, keys: string[]) => {
      const on = keys.map((k) => `s.${k} IS c.${k}`).join(' AND ');
      const key = keys.map((k) => `coalesce(x.${k}, '')`).join(` || '/' || `);
      const rows = db
        .prepare(
          `SELECT ${key} AS key, stored, actual FROM (
             SELECT ${keys.map((k) => `s.${k}`).join(', ')}, s.n AS stored, coalesce(c.n, 0) AS actual FROM ${table} s LEFT JOIN ${check} c ON ${on}
             UNION ALL
             SELECT ${keys.map((k) => `c.${k}`).join(', ')}, 0, c.n FROM ${check} c WHERE NOT EXISTS (SELECT 1 FROM ${table} s WHERE ${on})
           ) x WHERE stored <> actual`,
        )
        .all() as { key: string; stored: number; actual: number }[];
      for (const r of rows) diffs.push({ table, ...r });
    };
    compare('result_counts', 'check_counts', ['question_id', 'option_code']);
    compare('result_value_counts', 'check_values', ['question_id', 'option_code', 'value']);
    compare('result_bases', 'check_bases', ['question_id']);
    db.exec('DELETE FROM check_counts; DELETE FROM check_values; DELETE FROM check_bases;');
  })();
  return diffs;
}
