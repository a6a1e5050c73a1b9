import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/db/connection.js';
import { backupDatabase, compactDatabase, purgeAbandonedDrafts, startFileHygiene, truncateWal } from '../../src/db/maintenance.js';
import { hashToken } from '../../src/survey/store.js';
import { makeApp, Respondent, validAnswers } from '../helpers.js';
import { findPersonalTraces } from '../support/privacy.js';

// Issue 9, part 7: what someone who copies the database files (.db, -wal, a backup) can read in
// their raw bytes, tested as that person would: no SQL, a byte search and page offsets.

const tmpFile = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'avenir-files-')), 'avenir.db');

/** The draft cookie a respondent's browser holds. */
function draftCookie(r: Respondent): string {
  const jar = (r.agent as unknown as { jar: { getCookie(n: string, o: object): { value: string } | undefined } }).jar;
  return jar.getCookie('avenir_brouillon', { path: '/', domain: '127.0.0.1', secure: false, script: false })!.value;
}

const DAY = 24 * 3600 * 1000;

/**
 * Drafts with a distinctive text: one corrected before completion, one completed, one abandoned
 * then purged, one still in progress. Returns what must be gone and what must still be there.
 */
async function draftsLifeCycle(db: Db) {
  let now = new Date('2026-03-01T10:00:00Z');
  const { app } = makeApp({ db, now: () => now });
  const gone: string[] = [];
  const completedHashes: string[] = [];

  // Typed a text, came back and changed it, then sent everything.
  const corrected = new Respondent(app);
  await corrected.post(1, validAnswers[1]);
  await corrected.post(2, { ...validAnswers[2], ameliorer_territoire: 'TEXTE-CORRIGE-ZX81 avant correction' });
  await corrected.post(2, validAnswers[2]);
  gone.push('TEXTE-CORRIGE-ZX81');
  completedHashes.push(hashToken(draftCookie(corrected)));
  for (const s of [3, 4]) await corrected.post(s, validAnswers[s]);

  // A precision typed in a draft, then the answer changed to another option: never an answer.
  const completed = new Respondent(app);
  await completed.post(1, { ...validAnswers[1], situation: 'autre', situation__autre__precision: 'PRECISION-ABANDONNEE-QW12' });
  await completed.post(1, validAnswers[1]);
  gone.push('PRECISION-ABANDONNEE-QW12');
  completedHashes.push(hashToken(draftCookie(completed)));
  for (const s of [2, 3, 4]) await completed.post(s, validAnswers[s]);

  // Abandoned: purged after the retention period.
  const abandoned = new Respondent(app);
  await abandoned.post(1, validAnswers[1]);
  await abandoned.post(2, { ...validAnswers[2], ameliorer_territoire: 'BROUILLON-ABANDONNE-PL77' });
  gone.push('BROUILLON-ABANDONNE-PL77', hashToken(draftCookie(abandoned)));

  now = new Date(now.getTime() + 31 * DAY);
  const ongoing = new Respondent(app);
  await ongoing.post(1, validAnswers[1]);
  await ongoing.post(2, { ...validAnswers[2], ameliorer_territoire: 'BROUILLON-EN-COURS-MN45' });
  expect(purgeAbandonedDrafts(db, 30, now)).toBe(1);
  // Every draft's raw input is JSON with this key; completed and purged drafts leave none.
  return { gone: [...gone, ...completedHashes], kept: ['BROUILLON-EN-COURS-MN45', hashToken(draftCookie(ongoing))] };
}

/** Raw byte search of the .db and -wal files only (no SQL: what a copy of the files shows). */
const tracesInFiles = (file: string, needles: string[]) => findPersonalTraces({ dbFile: file, needles });

describe('deleted draft content in the files', () => {
  it.each([
    // Today's policy: secure_delete and the WAL truncated (every minute, after each purge).
    { label: 'secure_delete + WAL truncated', secureDelete: true, truncate: true, clean: true },
    // Controls: each measure alone leaves deleted text readable, so the scan does find it.
    { label: 'without secure_delete (the code before)', secureDelete: false, truncate: true, clean: false },
    { label: 'without truncating the WAL (the code before)', secureDelete: true, truncate: false, clean: false },
  ])('$label', async ({ secureDelete, truncate, clean }) => {
    const file = tmpFile();
    const db = openDatabase(file);
    if (!secureDelete) db.pragma('secure_delete = OFF');
    const { gone, kept } = await draftsLifeCycle(db);
    if (truncate) expect(truncateWal(db)).toBe(true);

    const found = tracesInFiles(file, gone);
    if (clean) {
      expect(found).toEqual([]);
      expect(fs.existsSync(`${file}-wal`) ? fs.statSync(`${file}-wal`).size : 0).toBe(0);
    } else expect(found.length).toBeGreaterThan(0);
    // The draft still in progress is there (the scan reads what a copy holds), as it must be.
    expect(tracesInFiles(file, kept).length).toBeGreaterThanOrEqual(kept.length);
    db.close();
  });

  it('a backup (VACUUM INTO) holds no deleted draft text and no completed draft token hash', async () => {
    const file = tmpFile();
    const db = openDatabase(file);
    db.pragma('secure_delete = OFF'); // even from a database whose free space still holds them
    const { gone, kept } = await draftsLifeCycle(db);
    const copy = path.join(path.dirname(file), 'sauvegarde.db');
    await backupDatabase(db, copy);
    expect(fs.existsSync(`${copy}-wal`)).toBe(false);
    expect(tracesInFiles(copy, gone)).toEqual([]);
    expect(tracesInFiles(copy, kept).length).toBeGreaterThanOrEqual(kept.length);
    db.close();
  });
});

