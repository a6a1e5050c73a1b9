import type { Db } from '../../src/db/connection.js';
import { addResponse } from '../results/helpers.js';

/** A commune of each intercommunality (and one outside the PMA). */
export const COMMUNE_OF: Record<string, string> = { cabbalr: 'Béthune', call: 'Lens', cahc: 'Hénin-Beaumont', hors_pma: 'Arras' };

export type Kind = { genre?: string; epci?: string; age?: number; situation?: string; filiere?: string; n: number };

/** Completes `n` responses per kind, through the respondent path's validation (addResponse). */
export function addPeople(db: Db, kinds: Kind[]): void {
  db.transaction(() => {
    for (const k of kinds) {
      for (let i = 0; i < k.n; i++) {
        const situation = k.situation ?? 'lycee';
        addResponse(db, {
          answers: {
            1: {
              age: String(k.age ?? 16),
              genre: k.genre ?? 'feminin',
              commune: COMMUNE_OF[k.epci ?? 'call'],
              situation,
              ...(situation === 'lycee' ? { filiere: k.filiere ?? 'generale' } : {}),
              ...(situation === 'autre' ? { situation__autre__precision: 'Service civique' } : {}),
              lieu_activite: 'pma',
            },
            4: { envisager_industrie: 'plutot_oui' },
          },
        });
      }
    }
  })();
}

/** Weighted shares of a variable's codes among the responses with a weight (response_weights). */
export function weightedShares(db: Db, questionId: string): Record<string, number> {
  const rows = db
    .prepare(
      `SELECT coalesce(a.option_code, '(aucune)') AS code, sum(w.weight) AS s FROM response_weights w
       LEFT JOIN answers a ON a.response_id = w.response_id AND a.question_id = ? GROUP BY code`,
    )
    .all(questionId) as { code: string; s: number }[];
  const total = rows.reduce((a, r) => a + r.s, 0);
  return Object.fromEntries(rows.map((r) => [r.code, r.s / total]));
}
