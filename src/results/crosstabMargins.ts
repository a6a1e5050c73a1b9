import type { Db } from '../db/connection.js';
import type { Questionnaire } from '../questionnaire/schema.js';
import { answeredExpr, codeExpr, joinOf, type CrossVariable } from './crosstab.js';
import { compileFilter, NO_FILTER, type Filter } from './filters.js';

// The margins of a crossed variable over the whole selection (not only those who answered the
// other variable): what the dashboard shows a viewer of the same selection. Disclosure control of
// a crosstab (src/privacy/crosstab.ts) needs them: the difference between a dashboard figure and
// a crosstab total is the cell of those who did not answer the other question.

export type VariableMargins = { answered: number; counts: Map<string, number> };
export type CrosstabMargins = { selection: number; row: VariableMargins; col: VariableMargins };

export function variableMargins(db: Db, q: Questionnaire, v: CrossVariable, filter: Filter = NO_FILTER): VariableMargins {
  const f = compileFilter(db, q, filter, 'r');
  const j = joinOf(v, 'm');
  const c = codeExpr(v, 'm');
  const rows = db
    .prepare(`SELECT code, count(*) AS n FROM (SELECT ${c.sql} AS code FROM responses r ${j.sql} WHERE ${f.where}) WHERE code IS NOT NULL GROUP BY code`)
    .all(...c.params, ...j.params, ...f.params) as { code: string; n: number }[];
  const a = answeredExpr(v);
  const answered = (db.prepare(`SELECT count(*) AS n FROM responses r WHERE ${f.where} AND ${a.sql}`).get(...f.params, ...a.params) as { n: number }).n;
  return { answered, counts: new Map(rows.map((r) => [r.code, r.n])) };
}

export function crosstabMargins(db: Db, q: Questionnaire, row: CrossVariable, col: CrossVariable, filter: Filter = NO_FILTER): CrosstabMargins {
  const f = compileFilter(db, q, filter, 'r');
  const selection = (db.prepare(`SELECT count(*) AS n FROM responses r WHERE ${f.where}`).get(...f.params) as { n: number }).n;
  return { selection, row: variableMargins(db, q, row, filter), col: variableMargins(db, q, col, filter) };
}
