import type { Db } from '../db/connection.js';
import { TOTAL_KEY } from '../results/counts.js';

// Released responses (migration 011): protected viewers' figures move only in steps of at least
// K completed responses. The triggers of migration 011 release the pending responses, all at
// once, in the transaction that completes the K-th of them; K is read from disclosure_settings,
// which this module writes at start from MIN_GROUP_SIZE.

const RELEASE_PENDING = `UPDATE responses SET released = 1
  WHERE status = 'complete' AND released = 0
    AND (SELECT count(*) FROM responses WHERE status = 'complete' AND released = 0)
        >= (SELECT min_group_size FROM disclosure_settings WHERE id = 1)`;

/**
 * Stores K for the triggers and releases what it already allows (K lowered since the last start,
 * or responses written before migration 011's triggers). Called once at start.
 */
export function configureRelease(db: Db, minGroupSize: number): void {
  db.transaction(() => {
    db.prepare('UPDATE disclosure_settings SET min_group_size = ? WHERE id = 1').run(minGroupSize);
    db.prepare(RELEASE_PENDING).run();
  })();
}

/**
 * Completed responses released to protected viewers: the running total minus the unreleased ones
 * (fewer than K, read through the (status, released) index). Two small reads, for the live stream.
 */
export function releasedCounter(db: Db): () => number {
  const stmt = db
    .prepare(
      `SELECT coalesce((SELECT n FROM result_bases WHERE question_id = ?), 0)
            - (SELECT count(*) FROM responses WHERE status = 'complete' AND released = 0)`,
    )
    .pluck(true);
  return () => stmt.get(TOTAL_KEY) as number;
}
