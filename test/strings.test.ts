import { describe, expect, it } from 'vitest';
import { fr, frenchDate } from '../src/strings.js';

describe('French formatting of campaign dates and counts', () => {
  it.each([
    ['2026-10-31T23:00:00Z', '1er novembre 2026'],
    ['2026-11-01T17:00:00Z', '1er novembre 2026 à 18:00'],
    ['2022-11-24T23:00:00Z', '25 novembre 2022'],
    ['2023-01-31T17:00:00Z', '31 janvier 2023 à 18:00'],
    ['2026-06-11T22:00:00Z', '12 juin 2026'],
  ])('%s → « %s » (heure de Paris)', (iso, text) => {
    expect(frenchDate(new Date(iso))).toBe(text);
  });

  it('writes thousands with the French narrow space, in one phrase with the limit', () => {
    expect(fr.survey.charactersLeft(1000)).toBe('1\u202f000 caractères au maximum : il t’en reste {n}.');
    expect(fr.survey.charactersMax(1000)).toBe('1\u202f000 caractères au maximum.');
  });

  it('names the question in front of its message in the error summary', () => {
    expect(fr.errors.summaryItem('Ton âge', 'Écris un nombre entier en chiffres, par exemple 17.')).toEqual({
      name: 'Ton âge :',
      message: 'écris un nombre entier en chiffres, par exemple 17.',
    });
  });
});
