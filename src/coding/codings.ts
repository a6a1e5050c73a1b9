import crypto from 'node:crypto';
import type { TextSource } from '../analysis/freeText.js';
import type { Db } from '../db/connection.js';
import type { Questionnaire } from '../questionnaire/schema.js';
import { compileFilter, type Filter } from '../results/filters.js';

// The codings of one text source (migration 017): which answers a coder has coded, with which
// themes, and which answer comes next. Coder '' is the reference coding the results use; a staff
// user id is an independent coding of the sample, for the agreement.
//
// The answers of a source are the non-empty texts of completed responses. The coding screen walks
// them in response id order (random ids: no order of arrival, no commune grouped together), the
// uncoded ones first; the independent coding walks a sample in a fixed pseudo-random order.

export const REFERENCE = '';

export type Coding = { codes: string[]; uncodable: boolean };

/** Which answers the screen walks: the results filters, or the first `size` of the sample. */
export type Scope = { kind: 'filter'; filter: Filter } | { kind: 'sample'; size: number };

const TEXT = `a.value_text IS NOT NULL AND a.value_text <> ''`;
const CODED = `EXISTS (SELECT 1 FROM codings c WHERE c.source = ? AND c.coder = ? AND c.response_id = a.response_id)`;

function answersFrom(db: Db, q: Questionnaire, source: TextSource, filter: Filter) {
  const c = compileFilter(db, q, filter, 'r');
  const where = `WHERE a.question_id = ? AND a.option_code = ? AND ${TEXT} AND ${c.where}`;
  return {
    where,
    sql: `FROM answers a JOIN responses r ON r.id = a.response_id ${where}`,
    params: [source.questionId, source.optionCode, ...c.params] as (string | number)[],
  };
}

/** The text of one answer of the source (completed responses only), or undefined. */
export function answerText(db: Db, source: TextSource, responseId: string): string | undefined {
  const row = db
    .prepare(`SELECT a.value_text AS text FROM answers a JOIN responses r ON r.id = a.response_id WHERE a.response_id = ? AND a.question_id = ? AND a.option_code = ? AND r.status = 'complete' AND ${TEXT}`)
    .get(responseId, source.questionId, source.optionCode) as { text: string } | undefined;
  return row?.text;
}

// The sample: every answer of the source ranked by a hash of (source, response id). The order does
// not depend on when answers arrived or on who asks, so two coders get the same sample, and a
// sample of 50 is the first half of the sample of 100. Cached per source until answers change.
const sampleCache = new WeakMap<Db, Map<string, { count: number; last: string; ids: string[] }>>();

export function sampleOrder(db: Db, source: TextSource): string[] {
  const stats = db
    .prepare(`SELECT count(*) AS n, coalesce(max(a.response_id), '') AS last FROM answers a JOIN responses r ON r.id = a.response_id WHERE a.question_id = ? AND a.option_code = ? AND ${TEXT} AND r.status = 'complete'`)
    .get(source.questionId, source.optionCode) as { n: number; last: string };
  let bySource = sampleCache.get(db);
  if (!bySource) sampleCache.set(db, (bySource = new Map()));
  const cached = bySource.get(source.key);
  if (cached && cached.count === stats.n && cached.last === stats.last) return cached.ids;
  const rows = db
    .prepare(`SELECT a.response_id AS id FROM answers a JOIN responses r ON r.id = a.response_id WHERE a.question_id = ? AND a.option_code = ? AND ${TEXT} AND r.status = 'complete'`)
    .all(source.questionId, source.optionCode) as { id: string }[];
  const ranked = rows.map((r) => ({ id: r.id, rank: crypto.createHash('sha256').update(`${source.key}\u0000${r.id}`).digest('hex') }));
  ranked.sort((x, y) => (x.rank < y.rank ? -1 : x.rank > y.rank ? 1 : 0));
  const ids = ranked.map((r) => r.id);
  bySource.set(source.key, { count: stats.n, last: stats.last, ids });
  return ids;
}

export function sampleIds(db: Db, source: TextSource, size: number): string[] {
  return sampleOrder(db, source).slice(0, Math.max(0, size));
}

function codedSet(db: Db, source: TextSource, coder: string): Set<string> {
  return new Set((db.prepare('SELECT response_id AS id FROM codings WHERE source = ? AND coder = ?').all(source.key, coder) as { id: string }[]).map((r) => r.id));
}

export type Progress = { total: number; coded: number; uncodable: number };

