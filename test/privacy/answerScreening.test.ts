import { describe, expect, it } from 'vitest';
import { addMask, answerScreener, manualSpans, maskVersion, removeMask, screenedAnswerText } from '../../src/privacy/answerScreening.js';
import { screen } from '../../src/privacy/screening.js';
import { addResponse, freshDb } from '../results/helpers.js';

// The one rule for showing a survey answer outside the analysts' screens: automatic screening
// plus the analysts' manual masks, per answer (response and source).

describe('manual masks on top of the screening', () => {
  it.each([
    // [text, passages, expected]
    ['Bertrand et Bertrand', [{ passage: 'Bertrand', kind: 'nom' as const }], '[nom] et [nom]'],
    ['au lycée Carnot de Lens', [{ passage: 'lycée Carnot', kind: 'masque' as const }], 'au [masqué] de Lens'],
    // A manual passage reaching past an automatic finding is masked whole, once.
    ['Lucas Martin de la rue X', [{ passage: 'Martin de la rue X', kind: 'masque' as const }], '[nom]'],
    ['rien à masquer', [{ passage: 'absent', kind: 'nom' as const }], 'rien à masquer'],
  ])('%j', (text, masks, expected) => {
    expect(screen(text, manualSpans(text, masks)).text).toBe(expected);
  });

  it('applies a mask to its answer only (response and source), and moves the mask version', () => {
    const db = freshDb();
    const person = (text: string) =>
      addResponse(db, {
        answers: {
          1: { age: '17', genre: 'masculin', commune: 'Lens', situation: 'autre', situation__autre__precision: text },
          4: { envisager_industrie: 'nsp', mots_industrie: text },
        },
      });
    const a = person('stage chez Bertrand');
    const b = person('stage chez Bertrand');
    const v0 = maskVersion(db);
    expect(addMask(db, { responseId: a, source: 'mots_industrie' }, 'Bertrand', 'nom')).toBe(true);
    expect(addMask(db, { responseId: a, source: 'mots_industrie' }, 'Bertrand', 'nom')).toBe(false);
    expect(maskVersion(db)).toBe(v0 + 1);
    const s = answerScreener(db);
    expect(s({ responseId: a, source: 'mots_industrie' }, 'stage chez Bertrand').text).toBe('stage chez [nom]');
    expect(s({ responseId: a, source: 'situation__autre__precision' }, 'stage chez Bertrand').text).toBe('stage chez Bertrand');
    expect(s({ responseId: b, source: 'mots_industrie' }, 'stage chez Bertrand').text).toBe('stage chez Bertrand');
    expect(screenedAnswerText(db, { responseId: a, source: 'mots_industrie' }, 'stage chez Bertrand')).toBe('stage chez [nom]');
    const id = (db.prepare('SELECT id FROM manual_masks').get() as { id: number }).id;
    expect(removeMask(db, { responseId: b, source: 'mots_industrie' }, id)).toBe(false);
    expect(removeMask(db, { responseId: a, source: 'mots_industrie' }, id)).toBe(true);
    expect(answerScreener(db)({ responseId: a, source: 'mots_industrie' }, 'stage chez Bertrand').text).toBe('stage chez Bertrand');
    // Deleting a response deletes its masks.
    addMask(db, { responseId: b, source: 'mots_industrie' }, 'chez', 'masque');
    db.prepare('DELETE FROM responses WHERE id = ?').run(b);
    expect(db.prepare('SELECT count(*) AS n FROM manual_masks').get()).toEqual({ n: 0 });
  });
});
