import type { Db } from '../db/connection.js';

// « Où en est-on ? » in four numbers: complete responses, questionnaires started (complete +
// drafts still kept), the share that went to the end, and completions in the last 7 days.
// Counted from the status index (responses_status covers status and completed_hour).

export type KeyFigures = { complete: number; started: number; completionRate: number | null; lastSevenDays: number };

export function keyFigures(db: Db, now: Date): KeyFigures {
  const rows = db.prepare(`SELECT status, count(*) AS n FROM responses GROUP BY status`).all() as { status: string; n: number }[];
  const complete = rows.find((r) => r.status === 'complete')?.n ?? 0;
  const started = rows.reduce((s, r) => s + r.n, 0);
  // Completion hours are "YYYY-MM-DDTHH" (UTC): compare with the hour 7 days ago.
  const since = new Date(now.getTime() - 7 * 86_400_000).toISOString().slice(0, 13);
  const lastSevenDays = (
    db.prepare(`SELECT count(*) AS n FROM responses WHERE status = 'complete' AND completed_hour >= ?`).get(since) as { n: number }
  ).n;
  return { complete, started, completionRate: started ? (100 * complete) / started : null, lastSevenDays };
}