/** Every byte offset of `needle` in `bytes`. */
function offsets(bytes: Buffer, needle: string): number[] {
  const out: number[] = [];
  for (let at = bytes.indexOf(needle); at !== -1; at = bytes.indexOf(needle, at + 1)) out.push(at);
  return out;
}

/**
 * Five respondents start, then finish in an order chosen to differ from the order of their random
 * ids (the reverse). Returns the ids in completion order.
 */
async function fiveInReverseIdOrder(db: Db): Promise<string[]> {
  const { app } = makeApp({ db });
  const people: { r: Respondent; id: string }[] = [];
  for (let i = 0; i < 5; i++) {
    const r = new Respondent(app);
    await r.post(1, validAnswers[1]);
    const id = db.prepare('SELECT id FROM responses WHERE draft_token_hash = ?').pluck().get(hashToken(draftCookie(r))) as string;
    people.push({ r, id });
  }
  const order = [...people].sort((a, b) => (a.id < b.id ? 1 : -1));
  for (const { r } of order) for (const s of [2, 3, 4]) await r.post(s, validAnswers[s]);
  return order.map((p) => p.id);
}

describe('order of arrival in the files', () => {
  it('the WAL shows the completion order until it is truncated; then it is empty', async () => {
    const file = tmpFile();
    const db = openDatabase(file);
    const completion = await fiveInReverseIdOrder(db);
    // The attack: an answer row is "<response id>age…" in its page; its first frame in the WAL is
    // the commit that completed the response, and frames are appended in commit order.
    const wal = fs.readFileSync(`${file}-wal`);
    const byFirstFrame = [...completion].sort((a, b) => offsets(wal, `${a}age`)[0] - offsets(wal, `${b}age`)[0]);
    expect(byFirstFrame).toEqual(completion);

    expect(truncateWal(db)).toBe(true);
    expect(fs.statSync(`${file}-wal`).size).toBe(0);
    db.close();
  });

  it('after the nightly compaction, rows sit in every page in id order, whatever the completion order', async () => {
    const file = tmpFile();
    const db = openDatabase(file);
    const completion = await fiveInReverseIdOrder(db);
    const byId = [...completion].sort();
    expect(completion).not.toEqual(byId);
    compactDatabase(db);
    expect(fs.statSync(`${file}-wal`).size).toBe(0);

    // The attack on the file: inside a page, SQLite fills the free space from the end, so a row
    // written later usually sits lower. The attacker maps pages to tables (sqlite's dbstat on the
    // copy) and, in every page of a b-tree ordered by response id (the tables, and the indexes
    // whose leading columns are the same for all five), ranks the responses by position.
    const bytes = fs.readFileSync(file);
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    const copy = new Database(file, { readonly: true });
    const owner = new Map((copy.prepare('SELECT pageno, name FROM dbstat').all() as { pageno: number; name: string }[]).map((p) => [p.pageno, p.name]));
    copy.close();
    const BY_ID = new Set(['responses', 'answers', 'response_codes', 'responses_status', 'responses_status_channel']);
    const pages = new Map<number, { id: string; at: number }[]>();
    for (const id of completion) {
      for (const at of offsets(bytes, id)) {
        const page = Math.floor(at / pageSize) + 1; // pages are numbered from 1
        if (!BY_ID.has(owner.get(page) ?? '')) continue;
        const list = pages.get(page) ?? [];
        if (!list.some((x) => x.id === id)) list.push({ id, at });
        pages.set(page, list);
      }
    }
    const shared = [...pages.values()].filter((l) => l.length >= 2);
    expect(new Set([...pages.keys()].map((p) => owner.get(p)))).toEqual(BY_ID);
    for (const list of shared) {
      // Highest position first = "written first" to the attacker. After the compaction that is the
      // id order (or its reverse, for index pages): set by the random ids alone, it says nothing
      // of who came first.
      const seen = [...list].sort((a, b) => b.at - a.at).map((x) => x.id);
      const ascending = [...seen].sort();
      expect([ascending, [...ascending].reverse()]).toContainEqual(seen);
    }
    db.close();
  });

  it('the timer empties the WAL every tick, compacts once at the configured Paris hour, and gives up while a reader holds an old snapshot', async () => {
    const file = tmpFile();
    const db = openDatabase(file);
    await fiveInReverseIdOrder(db);
    const hygiene = startFileHygiene(db, { checkpointMs: 3600_000, compactHour: 3 });
    expect(hygiene.tick(new Date('2026-03-02T12:00:00Z'))).toEqual({ walEmpty: true, compacted: false });
    expect(hygiene.tick(new Date('2026-03-02T02:10:00Z'))).toEqual({ walEmpty: true, compacted: true }); // 3 h in Paris
    expect(hygiene.tick(new Date('2026-03-02T02:11:00Z'))).toEqual({ walEmpty: true, compacted: false });

    // A reader in the middle of a long export holds an old snapshot: the checkpoint gives up
    // at once instead of blocking the server, and succeeds on a later tick.
    db.prepare("UPDATE responses SET weight = 1 WHERE status = 'complete'").run();
    const reader = new Database(file, { readonly: true });
    const iterator = reader.prepare('SELECT id FROM responses').iterate();
    iterator.next();
    db.prepare("INSERT INTO settings (key, value) VALUES ('essai', ?)").run(crypto.randomUUID());
    expect(hygiene.tick(new Date('2026-03-02T12:00:00Z')).walEmpty).toBe(false);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000); // the server's own, given back
    iterator.return?.();
    reader.close();
    expect(hygiene.tick(new Date('2026-03-02T12:01:00Z')).walEmpty).toBe(true);
    hygiene.stop();
    db.close();
  });
});
