import { beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/connection.js';
import { computeResults, type ResultsOptions } from '../../src/results/aggregate.js';
import { answerKeys, answeredReady, ensureAnswered, MAX_KEY_ID, rebuildAnswered, recordAnswered, summaryCounts } from '../../src/results/answered.js';
import { compileFilter } from '../../src/results/filters.js';
import { parseFilters } from '../../src/results/filters.js';
import { generateDemo, removeDemo } from '../../src/demo/demo.js';
import { territory } from '../../src/territory/communes.js';
import { addResponse, FIVE, freshDb, q } from './helpers.js';

// The per-response summaries (migration 006) against the answers table, read by the older,
// independent path (answersFrom: 'table': grouped SQL over the answer rows, per-response lookups
// for the multiple-choice bases).

const filterOf = (query: Record<string, string | string[]>) => {
  const r = parseFilters(query, q);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.filter;
};
const communeName = (insee: string) => territory().byInsee.get(insee)?.name;
/** The ids of a summary blob. */
const idsOf = (codes: Buffer) => Array.from({ length: codes.length / 2 }, (_, i) => codes.readUInt16LE(i * 2));

const FILTERS: Record<string, string | string[]>[] = [
  { 'f.genre': 'feminin' },
  { 'f.genre': 'masculin', 'f.commune__epci': 'call' },
  { channel: 'lycee-carnot' },
  { channel: ['lycee-carnot', 'iut-lens'], from: '2022-12-01', to: '2022-12-31', 'f.genre': 'masculin' },
  { 'f.convaincre_industrie': ['rien', 'salaires'] },
  { 'f.age__groupe': 'mineurs_15_17' },
  { 'f.attentes_emploi': 'salaire', 'f.opinions_territoire__fierte': ['accord', 'plutot_accord'] },
  { from: '2023-01-01' },
  { exclude_flagged: '1' },
  { exclude_flagged: '1', 'f.genre': 'feminin' },
  { 'f.genre': 'autre', 'f.commune__epci': 'cahc', channel: 'plie' }, // probably nobody
];

/** Whether the summaries alone can answer this filter (else the results read the answers table). */
function fromSummaries(db: Db, query: Record<string, string | string[]>) {
  const f = compileFilter(db, q, filterOf(query));
  return db.transaction(() => summaryCounts(db, f.where, f.params, (sql) => db.prepare(sql)))();
}

/** Every figure of every filter, from the summaries and from the answers table: equal. */
function expectSameFromBoth(db: Db) {
  for (const query of FILTERS) {
    const f = filterOf(query);
    const fromSummary = computeResults(db, q, f, { communeName });
    const fromTable = computeResults(db, q, f, { communeName, answersFrom: 'table' });
    expect(fromSummary, JSON.stringify(query)).toEqual(fromTable);
  }
  const all: ResultsOptions = { communeName, source: 'answers' };
  expect(computeResults(db, q, undefined, all)).toEqual(computeResults(db, q, undefined, { ...all, answersFrom: 'table' }));
  // And both equal the running totals.
  expect({ ...computeResults(db, q, undefined, all), source: 'counts' }).toEqual(computeResults(db, q, undefined, { communeName }));
}

describe('per-response summaries of the answers', () => {
  let db: Db;
  beforeAll(() => {
    db = freshDb();
    generateDemo(db, { count: 400, seed: 3 });
    db.prepare(`UPDATE responses SET flagged = 1 WHERE id IN (SELECT id FROM responses WHERE status = 'complete' ORDER BY id LIMIT 9)`).run();
  });

  it('are written with each completion and give exactly the figures of the answers table', () => {
    expect(answeredReady(db)).toBe(true);
    expect(db.prepare('SELECT count(*) AS n FROM response_codes').get()).toEqual({ n: 400 });
    const some = computeResults(db, q, filterOf(FILTERS[0]));
    expect(some.responses).toBeGreaterThan(100);
    // The summaries really are what answers these (no silent fallback).
    for (const query of FILTERS) expect(fromSummaries(db, query)?.total, JSON.stringify(query)).toBe(computeResults(db, q, filterOf(query)).responses);
    expectSameFromBoth(db);
  });

  it('a rebuild from the answers writes the same summaries, with the same dictionary', () => {
    // The same ids per response (in the order of the answers' key rather than of the form).
    const codes = () =>
      (db.prepare('SELECT response_id, codes FROM response_codes ORDER BY 1').raw().all() as [string, Buffer][]).map(([id, c]) => [id, idsOf(c).sort((a, b) => a - b)]);
    const keys = () => db.prepare('SELECT * FROM answer_keys ORDER BY id').all();
    const [before, keysBefore] = [codes(), keys()];
    db.exec('DELETE FROM response_codes');
    expect(answeredReady(db)).toBe(false);
    ensureAnswered(db);
    expect(answeredReady(db)).toBe(true);
    expect(codes()).toEqual(before);
    expect(keys()).toEqual(keysBefore);
  });

  it('falls back to the answers table when a selected response has no summary', () => {
    const id = (db.prepare(`SELECT id FROM responses WHERE status = 'complete' ORDER BY id LIMIT 1 OFFSET 20`).get() as { id: string }).id;
    const kept = db.prepare('SELECT codes FROM response_codes WHERE response_id = ?').pluck().get(id);
    db.prepare('DELETE FROM response_codes WHERE response_id = ?').run(id);
    expect(fromSummaries(db, {})).toBeNull();
    expectSameFromBoth(db);
    // A summary that names an id the dictionary does not have: the answers table too.
    const unknown = answerKeys(db)!.dense.indexOf(-1, 1);
    db.prepare('INSERT INTO response_codes (response_id, codes) VALUES (?, ?)').run(id, Buffer.from([unknown & 0xff, unknown >> 8]));
    expect(fromSummaries(db, {})).toBeNull();
    expectSameFromBoth(db);
    db.prepare('UPDATE response_codes SET codes = ? WHERE response_id = ?').run(kept, id);
  });

  it('follow new completions and deletions (foreign key cascade)', () => {
    generateDemo(db, { count: 60, seed: 4, drafts: 0 });
    addResponse(db, FIVE[4], q);
    expectSameFromBoth(db);
    removeDemo(db);
    expect(db.prepare('SELECT count(*) AS n FROM response_codes').get()).toEqual({ n: 1 });
    expectSameFromBoth(db);
  });
});

describe('the dictionary of answer keys', () => {
  it('grows with new values; a rolled-back completion takes its new keys back', () => {
    const db = freshDb();
    addResponse(db, FIVE[0]);
    const size = answerKeys(db)!.size;
    // Age 33 and the Liévin commune are new keys; the completion fails after writing them.
    expect(() =>
      db.transaction(() => {
        const id = addResponse(db, { ...FIVE[4], answers: { ...FIVE[4].answers, 1: { ...FIVE[4].answers[1], age: '33' } } });
        expect(answerKeys(db)!.size).toBeGreaterThan(size);
        throw new Error(`panne après ${id}`);
      })(),
    ).toThrow('panne');
    expect(answerKeys(db)!.size).toBe(size);
    expect(answerKeys(db)!.ids.get('age')?.get('')?.has(33)).toBe(false);
    // New keys again (age 12, another commune): each is read back as itself.
    addResponse(db, { ...FIVE[3], answers: { ...FIVE[3].answers, 1: { ...FIVE[3].answers[1], age: '12' } } });
    addResponse(db, FIVE[1]);
    expectSameFromBoth(db);
    const age = computeResults(db, q, filterOf({ 'f.genre': ['feminin', 'masculin'] })).questions.find((x) => x.id === 'age')!;
    expect(age.stats).toMatchObject({ count: 3, min: 12, max: 17 });
  });

  it('when every id is taken, a response gets no summary and is read from the answers', () => {
    const db = freshDb();
    addResponse(db, FIVE[0]);
    db.prepare(
      `WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
       INSERT INTO answer_keys (id, question_id, option_code, value_num)
       SELECT i, 'x', 'k' || i, NULL FROM n WHERE i NOT IN (SELECT id FROM answer_keys)`,
    ).run(MAX_KEY_ID);
    addResponse(db, FIVE[2]); // has keys FIVE[0] did not: no id left for them
    expect(db.prepare('SELECT count(*) AS n FROM response_codes').get()).toEqual({ n: 1 });
    expect(answeredReady(db)).toBe(false);
    expectSameFromBoth(db);
    expect(computeResults(db, q, filterOf({ 'f.genre': 'masculin' })).responses).toBe(1);
    // A rebuild cannot do better: it leaves that summary out rather than write a wrong one.
    rebuildAnswered(db);
    expect(db.prepare('SELECT count(*) AS n FROM response_codes').get()).toEqual({ n: 1 });
    expectSameFromBoth(db);
  });

  it('recordAnswered writes the ids of exactly the rows it is given', () => {
    const db = freshDb();
    const id = addResponse(db, FIVE[2]);
    const rows = db.prepare('SELECT question_id AS questionId, option_code AS optionCode, value_text AS valueText, value_num AS valueNum FROM answers WHERE response_id = ?').all(id) as Parameters<typeof recordAnswered>[2];
    const ids = idsOf(db.prepare('SELECT codes FROM response_codes WHERE response_id = ?').pluck().get(id) as Buffer);
    expect(ids).toHaveLength(rows.length);
    const keys = answerKeys(db)!;
    const decoded = ids.map((k) => {
      const d = keys.dense[k];
      return `${keys.question[d]}/${keys.option[d]}/${keys.value[d] ?? ''}`;
    });
    expect(decoded.sort()).toEqual(rows.map((r) => `${r.questionId}/${r.optionCode}/${r.valueNum ?? ''}`).sort());
    // Drawn at random, not in order of first appearance (which would tell this was the first response).
    expect([...ids].sort((a, b) => a - b)).not.toEqual(ids.map((_, i) => i + 1));
    expect(Math.max(...ids)).toBeGreaterThan(1000);
    recordAnswered(db, id, rows.slice(1));
    expect((db.prepare('SELECT codes FROM response_codes WHERE response_id = ?').pluck().get(id) as Buffer).length).toBe(2 * (rows.length - 1));
  });
});
