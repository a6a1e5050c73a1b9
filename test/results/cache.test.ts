import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/connection.js';
import { computeResults } from '../../src/results/aggregate.js';
import { createResultsCache, filterKey } from '../../src/results/cache.js';
import { rebuildCounts } from '../../src/results/counts.js';
import { generateDemo, removeDemo } from '../../src/demo/demo.js';
import { parseFilters } from '../../src/results/filters.js';
import { completeSurvey, formBody, makeApp, Respondent, validAnswers } from '../helpers.js';
import { addStaff, signIn } from '../staff/helpers.js';
import { addDraft, addResponse, FIVE, freshDb, q } from './helpers.js';

const filterOf = (query: Record<string, string | string[]>) => {
  const r = parseFilters(query, q);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.filter;
};

describe('cache of results per filter', () => {
  it('computes a filter once, then serves the same figures until the data changes', () => {
    const db = freshDb();
    generateDemo(db, { count: 120, seed: 5 });
    const cache = createResultsCache(db, q);
    const f = filterOf({ 'f.genre': 'feminin', channel: 'lycee-carnot' });
    const first = cache.get(f);
    expect(first).toEqual(computeResults(db, q, f));
    expect(cache.get(f)).toBe(first);
    expect(cache.get(filterOf({ channel: 'lycee-carnot', 'f.genre': 'feminin' }))).toBe(first);
    expect(cache.stats).toEqual({ hits: 2, misses: 1 });
    // Drafts (new, saved, abandoned) do not touch the results: still cached.
    const draft = addDraft(db, 1);
    db.prepare(`UPDATE responses SET reached_section = 2, updated_hour = '2022-12-02T10' WHERE id = ?`).run(draft);
    db.prepare('DELETE FROM responses WHERE id = ?').run(draft);
    expect(cache.get(f)).toBe(first);
  });

  it('the same values in another order are the same entry; the caller gets its own filter back', () => {
    const db = freshDb();
    addResponse(db, FIVE[0]);
    const cache = createResultsCache(db, q);
    const a = filterOf({ 'f.genre': ['feminin', 'autre'], channel: ['iut-lens', 'lycee-carnot'] });
    const b = filterOf({ channel: ['lycee-carnot', 'iut-lens'], 'f.genre': ['autre', 'feminin'] });
    expect(filterKey(a)).toBe(filterKey(b));
    expect(filterKey(a)).not.toBe(filterKey(filterOf({ 'f.genre': 'feminin' })));
    expect(filterKey(filterOf({ from: '2022-12-01' }))).not.toBe(filterKey(filterOf({ to: '2022-12-01' })));
    const ra = cache.get(a);
    const rb = cache.get(b);
    expect(cache.stats.misses).toBe(1);
    expect(rb.filter).toBe(b);
    expect({ ...rb, filter: a }).toEqual(ra);
  });

  it('is emptied by a completion, a deletion, a flag or unflag, and a wipe of the campaign', () => {
    const db = freshDb();
    const ids = [addResponse(db, FIVE[0]), addResponse(db, FIVE[1])];
    const cache = createResultsCache(db, q);
    const f = filterOf({ exclude_flagged: '1', 'f.genre': ['feminin', 'masculin', 'autre', 'non_reponse'] });
    const n = () => cache.get(f).responses;
    expect(n()).toBe(2);

    addResponse(db, FIVE[2]);
    expect(n()).toBe(3);
    db.prepare('UPDATE responses SET flagged = 1 WHERE id = ?').run(ids[0]);
    expect(n()).toBe(2);
    // Only « exclude flagged »: the running totals minus the flagged responses, cached too.
    expect(cache.get(filterOf({ exclude_flagged: '1' })).responses).toBe(2);
    db.prepare('UPDATE responses SET flagged = 0 WHERE id = ?').run(ids[0]);
    expect(n()).toBe(3);
    expect(cache.get(filterOf({ exclude_flagged: '1' })).responses).toBe(3);

    generateDemo(db, { count: 30, seed: 1, drafts: 0 });
    expect(n()).toBe(33);
    removeDemo(db);
    expect(n()).toBe(3);
    db.prepare('DELETE FROM responses WHERE id = ?').run(ids[1]); // answers cascade
    rebuildCounts(db);
    expect(n()).toBe(2);

    // The campaign's « supprimer les réponses » (src/staff/routes.ts).
    db.transaction(() => {
      db.prepare('DELETE FROM answers').run();
      db.prepare('DELETE FROM draft_sections').run();
      db.prepare('DELETE FROM responses').run();
      rebuildCounts(db);
    })();
    expect(n()).toBe(0);
    // Every one of those reads above was a new computation.
    expect(cache.stats).toEqual({ hits: 0, misses: 10 });
    expect(n()).toBe(0);
    expect(cache.stats.hits).toBe(1);
  });

  it('sees changes made by another connection (another process) to the same database', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'avenir-cache-'));
    try {
      const file = path.join(dir, 'a.db');
      const server = openDatabase(file);
      const other = openDatabase(file);
      addResponse(server, FIVE[0]);
      const cache = createResultsCache(server, q);
      const f = filterOf({ 'f.genre': ['feminin', 'masculin'] });
      expect(cache.get(f).responses).toBe(1);
      addResponse(other, FIVE[1]);
      expect(cache.get(f).responses).toBe(2);
      other.prepare('UPDATE responses SET flagged = 1').run();
      expect(cache.get(filterOf({ 'f.genre': ['feminin', 'masculin'], exclude_flagged: '1' })).responses).toBe(0);
      other.close();
      server.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps at most `max` filters, dropping the least recently used', () => {
    const db = freshDb();
    addResponse(db, FIVE[0]);
    const cache = createResultsCache(db, q, { max: 50 });
    const days = Array.from({ length: 60 }, (_, i) => new Date(Date.UTC(2022, 10, 1 + i)).toISOString().slice(0, 10));
    const first = cache.get(filterOf({ from: days[0] }));
    for (const d of days.slice(1, 50)) cache.get(filterOf({ from: d }));
    expect(cache.size).toBe(50);
    expect(cache.get(filterOf({ from: days[0] }))).toBe(first); // used again: now the most recent
    for (const d of days.slice(50)) cache.get(filterOf({ from: d }));
    expect(cache.size).toBe(50);
    expect(cache.get(filterOf({ from: days[0] }))).toBe(first);
    const misses = cache.stats.misses;
    cache.get(filterOf({ from: days[1] })); // the oldest, gone
    expect(cache.stats.misses).toBe(misses + 1);
    expect(cache.size).toBe(50);
  });
});

