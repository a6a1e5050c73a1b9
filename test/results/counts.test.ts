import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { defaultMigrationsDir } from '../../src/db/connection.js';
import { applyMigrations } from '../../src/db/migrate.js';
import { computeResults } from '../../src/results/aggregate.js';
import { checkCounts, countsInSync, rebuildCounts, recordCompletion, recordRemoval } from '../../src/results/counts.js';
import { generateDemo, removeDemo } from '../../src/demo/demo.js';
import { parseFilters } from '../../src/results/filters.js';
import { parseWhole } from '../../src/questionnaire/engine.js';
import { territory } from '../../src/territory/communes.js';
import { addResponse, FIVE, freshDb, q, seedFive, tableOf } from './helpers.js';

const counts = (db: Database.Database) => ({
  counts: db.prepare('SELECT * FROM result_counts ORDER BY 1, 2').all(),
  values: db.prepare('SELECT * FROM result_value_counts ORDER BY 1, 2, 3').all(),
  bases: db.prepare('SELECT * FROM result_bases ORDER BY 1').all(),
});

describe('running totals', () => {
  it('recordCompletion adds exactly what a recount finds; rebuildCounts recomputes the same', () => {
    const db = freshDb();
    seedFive(db);
    expect(checkCounts(db)).toEqual([]);
    expect(countsInSync(db)).toBe(true);
    const kept = counts(db);
    db.exec('DELETE FROM result_counts; DELETE FROM result_bases; UPDATE result_value_counts SET n = n + 1');
    expect(countsInSync(db)).toBe(false);
    expect(checkCounts(db).length).toBeGreaterThan(10);
    rebuildCounts(db);
    expect(counts(db)).toEqual(kept);
  });

  it('recordRemoval takes a response back out', () => {
    const db = freshDb();
    seedFive(db);
    const rows = parseWhole(q, q.sections.map((_, i) => FIVE[0].answers[i + 1] ?? {}), territory()).rows;
    db.transaction(() => {
      db.prepare('DELETE FROM responses WHERE id IN (SELECT response_id FROM answers WHERE question_id = ? AND value_text = ?)').run(
        'mots_industrie',
        '=SUM(A1)',
      );
      recordRemoval(db, rows);
    })();
    expect(checkCounts(db)).toEqual([]);
    expect(computeResults(db, q).responses).toBe(4);
  });

  it('rolls back with the completion transaction it is part of', () => {
    const db = freshDb();
    const rows = parseWhole(q, q.sections.map((_, i) => FIVE[1].answers[i + 1] ?? {}), territory()).rows;
    expect(() =>
      db.transaction(() => {
        recordCompletion(db, rows);
        throw new Error('panne pendant l’enregistrement');
      })(),
    ).toThrow('panne');
    expect(counts(db).counts).toEqual([]);
    expect(countsInSync(db)).toBe(true);
  });

  it('migration 003 starts the totals from the responses completed before it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'avenir-mig-'));
    const all = fs.readdirSync(defaultMigrationsDir()).filter((f) => f.endsWith('.sql'));
    for (const f of all.filter((f) => f < '003')) fs.copyFileSync(path.join(defaultMigrationsDir(), f), path.join(dir, f));
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    applyMigrations(db, dir);
    // Responses completed by the respondents' path before the results engine existed.
    const insertR = db.prepare(
      `INSERT INTO responses (id, questionnaire_id, questionnaire_version, status, reached_section, started_hour, updated_hour, completed_hour)
       VALUES (?, ?, ?, 'complete', 4, 'h', 'h', '2022-12-01T10')`,
    );
    const insertA = db.prepare('INSERT INTO answers (response_id, question_id, option_code, value_text, value_num) VALUES (?, ?, ?, ?, ?)');
    FIVE.forEach((p, i) => {
      const rows = parseWhole(q, q.sections.map((_, k) => p.answers[k + 1] ?? {}), territory()).rows;
      insertR.run(`r${i}`, q.id, q.version);
      for (const r of rows) insertA.run(`r${i}`, r.questionId, r.optionCode, r.valueText, r.valueNum);
    });
    db.prepare(`INSERT INTO responses (id, questionnaire_id, questionnaire_version, status, started_hour, updated_hour) VALUES ('d', ?, ?, 'draft', 'h', 'h')`).run(q.id, q.version);
    fs.copyFileSync(path.join(defaultMigrationsDir(), '003_results_counts.sql'), path.join(dir, '003_results_counts.sql'));
    expect(applyMigrations(db, dir)).toEqual(['003_results_counts.sql']);
    expect(checkCounts(db)).toEqual([]);
    expect(tableOf(computeResults(db, q), 'genre').count).toMatchObject({ masculin: 2, feminin: 2, autre: 1 });
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('demo data', () => {
  it('adds plausible completed responses and drafts through the completion path, then removes only them', () => {
    const db = freshDb();
    const real = addResponse(db, FIVE[0]);
    const before = counts(db);
    const { completed, drafts } = generateDemo(db, { count: 300, seed: 7 });
    expect(completed).toBe(300);
    expect(drafts).toBe(75);
    expect(db.prepare(`SELECT count(*) AS n FROM responses WHERE demo = 1 AND status = 'complete'`).get()).toEqual({ n: 300 });
    expect(checkCounts(db)).toEqual([]);
    const r = computeResults(db, q);
    expect(r.responses).toBe(301);
    // Conditions were applied as for a respondent: only lycée students have a « voie ».
    const lycee = tableOf(r, 'situation').count.lycee;
    expect(tableOf(r, 'filiere').base).toBeGreaterThan(lycee * 0.8);
    const others = parseFilters({ 'f.situation': ['college', 'etudes_sup', 'apprentissage', 'emploi', 'recherche', 'autre'] }, q);
    if (!others.ok) throw new Error('filtre');
    expect(tableOf(computeResults(db, q, others.filter), 'filiere').base).toBe(0);
    const leaving = tableOf(r, 'rester_vivre').count;
    expect(tableOf(r, 'raisons_partir').base).toBeLessThanOrEqual(leaving.plutot_non + leaving.non);
    // Channels are declared relay codes or none.
    const channels = db.prepare('SELECT DISTINCT channel FROM responses WHERE channel IS NOT NULL').all() as { channel: string }[];
    expect(channels.length).toBeGreaterThan(3);

    expect(removeDemo(db)).toBe(375);
    expect(counts(db)).toEqual(before);
    expect(db.prepare('SELECT id FROM responses').all()).toEqual([{ id: real }]);
    expect(checkCounts(db)).toEqual([]);
  });

  it('is reproducible: the same seed gives the same answers', () => {
    const a = freshDb();
    const b = freshDb();
    generateDemo(a, { count: 50, seed: 42, drafts: 0 });
    generateDemo(b, { count: 50, seed: 42, drafts: 0 });
    expect(counts(a)).toEqual(counts(b));
  });
});
