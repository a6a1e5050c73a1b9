import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { applyMigrations } from './migrate.js';

export type Db = Database.Database;

/** Opens (creating the folder if needed) and migrates the database. ':memory:' is accepted for tests. */
export function openDatabase(file: string, migrationsDir = defaultMigrationsDir()): Db {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new Database(file);
  // WAL: readers (dashboards, exports) never block the respondents' writes.
  db.pragma('journal_mode = WAL');
  // FULL: a response acknowledged to a respondent survives a power cut, not just a process crash.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // 8 MB of page cache (better-sqlite3 builds SQLite with 16 MB): the hot pages of a campaign fit,
  // and a small server keeps the memory.
  db.pragma('cache_size = -8000');
  // Deleted content (a draft's typed text once completed or purged, the cookie hash detached from
  // a response, an old version of a row) is overwritten with zeros, not left readable in free
  // space and free pages. The WAL still holds it until the next truncating checkpoint
  // (maintenance.ts, every WAL_CHECKPOINT_SECONDS).
  db.pragma('secure_delete = ON');
  applyMigrations(db, migrationsDir);
  return db;
}

export function defaultMigrationsDir(): string {
  return path.resolve(import.meta.dirname, '../../migrations');
}
