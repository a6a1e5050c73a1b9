import type { Db } from '../db/connection.js';
import type { Questionnaire } from '../questionnaire/schema.js';
import { compileFilter, type Filter } from './filters.js';

export type Participation = {
  perDay: { day: string; n: number }[];
  perChannel: { channel: string | null; n: number }[];
};

/**
 * Completed responses per day (UTC) and per channel, with the dashboard's filters. Grouped by
 * the stored hour, which follows the (status, completed_hour) index without sorting, then summed
 * per day here (at most 24 rows a day).
 */
export function participation(db: Db, q: Questionnaire, filter: Filter): Participation {
  const f = compileFilter(db, q, filter, 'r');
  const hours = db
    .prepare(`SELECT r.completed_hour AS hour, count(*) AS n FROM responses r WHERE ${f.where} GROUP BY r.completed_hour`)
    .all(...f.params) as { hour: string; n: number }[];
  const days = new Map<string, number>();
  for (const h of hours) days.set(h.hour.slice(0, 10), (days.get(h.hour.slice(0, 10)) ?? 0) + h.n);
  const perChannel = db
    .prepare(`SELECT r.channel AS channel, count(*) AS n FROM responses r WHERE ${f.where} GROUP BY r.channel ORDER BY n DESC`)
    .all(...f.params) as { channel: string | null; n: number }[];
  return {
    perDay: [...days].sort(([a], [b]) => a.localeCompare(b)).map(([day, n]) => ({ day, n })),
    perChannel,
  };
}