/** How many answers of the scope there are, and how many the coder has coded. */
export function progress(db: Db, q: Questionnaire, source: TextSource, scope: Scope, coder: string): Progress {
  if (scope.kind === 'sample') {
    const ids = sampleIds(db, source, scope.size);
    const rows = new Map((db.prepare('SELECT response_id AS id, uncodable FROM codings WHERE source = ? AND coder = ?').all(source.key, coder) as { id: string; uncodable: number }[]).map((r) => [r.id, r.uncodable]));
    let coded = 0;
    let uncodable = 0;
    for (const id of ids) {
      const u = rows.get(id);
      if (u !== undefined) coded++;
      if (u === 1) uncodable++;
    }
    return { total: ids.length, coded, uncodable };
  }
  const from = answersFrom(db, q, source, scope.filter);
  const row = db
    .prepare(
      `SELECT count(*) AS total, coalesce(sum(c.response_id IS NOT NULL), 0) AS coded, coalesce(sum(c.uncodable), 0) AS uncodable
       FROM answers a JOIN responses r ON r.id = a.response_id
       LEFT JOIN codings c ON c.source = ? AND c.coder = ? AND c.response_id = a.response_id
       ${from.where}`,
    )
    .get(source.key, coder, ...from.params) as Progress;
  return row;
}

/**
 * The next answer to code in the scope: the first uncoded one after `after` (in the screen's
 * order), wrapping round; never `after` itself. Undefined when every answer is coded.
 */
export function nextToCode(db: Db, q: Questionnaire, source: TextSource, scope: Scope, coder: string, after?: string): string | undefined {
  if (scope.kind === 'sample') {
    const ids = sampleIds(db, source, scope.size);
    const done = codedSet(db, source, coder);
    const start = after ? ids.indexOf(after) + 1 : 0;
    for (let k = 0; k < ids.length; k++) {
      const id = ids[(start + k) % ids.length];
      if (id !== after && !done.has(id)) return id;
    }
    return undefined;
  }
  const from = answersFrom(db, q, source, scope.filter);
  const find = (extra: string, params: string[]) =>
    (db.prepare(`SELECT a.response_id AS id ${from.sql} AND NOT ${CODED} ${extra} ORDER BY a.response_id LIMIT 1`).get(...from.params, source.key, coder, ...params) as { id: string } | undefined)?.id;
  if (after) return find('AND a.response_id > ?', [after]) ?? find('AND a.response_id <> ?', [after]);
  return find('', []);
}

/** The answer before `id` in the screen's order (coded or not), for « Précédente ». */
export function previousInScope(db: Db, q: Questionnaire, source: TextSource, scope: Scope, id: string): string | undefined {
  if (scope.kind === 'sample') {
    const ids = sampleIds(db, source, scope.size);
    const i = ids.indexOf(id);
    return i > 0 ? ids[i - 1] : undefined;
  }
  const from = answersFrom(db, q, source, scope.filter);
  return (db.prepare(`SELECT a.response_id AS id ${from.sql} AND a.response_id < ? ORDER BY a.response_id DESC LIMIT 1`).get(...from.params, id) as { id: string } | undefined)?.id;
}

export function readCoding(db: Db, source: string, coder: string, responseId: string): Coding | undefined {
  const row = db.prepare('SELECT uncodable FROM codings WHERE source = ? AND coder = ? AND response_id = ?').get(source, coder, responseId) as { uncodable: number } | undefined;
  if (!row) return undefined;
  const codes = (db
    .prepare(
      `SELECT ct.code FROM coding_themes ct JOIN themes t ON t.source = ct.source AND t.code = ct.code
       WHERE ct.source = ? AND ct.coder = ? AND ct.response_id = ? ORDER BY t.position, t.code`,
    )
    .all(source, coder, responseId) as { code: string }[]).map((r) => r.code);
  return { codes, uncodable: row.uncodable === 1 };
}

/** Every coding of a coder for a source: response id → coding. */
export function readCodings(db: Db, source: string, coder: string): Map<string, Coding> {
  const out = new Map<string, Coding>();
  for (const r of db.prepare('SELECT response_id AS id, uncodable FROM codings WHERE source = ? AND coder = ?').all(source, coder) as { id: string; uncodable: number }[]) {
    out.set(r.id, { codes: [], uncodable: r.uncodable === 1 });
  }
  for (const r of db
    .prepare(
      `SELECT ct.response_id AS id, ct.code FROM coding_themes ct JOIN themes t ON t.source = ct.source AND t.code = ct.code
       WHERE ct.source = ? AND ct.coder = ? ORDER BY t.position, t.code`,
    )
    .all(source, coder) as { id: string; code: string }[]) {
    out.get(r.id)?.codes.push(r.code);
  }
  return out;
}

