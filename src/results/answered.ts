import type { Db } from '../db/connection.js';
import type { Questionnaire } from '../questionnaire/schema.js';
import type { AnswerRow } from '../questionnaire/types/common.js';

// Maintains answered_questions (migration 005): for each completed response, the multiple-choice
// questions it answered. Results under a filter read it for the bases of those questions.

const flagKey = (q: Questionnaire) => `answered_questions:${q.id}@${q.version}`;

export function multipleQuestionIds(q: Questionnaire): Set<string> {
  return new Set(q.sections.flatMap((s) => s.questions.filter((x) => x.type === 'multiple').map((x) => x.id)));
}

/** Call in the transaction that writes a completed response's answers. */
export function recordAnswered(db: Db, responseId: string, rows: readonly AnswerRow[], multiple: ReadonlySet<string>) {
  const insert = db.prepare('INSERT OR IGNORE INTO answered_questions (response_id, question_id) VALUES (?, ?)');
  const seen = new Set<string>();
  for (const r of rows) {
    if (multiple.has(r.questionId) && !seen.has(r.questionId)) {
      seen.add(r.questionId);
      insert.run(responseId, r.questionId);
    }
  }
}

/** Recomputes the table from the answers and marks it as complete for this questionnaire version. */
export function rebuildAnswered(db: Db, q: Questionnaire) {
  const ids = [...multipleQuestionIds(q)];
  db.transaction(() => {
    db.exec('DELETE FROM answered_questions');
    if (ids.length) {
      db.prepare(
        `INSERT INTO answered_questions (response_id, question_id)
         SELECT DISTINCT a.response_id, a.question_id FROM answers a JOIN responses r ON r.id = a.response_id
         WHERE r.status = 'complete' AND a.question_id IN (${ids.map(() => '?').join(', ')})`,
      ).run(...ids);
    }
    db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(flagKey(q), 'ok');
  })();
}

/** Fills the table once per questionnaire version (at start); afterwards completions maintain it. */
export function ensureAnswered(db: Db, q: Questionnaire) {
  if (!answeredReady(db, q)) rebuildAnswered(db, q);
}

/** Whether the table can be trusted for this questionnaire (else results use per-response lookups). */
export function answeredReady(db: Db, q: Questionnaire): boolean {
  return db.prepare('SELECT 1 FROM settings WHERE key = ?').get(flagKey(q)) !== undefined;
}
