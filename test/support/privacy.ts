import fs from 'node:fs';
import type { Db } from '../../src/db/connection.js';

// The anonymity promise, checked on what is really on disk: no client address and no browser
// string in any table, nor in the raw bytes of the database and its write-ahead log (a value
// written then deleted can survive in the WAL or in free pages until they are reused).

/** Strings that would betray a client address or a browser if they were ever stored. */
export const ALWAYS_FORBIDDEN = ['127.0.0.1', '::ffff', 'Mozilla', 'HeadlessChrome'];

export type TraceScan = {
  /** An open connection: every table of sqlite_master is read with SELECT *. */
  db?: Db;
  /** The database file: it and its "-wal" companion (when present) are read byte by byte. */
  dbFile?: string;
  /** Extra strings that must not appear (the user agents and forwarded addresses a test used). */
  needles?: string[];
};

/** Returns one readable line per trace found; an empty list means the database is clean. */
export function findPersonalTraces(scan: TraceScan): string[] {
  const needles = [...new Set([...ALWAYS_FORBIDDEN, ...(scan.needles ?? [])])].filter((n) => n.length > 0);
  const found: string[] = [];
  if (scan.db) {
    const tables = scan.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
    for (const { name } of tables) {
      const rows = scan.db.prepare(`SELECT * FROM "${name.replace(/"/g, '""')}"`).all() as Record<string, unknown>[];
      for (const row of rows) {
        const text = JSON.stringify(row, (_k, v) => (Buffer.isBuffer(v) ? v.toString('latin1') : v));
        for (const n of needles) if (text.includes(n)) found.push(`table ${name}: « ${n} » dans ${text.slice(0, 200)}`);
      }
    }
  }
  if (scan.dbFile) {
    for (const file of [scan.dbFile, `${scan.dbFile}-wal`]) {
      if (!fs.existsSync(file)) continue;
      const bytes = fs.readFileSync(file);
      for (const n of needles) {
        // SQLite stores text as UTF-8 here; UTF-16 is checked too in case an encoding pragma changes.
        for (const encoded of [Buffer.from(n, 'utf8'), Buffer.from(n, 'utf16le')]) {
          const at = bytes.indexOf(encoded);
          if (at !== -1) found.push(`${file} (octet ${at}) : « ${n} »`);
        }
      }
    }
  }
  return found;
}
