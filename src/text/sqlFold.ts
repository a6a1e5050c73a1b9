import type { Db } from '../db/connection.js';
import { fold } from './normalise.js';

// Accent- and case-insensitive search in SQL: SQLite's LIKE only folds ASCII case, so the French
// folding of normalise.ts is made available to queries as fold_fr(text).

const registered = new WeakSet<Db>();

export function registerFold(db: Db): void {
  if (registered.has(db)) return;
  db.function('fold_fr', { deterministic: true }, (s: unknown) => (typeof s === 'string' ? fold(s) : null));
  registered.add(db);
}

/** The LIKE pattern matching `term` anywhere in a folded text (%, _ and \ taken literally). */
export function foldedPattern(term: string): string {
  return `%${fold(term).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