/**
 * Writes one coding (replacing the coder's previous one for that answer). Themes must be codes of
 * the source's codebook; an uncodable answer carries no theme.
 */
export function saveCoding(db: Db, source: string, coder: string, responseId: string, coding: Coding): void {
  db.transaction(() => {
    db.prepare(
      `INSERT INTO codings (source, coder, response_id, uncodable) VALUES (?, ?, ?, ?)
       ON CONFLICT (source, coder, response_id) DO UPDATE SET uncodable = excluded.uncodable`,
    ).run(source, coder, responseId, coding.uncodable ? 1 : 0);
    db.prepare('DELETE FROM coding_themes WHERE source = ? AND coder = ? AND response_id = ?').run(source, coder, responseId);
    if (!coding.uncodable) {
      const insert = db.prepare('INSERT OR IGNORE INTO coding_themes (source, coder, response_id, code) VALUES (?, ?, ?, ?)');
      for (const code of coding.codes) insert.run(source, coder, responseId, code);
    }
  })();
}

/** Takes a coding back: the answer is « à coder » again for that coder. */
export function clearCoding(db: Db, source: string, coder: string, responseId: string): void {
  db.prepare('DELETE FROM codings WHERE source = ? AND coder = ? AND response_id = ?').run(source, coder, responseId);
}

/** Answers coded and left to code per source, for the reference coder (one query). */
export function codedCounts(db: Db, coder = REFERENCE): Map<string, { coded: number; uncodable: number }> {
  const rows = db
    .prepare(
      `SELECT c.source, count(*) AS coded, sum(c.uncodable) AS uncodable FROM codings c JOIN responses r ON r.id = c.response_id
       WHERE c.coder = ? AND r.status = 'complete' GROUP BY c.source`,
    )
    .all(coder) as { source: string; coded: number; uncodable: number }[];
  return new Map(rows.map((r) => [r.source, { coded: r.coded, uncodable: r.uncodable }]));
}

export type ListedAnswer = { responseId: string; text: string; coding?: Coding };

/**
 * One page of the source's answers under the filter with the coder's coding, optionally only
 * those carrying a theme, uncoded ones, or uncodable ones: what « revenir sur un codage » lists.
 */
export function listAnswers(
  db: Db,
  q: Questionnaire,
  source: TextSource,
  filter: Filter,
  coder: string,
  opts: { show: 'all' | 'uncoded' | 'uncodable' | 'none' | { theme: string }; limit: number; offset: number },
): { total: number; answers: ListedAnswer[] } {
  const from = answersFrom(db, q, source, filter);
  let extra = '';
  const params: (string | number)[] = [...from.params];
  if (opts.show === 'uncoded') {
    extra = `AND NOT ${CODED}`;
    params.push(source.key, coder);
  } else if (opts.show === 'uncodable') {
    extra = 'AND EXISTS (SELECT 1 FROM codings c WHERE c.source = ? AND c.coder = ? AND c.response_id = a.response_id AND c.uncodable = 1)';
    params.push(source.key, coder);
  } else if (opts.show === 'none') {
    extra = `AND EXISTS (SELECT 1 FROM codings c WHERE c.source = ? AND c.coder = ? AND c.response_id = a.response_id AND c.uncodable = 0
               AND NOT EXISTS (SELECT 1 FROM coding_themes ct WHERE ct.source = c.source AND ct.coder = c.coder AND ct.response_id = c.response_id))`;
    params.push(source.key, coder);
  } else if (typeof opts.show === 'object') {
    extra = 'AND EXISTS (SELECT 1 FROM coding_themes ct WHERE ct.source = ? AND ct.coder = ? AND ct.response_id = a.response_id AND ct.code = ?)';
    params.push(source.key, coder, opts.show.theme);
  }
  const total = (db.prepare(`SELECT count(*) AS n ${from.sql} ${extra}`).get(...params) as { n: number }).n;
  const rows = db.prepare(`SELECT a.response_id AS responseId, a.value_text AS text ${from.sql} ${extra} ORDER BY a.response_id LIMIT ? OFFSET ?`).all(...params, opts.limit, opts.offset) as ListedAnswer[];
  for (const r of rows) r.coding = readCoding(db, source.key, coder, r.responseId);
  return { total, answers: rows };
}
