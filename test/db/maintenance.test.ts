import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/connection.js';
import { backupDatabase, purgeAbandonedDrafts } from '../../src/db/maintenance.js';
import { completeSurvey, countRows, makeApp, Respondent, validAnswers } from '../helpers.js';

describe('draft retention', () => {
  it('purges drafts untouched for longer than the retention, keeps recent drafts and completed responses', async () => {
    let now = new Date('2026-01-01T10:00:00Z');
    const t = makeApp({ now: () => now });
    const old = new Respondent(t.app);
    await old.post(1, validAnswers[1]);
    await completeSurvey(new Respondent(t.app));
    now = new Date('2026-01-25T10:00:00Z');
    const recent = new Respondent(t.app);
    await recent.post(1, validAnswers[1]);
    expect(purgeAbandonedDrafts(t.db, 30, new Date('2026-01-30T10:00:00Z'))).toBe(0);
    expect(purgeAbandonedDrafts(t.db, 30, new Date('2026-02-01T12:00:00Z'))).toBe(1);
    expect(countRows(t.db, "SELECT count(*) AS n FROM responses WHERE status = 'draft'")).toBe(1);
    expect(countRows(t.db, "SELECT count(*) AS n FROM responses WHERE status = 'complete'")).toBe(1);
    expect(countRows(t.db, 'SELECT count(*) AS n FROM draft_sections')).toBe(1);
    expect(t.db.prepare("SELECT action, details FROM audit_log WHERE action = 'drafts.purge'").get()).toEqual({
      action: 'drafts.purge',
      details: JSON.stringify({ brouillons: 1, jours: 30 }),
    });
    // The purged respondent starts afresh, nothing breaks.
    expect((await old.agent.get('/')).text).toContain('Commencer');
  });
});

describe('backup', () => {
  it('copies the live database consistently while it is being written', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'avenir-backup-'));
    const db = openDatabase(path.join(dir, 'avenir.db'));
    const t = makeApp({ db });
    for (let i = 0; i < 5; i++) await completeSurvey(new Respondent(t.app));
    // Writes keep coming during the backup.
    const writer = (async () => {
      for (let i = 0; i < 5; i++) await completeSurvey(new Respondent(t.app));
    })();
    const target = path.join(dir, 'copie.db');
    const { totalPages } = await backupDatabase(db, target);
    await writer;
    expect(totalPages).toBeGreaterThan(0);
    const copy = new Database(target, { readonly: true });
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    const n = (copy.prepare("SELECT count(*) AS n FROM responses WHERE status = 'complete'").get() as { n: number }).n;
    expect(n).toBeGreaterThanOrEqual(5);
    // Every copied complete response has all its answers (no torn transaction).
    const torn = copy
      .prepare("SELECT count(*) AS n FROM responses r WHERE status = 'complete' AND NOT EXISTS (SELECT 1 FROM answers a WHERE a.response_id = r.id AND a.question_id = 'age')")
      .get() as { n: number };
    expect(torn.n).toBe(0);
    copy.close();
    db.close();
  });
});
