import type { Db } from '../../src/db/connection.js';
import { saveRecode } from '../../src/results/derived.js';
import { addResponse, freshDb } from './helpers.js';

// A population whose derived figures are computed by hand in the tests:
//   genre × envisager_industrie × age × what they wrote about industry × its reference themes.
export type Spec = { genre: string; envisager: string; age: string; mots: string; themes: string[] | null; n: number };

export const SPECS: Spec[] = [
  { genre: 'feminin', envisager: 'oui_tout_a_fait', age: '16', mots: 'usine et emploi', themes: ['emploi'], n: 4 },
  { genre: 'feminin', envisager: 'plutot_oui', age: '17', mots: 'pollution', themes: ['environnement'], n: 6 },
  { genre: 'feminin', envisager: 'plutot_non', age: '19', mots: '', themes: null, n: 5 },
  { genre: 'masculin', envisager: 'oui_tout_a_fait', age: '20', mots: 'salaire, emploi, métier dur', themes: ['emploi', 'conditions'], n: 7 },
  // Wrote something, not coded yet: counted in the base of the themes, not in « codées ».
  { genre: 'masculin', envisager: 'pas_du_tout', age: '16', mots: 'je sais pas', themes: null, n: 3 },
  { genre: 'masculin', envisager: 'nsp', age: '22', mots: '', themes: null, n: 2 },
];

export const THEMES = [
  { code: 'emploi', label: 'Productivité et emploi' },
  { code: 'environnement', label: 'Dégradation de l’environnement' },
  { code: 'conditions', label: 'Conditions de travail difficiles' },
];

export const RECODE = {
  id: 'envisager_industrie_oui',
  label: 'Envisage de travailler dans l’industrie',
  source: 'envisager_industrie',
  groups: [
    { code: 'oui', label: 'Oui', sources: ['oui_tout_a_fait', 'plutot_oui'] },
    { code: 'non', label: 'Non', sources: ['plutot_non', 'pas_du_tout'] },
    { code: 'nsp', label: 'Ne sait pas', sources: ['nsp'] },
  ],
};

/** A recode of a derived variable itself: the age groups grouped into minors / adults. */
export const AGE_RECODE = {
  id: 'majeur',
  label: 'Majeur ou mineur',
  source: 'age__groupe',
  groups: [
    { code: 'mineur', label: 'Mineur', sources: ['mineurs_15_17'] },
    { code: 'majeur', label: 'Majeur', sources: ['jeunes_18_25', 'autre'] },
  ],
};

/** Writes themes and a reference coding directly, as the coding screens will. */
export function insertThemes(db: Db, source = 'mots_industrie') {
  THEMES.forEach((t, i) => db.prepare('INSERT INTO themes (source, code, label, definition, position) VALUES (?, ?, ?, ?, ?)').run(source, t.code, t.label, `Définition de ${t.code}`, i + 1));
}

export function code(db: Db, responseId: string, themes: string[], source = 'mots_industrie', coder = '') {
  db.prepare('INSERT INTO codings (source, coder, response_id, uncodable) VALUES (?, ?, ?, 0)').run(source, coder, responseId);
  for (const c of themes) db.prepare('INSERT INTO coding_themes (source, coder, response_id, code) VALUES (?, ?, ?, ?)').run(source, coder, responseId, c);
}

/** The population, its recodes and its codings; `ids` per spec index. */
export function seedDerived(db: Db = freshDb(), opts: { recodes?: boolean; themes?: boolean } = {}) {
  const ids: string[][] = [];
  if (opts.themes !== false) insertThemes(db);
  SPECS.forEach((s, k) => {
    ids[k] = [];
    for (let i = 0; i < s.n; i++) {
      const id = addResponse(db, {
        answers: {
          1: { age: s.age, genre: s.genre, commune: 'Lens', situation: 'lycee', filiere: 'generale', lieu_activite: 'pma' },
          4: { envisager_industrie: s.envisager, mots_industrie: s.mots },
        },
      });
      ids[k].push(id);
      if (s.themes && opts.themes !== false) code(db, id, s.themes);
    }
  });
  if (opts.recodes !== false) {
    saveRecode(db, RECODE);
    saveRecode(db, AGE_RECODE);
  }
  return { db, ids };
}
