import type { Db } from './connection.js';
import { audit } from '../staff/audit.js';

/**
 * Deletes drafts not touched for `days` days (with their typed input), and the completion
 * tombstones of the same age. Returns how many drafts went; the purge is audited.
 */
export function purgeAbandonedDrafts(db: Db, days: number, now = new Date()): number {
  const cutoff = new Date(now.getTime() - days * 24 * 3600 * 1000);
  const hour = cutoff.toISOString().slice(0, 13);
  const day = cutoff.toISOString().slice(0, 10);
  const n = db.transaction(() => {
    const ids = db.prepare(`SELECT id FROM responses WHERE status = 'draft' AND updated_hour < ?`).pluck().all(hour) as string[];
    const del = db.prepare(`DELETE FROM responses WHERE id = ?`); // draft_sections cascade
    for (const id of ids) del.run(id);
    db.prepare(`DELETE FROM completed_tokens WHERE completed_day < ?`).run(day);
    return ids.length;
  })();
  if (n > 0) audit(db, null, 'drafts.purge', { brouillons: n, jours: days }, now);
  return n;
}

/**
 * A consistent copy of the live database, written by SQLite's VACUUM INTO: every table is
 * rebuilt in key order (random ids), with no free page and no trace of deleted rows. A page-by-page
 * copy (the backup API) would carry over the order in which rows were written into each page.
 * Runs in a read transaction: the server keeps writing meanwhile (into its WAL).
 */
export async function backupDatabase(db: Db, destination: string): Promise<{ totalPages: number }> {
  db.prepare('VACUUM INTO ?').run(destination);
  return { totalPages: db.pragma('page_count', { simple: true }) as number };
}

/**
 * Moves the WAL's content into the database file and truncates the WAL to zero bytes. The WAL is
 * written append-only, one frame per page per commit: until it is truncated, its frames show the
 * order of the recent commits (which response came after which) and old versions of rows (a
 * draft's text, its cookie hash). Never waits: when a reader still uses an older snapshot (a long
 * export), nothing is truncated and the next call tries again. Returns whether the WAL is empty.
 */
export function truncateWal(db: Db): boolean {
  const timeout = db.pragma('busy_timeout', { simple: true }) as number;
  db.pragma('busy_timeout = 0');
  try {
    const [r] = db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number; log: number; checkpointed: number }[];
    return r.busy === 0 && r.log === 0;
  } catch {
    return false; // SQLITE_BUSY from another writer: next time
  } finally {
    db.pragma(`busy_timeout = ${timeout}`);
  }
}

/**
 * Rebuilds the database file (VACUUM), then empties the WAL. Inside a page, SQLite places each
 * new or rewritten row in the free space left, so the byte positions of rows written since a page
 * was last rebuilt tell which was written first; VACUUM rewrites every table in key order (random
 * ids), which erases that order. It holds the write lock for its duration (about 2 s at 20,000
 * responses on a small server): run it when nobody answers (DB_COMPACT_HOUR).
 */
export function compactDatabase(db: Db): boolean {
  db.exec('VACUUM');
  return truncateWal(db);
}

/** The hour (0-23) in Paris: when the nightly compaction runs. */
export function parisHour(d: Date): number {
  return Number(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', hour: '2-digit', hourCycle: 'h23' }).format(d));
}

export type FileHygiene = {
  /** One pass: truncate the WAL; compact once a day at `compactHour`. Called by the timer. */
  tick(now?: Date): { walEmpty: boolean; compacted: boolean };
  /** Stops the timer and empties the WAL a last time (shutdown). */
  stop(): void;
};

/**
 * What the database files may reveal, bounded in time (README, « Ce que révèlent les fichiers »):
 * every `checkpointMs` the WAL is emptied, so it never shows more than that span of commits; once
 * a day at `compactHour` (Paris time, null = never) the file is rebuilt in key order.
 */
export function startFileHygiene(
  db: Db,
  opts: { checkpointMs: number; compactHour: number | null; log?: (m: string) => void },
): FileHygiene {
  let lastCompactDay: string | undefined;
  const tick = (now = new Date()) => {
    let compacted = false;
    const day = now.toISOString().slice(0, 10);
    if (opts.compactHour !== null && parisHour(now) === opts.compactHour && lastCompactDay !== day) {
      lastCompactDay = day;
      try {
        compactDatabase(db);
        compacted = true;
      } catch (e) {
        opts.log?.(`Compactage de la base impossible : ${(e as Error).message}`);
      }
    }
    return { walEmpty: truncateWal(db), compacted };
  };
  const timer = setInterval(() => {
    try {
      tick();
    } catch (e) {
      opts.log?.(`Point de contrôle du journal impossible : ${(e as Error).message}`);
    }
  }, opts.checkpointMs);
  timer.unref();
  return {
    tick,
    stop() {
      clearInterval(timer);
      if (db.open) truncateWal(db);
    },
  };
}
