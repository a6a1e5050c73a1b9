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
  applyMigrations(db, migrationsDir);
  return db;
}

export function defaultMigrationsDir(): string {
  return path.resolve(import.meta.dirname, '../../migrations');
}
