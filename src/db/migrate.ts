import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';

/**
 * Applies migrations/NNN_name.sql in order, each in its own transaction, recording what ran.
 * Landed migrations are never edited: a changed checksum stops the start rather than guessing.
 */
export function applyMigrations(db: Database.Database, dir: string): string[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    name TEXT PRIMARY KEY,
    checksum TEXT NOT NULL
  ) STRICT`);
  const files = fs
    .readdirSync(dir)
    .filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f))
    .sort();
  const applied = new Map(
    (db.prepare('SELECT name, checksum FROM schema_migrations').all() as { name: string; checksum: string }[]).map(
      (r) => [r.name, r.checksum],
    ),
  );
  const ran: string[] = [];
  for (const file of files) {
    const sql = fs.readFileSync(path.join(dir, file), 'utf8');
    const checksum = simpleHash(sql);
    const previous = applied.get(file);
    if (previous !== undefined) {
      if (previous !== checksum) throw new Error(`La migration ${file} a été modifiée après application.`);
      continue;
    }
    db.transaction(() => {
      db.exec(sql);
      db.prepare('INSERT INTO schema_migrations (name, checksum) VALUES (?, ?)').run(file, checksum);
    })();
    ran.push(file);
  }
  return ran;
}

function simpleHash(s: string): string {
  // FNV-1a over normalised line endings: enough to detect an edit, no crypto needed.
  let h = 0x811c9dc5;
  for (const ch of s.replace(/\r\n/g, '\n')) {
    h ^= ch.codePointAt(0)!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}
