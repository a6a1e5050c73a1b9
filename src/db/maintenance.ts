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

/** Online backup (SQLite's backup API): consistent while the server keeps writing. */
export async function backupDatabase(db: Db, destination: string): Promise<{ totalPages: number }> {
  const r = await db.backup(destination);
  return { totalPages: r.totalPages };
}
