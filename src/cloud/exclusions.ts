import type { Db } from '../db/connection.js';
import { fr } from '../strings.js';
import { cloudKey } from './entries.js';

// The words an analyst keeps out of a source's word cloud (migration 020): stored by their key in
// the cloud's normalisation, so that one word typed keeps out all its spellings.

export type Exclusion = { key: string; word: string };
const t = fr.wordCloud;
export const MAX_WORD = 60;
export const MAX_EXCLUSIONS = 500;

export function exclusionsOf(db: Db, source: string): Exclusion[] {
  return db.prepare(`SELECT entry_key AS key, word FROM cloud_exclusions WHERE source = ? ORDER BY word COLLATE NOCASE`).all(source) as Exclusion[];
}

export type ExclusionResult = { ok: true; added: string[] } | { ok: false; error: string };

/**
 * Adds the words of `typed` (one or several, separated by commas or new lines) to the list.
 * Refused whole, with a French message, when one of them can't be an entry of the cloud.
 */
export function addExclusions(db: Db, source: string, typed: string): ExclusionResult {
  const parts = typed
    .split(/[,;\n\r]+/)
    .map((s) => s.trim())
    .filter(Boolean);
  if (!parts.length) return { ok: false, error: t.errors.empty };
  const keys: { key: string; word: string }[] = [];
  for (const word of parts) {
    if (word.length > MAX_WORD) return { ok: false, error: t.errors.tooLong(MAX_WORD) };
    const key = cloudKey(word);
    if (!key) return { ok: false, error: t.errors.notAWord(word) };
    keys.push({ key, word });
  }
  const count = (db.prepare(`SELECT count(*) AS n FROM cloud_exclusions WHERE source = ?`).get(source) as { n: number }).n;
  if (count + keys.length > MAX_EXCLUSIONS) return { ok: false, error: t.errors.tooMany(MAX_EXCLUSIONS) };
  const insert = db.prepare(`INSERT OR IGNORE INTO cloud_exclusions (source, entry_key, word) VALUES (?, ?, ?)`);
  const added = db.transaction(() => keys.filter((k) => insert.run(source, k.key, k.word).changes > 0).map((k) => k.word))();
  if (!added.length) return { ok: false, error: t.errors.already(parts.join(', ')) };
  return { ok: true, added };
}

/** Takes a word back into the cloud; false when it was not excluded. */
export function removeExclusion(db: Db, source: string, key: string): boolean {
  return db.prepare(`DELETE FROM cloud_exclusions WHERE source = ? AND entry_key = ?`).run(source, key).changes > 0;
}
