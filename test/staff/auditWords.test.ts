import { describe, expect, it } from 'vitest';
import { loadQuestionnaire } from '../../src/questionnaire/index.js';
import { queryWords } from '../../src/results/filterWords.js';
import { auditDetailsWords } from '../../src/staff/auditWords.js';

const ctx = {
  q: loadQuestionnaire(),
  channelLabel: (c: string) => ({ 'lycee-carnot': 'Lycée Carnot, Bruay-La-Buissière' })[c],
  communeName: (c: string) => ({ '62119': 'Béthune' })[c],
};
const plain = (s: string) => s.replace(/\u00a0/g, ' ');

describe('the journal in plain words', () => {
  it.each([
    [{ reason: 'identifiants' }, 'motif : identifiants incorrects'],
    [{ reason: 'bloque' }, 'motif : compte bloqué'],
    [{ minutes: 15 }, 'durée : 15 min'],
    [{ email: 'a@example.org', from: 'analyst', to: 'admin' }, 'compte : a@example.org · ancien rôle : Analyste · nouveau rôle : Administrateur'],
    [{ export: 'reponses', filtres: '(aucun)', via: 'token' }, 'fichier : réponses (CSV) · filtres : aucun · par : jeton d’API'],
    [
      { export: 'reponses', filtres: 'excel=1&labels=1&f.genre=feminin', via: 'session' },
      'fichier : réponses (CSV) · filtres : Excel, libellés, Quel est ton genre ? = Féminin · par : navigateur',
    ],
    [{ ouverture: '2026-11-01T23:00:00.000Z', cloture: null }, 'ouverture : 2 nov. 2026 à 0 h 00 · clôture : aucune'],
    [{ brouillons: 12, jours: 30 }, 'brouillons : 12 · après : 30 jours'],
    [{ inconnu: 'valeur' }, 'inconnu : valeur'], // a key added elsewhere is shown, not hidden
  ])('%j → %s', (details, expected) => {
    expect(plain(auditDetailsWords(details, ctx))).toBe(expected);
  });

  it.each([
    ['excel=1&labels=1', 'Excel, libellés'],
    ['f.genre=feminin&f.genre=masculin', 'Quel est ton genre ? = Féminin ou Masculin'],
    ['channel=lycee-carnot&from=2026-11-01&to=2026-11-30&exclude_flagged=1', 'à partir du 1er nov. 2026, jusqu’au 30 nov. 2026, exclure les réponses signalées, canal de diffusion = Lycée Carnot, Bruay-La-Buissière'],
    ['f.commune=62119', 'Dans quelle commune habites-tu ? = Béthune'],
    ['f.genre=code_inconnu&autre=x', 'autre = x, Quel est ton genre ? = code_inconnu'],
  ])('query %s → %s', (query, expected) => {
    expect(plain(queryWords(query, ctx))).toBe(expected);
  });
});
