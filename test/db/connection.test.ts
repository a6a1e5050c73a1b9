import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/connection.js';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'avenir-db-'));

describe('database', () => {
  it('creates the folder, uses WAL and applies the migrations once', () => {
    const dir = tmp();
    const file = path.join(dir, 'sous-dossier', 'avenir.db');
    const db = openDatabase(file);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((t) => t.name);
    expect(tables).toEqual(expect.arrayContaining(['answers', 'completed_tokens', 'draft_sections', 'responses', 'schema_migrations', 'staff_users', 'audit_log']));
    const files = fs.readdirSync(path.resolve(import.meta.dirname, '../../migrations')).filter((f) => f.endsWith('.sql'));
    db.close();
    const again = openDatabase(file);
    expect(again.prepare('SELECT count(*) AS n FROM schema_migrations').get()).toEqual({ n: files.length });
    again.close();
  });

  it('refuses to start when a landed migration was edited', () => {
    const dir = tmp();
    const migrations = path.join(dir, 'migrations');
    fs.mkdirSync(migrations);
    fs.writeFileSync(path.join(migrations, '001_init.sql'), 'CREATE TABLE t (x INTEGER);');
    const file = path.join(dir, 'a.db');
    openDatabase(file, migrations).close();
    fs.writeFileSync(path.join(migrations, '001_init.sql'), 'CREATE TABLE t (x TEXT);');
    expect(() => openDatabase(file, migrations)).toThrow(/001_init.sql a été modifiée/);
  });

  it('rolls back a failing migration entirely', async () => {
    const dir = tmp();
    const migrations = path.join(dir, 'migrations');
    fs.mkdirSync(migrations);
    fs.writeFileSync(path.join(migrations, '001_bad.sql'), 'CREATE TABLE ok (x INTEGER); CREATE TABLE ok (y INTEGER);');
    const file = path.join(dir, 'b.db');
    expect(() => openDatabase(file, migrations)).toThrow();
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(file);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'ok'").get()).toEqual({ n: 0 });
    db.close();
  });
});
