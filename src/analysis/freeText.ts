import type { Db } from '../db/connection.js';
import type { Questionnaire } from '../questionnaire/schema.js';
import { otherFieldName } from '../questionnaire/types/common.js';
import { compileFilter, type Filter } from '../results/filters.js';
import { eachQuestion } from '../results/model.js';
import { fr } from '../strings.js';
import { foldedPattern, registerFold } from '../text/sqlFold.js';

// What respondents typed: each free-text question, and each « Autre (précise) » precision, read
// from the long-format answers of completed responses under the results filters.

export type TextSource = {
  /** The export column name: question id, or "<question>__<option>__precision". */
  key: string;
  questionId: string;
  /** '' for a text question; the "other" option's code for a precision. */
  optionCode: string;
  label: string;
  section: string;
};

export function textSources(q: Questionnaire): TextSource[] {
  const out: TextSource[] = [];
  for (const { question, section } of eachQuestion(q)) {
    if (question.type === 'text' || question.type === 'longtext') {
      out.push({ key: question.id, questionId: question.id, optionCode: '', label: question.label, section: section.title });
    } else if (question.type === 'single' || question.type === 'multiple') {
      for (const o of question.options.filter((x) => x.other)) {
        out.push({
          key: otherFieldName(question.id, o.code),
          questionId: question.id,
          optionCode: o.code,
          label: fr.analysis.otherPrecision(question.label, o.label),
          section: section.title,
        });
      }
    }
  }
  return out;
}

export type TextAnswer = { responseId: string; text: string; channel: string | null; hour: string | null };

const NOT_EMPTY = `a.value_text IS NOT NULL AND a.value_text <> ''`;

/** Number of texts per source under the filter (one query for all sources). */
export function countTexts(db: Db, q: Questionnaire, f: Filter): Map<string, number> {
  const sources = textSources(q);
  const c = compileFilter(db, q, f, 'r');
  const rows = db
    .prepare(
      `SELECT a.question_id AS questionId, a.option_code AS optionCode, count(*) AS n
       FROM answers a JOIN responses r ON r.id = a.response_id
       WHERE ${NOT_EMPTY} AND (${sources.map(() => '(a.question_id = ? AND a.option_code = ?)').join(' OR ') || '0'}) AND ${c.where}
       GROUP BY a.question_id, a.option_code`,
    )
    .all(...sources.flatMap((s) => [s.questionId, s.optionCode]), ...c.params) as { questionId: string; optionCode: string; n: number }[];
  const bySource = new Map(rows.map((r) => [`${r.questionId}\u0000${r.optionCode}`, r.n]));
  return new Map(sources.map((s) => [s.key, bySource.get(`${s.questionId}\u0000${s.optionCode}`) ?? 0]));
}

/** One page of texts of a source, newest completion first, optionally containing `search`. */
export function readTexts(
  db: Db,
  q: Questionnaire,
  source: TextSource,
  f: Filter,
  opts: { search?: string; limit: number; offset: number },
): { total: number; answers: TextAnswer[] } {
  registerFold(db);
  const c = compileFilter(db, q, f, 'r');
  const where = [`a.question_id = ?`, `a.option_code = ?`, NOT_EMPTY, c.where];
  const params: (string | number)[] = [source.questionId, source.optionCode, ...c.params];
  if (opts.search) {
    where.push(`fold_fr(a.value_text) LIKE ? ESCAPE '\\'`);
    params.push(foldedPattern(opts.search));
  }
  const from = `FROM answers a JOIN responses r ON r.id = a.response_id WHERE ${where.join(' AND ')}`;
  const total = (db.prepare(`SELECT count(*) AS n ${from}`).get(...params) as { n: number }).n;
  const answers = db
    .prepare(
      `SELECT a.response_id AS responseId, a.value_text AS text, r.channel AS channel, r.completed_hour AS hour ${from}
       ORDER BY r.completed_hour DESC, a.response_id LIMIT ? OFFSET ?`,
    )
    .all(...params, opts.limit, opts.offset) as TextAnswer[];
  return { total, answers };
}
