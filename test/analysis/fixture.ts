import type { Db } from '../../src/db/connection.js';
import { generateDemo } from '../../src/demo/demo.js';
import { audit } from '../../src/staff/audit.js';

// A small consultation for the staff pages' tests: demo responses dated before NOW, a few known
// texts to search for, flagged responses of each kind, and enough journal lines to page through.

export const NOW = new Date('2026-12-01T11:59:10.804Z');
export const SEEDED_TEXT = 'Plus de bus le soir pour aller à Liévin, et des concerts au Louvre-Lens.';

export type Fixture = { flagged: { id: string; reason: string }[]; seededId: string; feminineTexts: number; allTexts: number };

export function seedStaffFixture(db: Db): Fixture {
  generateDemo(db, { count: 160, seed: 11, drafts: 20, now: NOW });
  const texts = db
    .prepare(
      `SELECT a.response_id AS id FROM answers a JOIN responses r ON r.id = a.response_id
       WHERE a.question_id = 'message_elus' AND a.option_code = '' AND r.status = 'complete'
         AND EXISTS (SELECT 1 FROM answers g WHERE g.response_id = r.id AND g.question_id = 'genre' AND g.option_code = 'feminin')
       ORDER BY a.response_id`,
    )
    .all() as { id: string }[];
  const seededId = texts[0].id;
  db.prepare(`UPDATE answers SET value_text = ? WHERE response_id = ? AND question_id = 'message_elus' AND option_code = ''`).run(SEEDED_TEXT, seededId);
  const complete = db.prepare(`SELECT id FROM responses WHERE status = 'complete' AND id <> ? ORDER BY id LIMIT 3`).all(seededId) as { id: string }[];
  const reasons = ['piege', 'rapide', 'horodatage'];
  const flagged = complete.map((r, i) => ({ id: r.id, reason: reasons[i] }));
  for (const f of flagged) db.prepare(`UPDATE responses SET flagged = 1, flag_reason = ? WHERE id = ?`).run(f.reason, f.id);
  // 70 journal lines: two pages of 50.
  for (let i = 0; i < 66; i++) audit(db, `robot${i}@example.org`, 'login.failure', { reason: 'identifiants' }, new Date(NOW.getTime() - (70 - i) * 60_000));
  audit(db, 'camille@example.org', 'export.download', { export: 'reponses', filtres: 'excel=1&labels=1&f.genre=feminin', via: 'session' }, new Date(NOW.getTime() - 60_000));
  const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
  return {
    flagged,
    seededId,
    feminineTexts: texts.length,
    allTexts: count(`SELECT count(*) AS n FROM answers a JOIN responses r ON r.id = a.response_id WHERE a.question_id = 'message_elus' AND a.option_code = '' AND r.status = 'complete' AND a.value_text <> ''`),
  };
}
