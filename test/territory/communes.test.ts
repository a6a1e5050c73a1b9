import { describe, expect, it } from 'vitest';
import { boundedLevenshtein, normalizeName, territory } from '../../src/territory/communes.js';

const t = territory();
const found = (s: string) => {
  const r = t.resolve(s);
  if (r.status !== 'found') throw new Error(`${s}: ${r.status}`);
  return r.commune;
};

describe('communes and intercommunalities', () => {
  it('knows the 150 communes of the PMA, split as the official EPCI lists say', () => {
    const pma = t.pmaCommunes();
    expect(pma).toHaveLength(150);
    const count = (code: string) => pma.filter((c) => c.epci === code).length;
    expect({ cabbalr: count('cabbalr'), call: count('call'), cahc: count('cahc') }).toEqual({ cabbalr: 100, call: 36, cahc: 14 });
  });

  it.each([
    ['bethune', '62119', 'cabbalr'],
    ['BRUAY LA BUISSIERE', '62178', 'cabbalr'],
    ['Henin Beaumont', '62427', 'cahc'],
    ['Hénin-Beaumont', '62427', 'cahc'],
    ['lens', '62498', 'call'],
    ['  LIEVIN ', '62510', 'call'],
    ['St Venant', '62770', 'cabbalr'],
    ['saint-venant', '62770', 'cabbalr'],
    ['noeux les mines', '62617', 'cabbalr'],
    ['Carvin', '62215', 'cahc'],
    ['Arras', '62041', 'hors_pma'],
    ['Lille', '59350', 'hors_pma'],
    ['Béthune 62400', '62119', 'cabbalr'],
    ['Beaumont (63)', '63032', 'hors_pma'],
    ['Marseille 1er Arrondissement', '13055', 'hors_pma'],
  ])('« %s » → %s (%s)', (input, insee, epci) => {
    const c = found(input);
    expect(c.insee).toBe(insee);
    expect(c.epci).toBe(epci);
  });

  it('prefers the PMA commune when a name is shared with communes elsewhere', () => {
    expect(t.resolve('Richebourg')).toMatchObject({ status: 'found', commune: { department: '62', epci: 'cabbalr' } });
  });

  it('returns the homonyms elsewhere when the PMA commune is preferred, so the page can say so', () => {
    const r = t.resolve('Richebourg');
    if (r.status !== 'found') throw new Error(r.status);
    expect(r.commune.displayName).toBe('Richebourg (62)');
    expect(r.others?.map((c) => c.department)).toEqual(['52', '78']);
    expect(t.resolve('Béthune')).not.toHaveProperty('others');
  });

  it('suggests PMA communes first, and no far-fetched spelling when some names start with the text', () => {
    const r = t.resolve('Vendin');
    if (r.status !== 'unknown') throw new Error(r.status);
    const names = r.suggestions.map((c) => c.name);
    expect(names.slice(0, 2)).toEqual(['Vendin-le-Vieil', 'Vendin-lès-Béthune']);
    expect(names).not.toContain('Denain');
    expect(names).not.toContain('Verdun');
    expect(new Set(r.suggestions.map((c) => c.insee)).size).toBe(names.length);
  });

  it('lists the communes of a postal code given alone', () => {
    const r = t.resolve('62400');
    expect(r.status).toBe('ambiguous');
    if (r.status === 'ambiguous') expect(r.candidates.map((c) => c.name)).toContain('Béthune');
  });

  it('asks when a name is shared outside the PMA', () => {
    const r = t.resolve('Beaumont');
    expect(r.status).toBe('ambiguous');
    if (r.status === 'ambiguous') expect(r.candidates.length).toBeGreaterThan(3);
  });

  it('suggests the closest official names for a typo, local communes first', () => {
    const r = t.resolve('Bethnue');
    expect(r.status).toBe('unknown');
    if (r.status === 'unknown') expect(r.suggestions[0].name).toBe('Béthune');
    expect(t.suggest('lievn').map((c) => c.name)).toContain('Liévin');
    expect(t.resolve('xqzwv')).toEqual({ status: 'unknown', suggestions: [] });
  });

  it('normalises case, accents, hyphens, apostrophes and Saint/Sainte', () => {
    expect(normalizeName("Sainte-Catherine-lès-Arras")).toBe('ste catherine les arras');
    expect(normalizeName("L'Abergement-Clémenciat")).toBe('l abergement clemenciat');
    expect(normalizeName('Nœux-les-Mines')).toBe('noeux les mines');
  });

  it('counts a swap of two letters as one typo', () => {
    expect(boundedLevenshtein('bethnue', 'bethune', 3)).toBe(1);
    expect(boundedLevenshtein('lens', 'liévin', 1)).toBe(2);
  });
});
