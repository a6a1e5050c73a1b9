import type { Db } from '../db/connection.js';
import type { Theme } from './codebook.js';
import { readCodings, type Coding } from './codings.js';

// Agreement between two coders of the same answers: per theme, Cohen's kappa on present / absent
// (Cohen 1960), read on the Landis & Koch (1977) scale; and the answers where they differ, to
// settle (the settled coding becomes the reference coding, table coding_settlements remembers it).

/** The 2×2 table of two coders on one yes/no judgement: both yes, A only, B only, both no. */
export type Table2x2 = { both: number; aOnly: number; bOnly: number; neither: number };

export type Kappa = { n: number; observed: number; expected: number; kappa: number | null };

/**
 * Cohen's kappa of a 2×2 table: (po − pe) / (1 − pe). Null when it is undefined: no items, or both
 * coders always gave the same single answer (pe = 1).
 */
export function cohenKappa(t: Table2x2): Kappa {
  const n = t.both + t.aOnly + t.bOnly + t.neither;
  if (n === 0) return { n, observed: NaN, expected: NaN, kappa: null };
  const observed = (t.both + t.neither) / n;
  const aYes = (t.both + t.aOnly) / n;
  const bYes = (t.both + t.bOnly) / n;
  const expected = aYes * bYes + (1 - aYes) * (1 - bYes);
  return { n, observed, expected, kappa: expected >= 1 ? null : (observed - expected) / (1 - expected) };
}

export type Reading = 'poor' | 'slight' | 'fair' | 'moderate' | 'substantial' | 'almostPerfect';

/** Landis & Koch: < 0 poor, ≤ 0.20 slight, ≤ 0.40 fair, ≤ 0.60 moderate, ≤ 0.80 substantial, else almost perfect. */
export function landisKoch(kappa: number): Reading {
  if (kappa < 0) return 'poor';
  if (kappa <= 0.2) return 'slight';
  if (kappa <= 0.4) return 'fair';
  if (kappa <= 0.6) return 'moderate';
  if (kappa <= 0.8) return 'substantial';
  return 'almostPerfect';
}

export type ThemeAgreement = { code: string; label: string; table: Table2x2; kappa: Kappa; reading: Reading | null };
export type Disagreement = { responseId: string; a: Coding; b: Coding; settled: boolean };
export type Agreement = { compared: number; themes: ThemeAgreement[]; uncodable: ThemeAgreement; disagreements: Disagreement[] };

const sameCoding = (a: Coding, b: Coding) => a.uncodable === b.uncodable && a.codes.length === b.codes.length && a.codes.every((c) => b.codes.includes(c));

/** The agreement on the answers both coders coded. `pseudo` labels the « non codable » row. */
export function agreement(db: Db, source: string, themes: readonly Theme[], coderA: string, coderB: string, uncodableLabel: string): Agreement {
  const a = readCodings(db, source, coderA);
  const b = readCodings(db, source, coderB);
  const both = [...a.keys()].filter((id) => b.has(id)).sort();
  const row = (code: string, label: string, has: (c: Coding) => boolean): ThemeAgreement => {
    const table: Table2x2 = { both: 0, aOnly: 0, bOnly: 0, neither: 0 };
    for (const id of both) {
      const x = has(a.get(id)!);
      const y = has(b.get(id)!);
      if (x && y) table.both++;
      else if (x) table.aOnly++;
      else if (y) table.bOnly++;
      else table.neither++;
    }
    const kappa = cohenKappa(table);
    return { code, label, table, kappa, reading: kappa.kappa === null ? null : landisKoch(kappa.kappa) };
  };
  const settled = new Set(
    (db.prepare('SELECT response_id AS id FROM coding_settlements WHERE source = ? AND coder_a = ? AND coder_b = ?').all(source, coderA, coderB) as { id: string }[]).map((r) => r.id),
  );
  return {
    compared: both.length,
    themes: themes.map((x) => row(x.code, x.label, (c) => c.codes.includes(x.code))),
    uncodable: row('', uncodableLabel, (c) => c.uncodable),
    disagreements: both
      .filter((id) => !sameCoding(a.get(id)!, b.get(id)!))
      .map((id) => ({ responseId: id, a: a.get(id)!, b: b.get(id)!, settled: settled.has(id) }))
      // What is left to settle first.
      .sort((x, y) => Number(x.settled) - Number(y.settled)),
  };
}

/** Coders who have coded this source, with their number of codings (the reference included). */
export function codersOf(db: Db, source: string): { coder: string; count: number }[] {
  return db.prepare('SELECT coder, count(*) AS count FROM codings WHERE source = ? GROUP BY coder ORDER BY coder').all(source) as { coder: string; count: number }[];
}

export function markSettled(db: Db, source: string, coderA: string, coderB: string, responseId: string): void {
  db.prepare('INSERT OR IGNORE INTO coding_settlements (source, coder_a, coder_b, response_id) VALUES (?, ?, ?, ?)').run(source, coderA, coderB, responseId);
}
