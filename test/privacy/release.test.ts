import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { defaultMigrationsDir } from '../../src/db/connection.js';
import { applyMigrations } from '../../src/db/migrate.js';
import { configureRelease, releasedCounter } from '../../src/privacy/release.js';
import { protectResults } from '../../src/privacy/results.js';
import { computeResults } from '../../src/results/aggregate.js';
import { createResultsCache } from '../../src/results/cache.js';
import { NO_FILTER, parseFilters } from '../../src/results/filters.js';
import { addResponse, FIVE, freshDb, q } from '../results/helpers.js';

const released = (db: Database.Database) => (db.prepare(`SELECT count(*) AS n FROM responses WHERE released = 1`).get() as { n: number }).n;

describe('released responses (migration 011)', () => {
  it('releases completed responses K at a time, whatever path writes them', () => {
    const db = freshDb();
    configureRelease(db, 5);
    const counter = releasedCounter(db);
    const seen: number[] = [];
    for (let i = 0; i < 12; i++) {
      addResponse(db, FIVE[i % 5]);
      seen.push(counter());
    }
    expect(seen).toEqual([0, 0, 0, 0, 5, 5, 5, 5, 5, 10, 10, 10]);
    expect(released(db)).toBe(10);
  });

  it('a draft is never released; K lowered at start releases what it now allows', () => {
    const db = freshDb();
    configureRelease(db, 10);
    for (let i = 0; i < 7; i++) addResponse(db, FIVE[i % 5]);
    db.prepare(`INSERT INTO responses (id, questionnaire_id, questionnaire_version, status, reached_section, started_hour, updated_hour) VALUES ('d', ?, ?, 'draft', 0, '2022-12-01T10', '2022-12-01T10')`).run(q.id, q.version);
    expect(released(db)).toBe(0);
    configureRelease(db, 5);
    expect(released(db)).toBe(7);
    expect(db.prepare(`SELECT released FROM responses WHERE id = 'd'`).pluck(true).get()).toBe(0);
  });

  it('responses completed before the migration are released by it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migr-'));
    const all = fs.readdirSync(defaultMigrationsDir()).filter((f) => f.endsWith('.sql'));
    for (const f of all.filter((f) => f < '011')) fs.copyFileSync(path.join(defaultMigrationsDir(), f), path.join(dir, f));
    const db = new Database(':memory:');
    applyMigrations(db, dir);
    db.prepare(
      `INSERT INTO responses (id, questionnaire_id, questionnaire_version, status, reached_section, started_hour, updated_hour, completed_hour)
       VALUES ('a', ?, ?, 'complete', 4, '2022-12-01T10', '2022-12-01T10', '2022-12-01T10')`,
    ).run(q.id, q.version);
    applyMigrations(db, defaultMigrationsDir());
    expect(db.prepare(`SELECT released FROM responses WHERE id = 'a'`).pluck(true).get()).toBe(1);
    fs.rmSync(dir, { recursive: true });
  });

  it('the unfiltered fast path (running totals minus the unreleased) equals a scan of the released answers', () => {
    const db = freshDb();
    configureRelease(db, 5);
    for (let i = 0; i < 13; i++) addResponse(db, FIVE[i % 5]);
    const filter = { ...NO_FILTER, releasedOnly: true };
    const fast = computeResults(db, q, filter);
    const scan = computeResults(db, q, filter, { source: 'answers' });
    expect(fast.source).toBe('counts');
    expect(fast.responses).toBe(10);
    expect({ ...fast, source: 'answers' }).toEqual(scan);
    // And a filter on top of it counts released responses only.
    const parsed = parseFilters({ 'f.genre': 'feminin' }, q);
    if (!parsed.ok) throw new Error('filtre');
    expect(computeResults(db, q, { ...parsed.filter, releasedOnly: true }).responses).toBe(4);
    expect(computeResults(db, q, parsed.filter).responses).toBe(5);
  });

  it('the protected cache is computed again only when the released set changes', () => {
    const db = freshDb();
    configureRelease(db, 5);
    for (let i = 0; i < 5; i++) addResponse(db, FIVE[i]);
    const cache = createResultsCache(db, q, { stamp: 'released' });
    const filter = { ...NO_FILTER, releasedOnly: true };
    const first = cache.get(filter);
    addResponse(db, FIVE[0]);
    expect(cache.get(filter)).toBe(first);
    expect(cache.stats).toEqual({ hits: 1, misses: 1 });
    for (let i = 1; i < 5; i++) addResponse(db, FIVE[i]);
    expect(cache.get(filter).responses).toBe(10);
    expect(cache.stats.misses).toBe(2);
    // A released response deleted moves the stamp too.
    db.prepare(`DELETE FROM responses WHERE id = (SELECT id FROM responses WHERE released = 1 LIMIT 1)`).run();
    cache.get(filter);
    expect(cache.stats.misses).toBe(3);
  });
});

describe('protectResults on the results model', () => {
  it('withholds a selection under K, keeps a selection of K', () => {
    const db = freshDb();
    configureRelease(db, 5);
    for (let i = 0; i < 4; i++) addResponse(db, FIVE[i]);
    const four = protectResults(computeResults(db, q), 5);
    expect(four.responses).toBeNull();
    expect(four.questions).toEqual([]);
    expect(four.disclosure?.withheld).toMatch(/^Moins de 5 réponses/);
    addResponse(db, FIVE[4]);
    const five = protectResults(computeResults(db, q), 5);
    expect(five.responses).toBe(5);
    // Five different people: every genre cell is small, so all are hidden, and the percentages.
    const genre = five.questions.find((x) => x.id === 'genre')!.tables[0];
    expect(genre.options.every((o) => o.count === null || o.count === 0)).toBe(true);
    // A grid statement answered by 3 of the 5: the « sans réponse » (2) is small, so the base
    // goes, and with it every percentage.
    const fierte = five.questions.find((x) => x.id === 'opinions_territoire')!.tables.find((t) => t.id === 'opinions_territoire__fierte')!;
    expect(fierte.base).toBeNull();
    expect(fierte.options.every((o) => o.percent === null)).toBe(true);
  });
});

describe('the workshop facilitator’s « à côté, le questionnaire » goes through the same rules', () => {
  it('shows « moins de 5 » for a small survey cell and nothing for a withheld selection', async () => {
    const { surveyComparison } = await import('../../src/workshops/comparison.js');
    const db = freshDb();
    configureRelease(db, 5);
    for (let i = 0; i < 5; i++) addResponse(db, FIVE[i]);
    const activity = {
      position: 1,
      type: 'poll' as const,
      prompt: 'Genre',
      config: { multiple: false, questionId: 'genre', options: [{ code: 'feminin', label: 'Féminin' }] },
      state: 'open' as const,
      revealed: true,
      premoderation: false,
    };
    const room = { type: 'poll' as const, answered: 10, options: [{ code: 'feminin', label: 'Féminin', count: 4, percent: 40 }] };
    const published = protectResults(computeResults(db, q, { ...NO_FILTER, releasedOnly: true }), 5);
    // Two women among five: a small cell.
    expect(surveyComparison(activity, room, published)?.rows).toEqual([{ label: 'Féminin', room: '40,0 %', survey: 'moins de 5' }]);
    // Fewer than K released responses: nothing is set beside.
    const four = freshDb();
    configureRelease(four, 5);
    for (let i = 0; i < 4; i++) addResponse(four, FIVE[i]);
    expect(surveyComparison(activity, room, protectResults(computeResults(four, q, { ...NO_FILTER, releasedOnly: true }), 5))).toBeUndefined();
  });
});