describe('the dashboard and the JSON API read through the cache', () => {
  it('a completion and a lifted flag show at once; repeated views are not recomputed', async () => {
    const { app, db } = makeApp();
    const bot = new Respondent(app);
    await bot.post(1, { ...validAnswers[1], website: 'https://spam.example' }); // honeypot: flagged
    for (const s of [2, 3, 4]) await bot.post(s, validAnswers[s]);
    await addStaff(db, 'ana@example.org', 'analyst');
    const { agent } = await signIn(app, 'ana@example.org');
    const url = '/api/results.json?f.genre=feminin&exclude_flagged=1';
    const responses = async () => (await agent.get(url).expect(200)).body.responses as number;
    const version = () => db.prepare('SELECT n FROM results_version').pluck().get() as number;

    expect(await responses()).toBe(0);
    await completeSurvey(new Respondent(app));
    expect(await responses()).toBe(1);

    // Served from the cache: an edit behind the application's back (answers only, which no
    // application path does) is not seen until the version moves.
    const v = version();
    db.prepare(`UPDATE answers SET option_code = 'masculin' WHERE question_id = 'genre'`).run();
    expect(await responses()).toBe(1);
    expect((await agent.get('/resultats/identite?exclude_flagged=1&f.genre=feminin')).status).toBe(200);
    expect(version()).toBe(v);
    db.prepare(`UPDATE answers SET option_code = 'feminin' WHERE question_id = 'genre'`).run();

    const page = await agent.get('/analyse/signalements');
    const id = (db.prepare('SELECT id FROM responses WHERE flagged = 1').get() as { id: string }).id;
    const csrf = page.text.match(/name="_csrf" value="([^"]+)"/)![1];
    await agent.post(`/analyse/signalements/${id}/lever`).type('form').send(formBody({ _csrf: csrf })).expect(303);
    expect(await responses()).toBe(2);
    expect((await agent.get('/api/results.json?f.genre=feminin').expect(200)).body.responses).toBe(2);
  });
});
