import { beforeAll, describe, expect, it } from 'vitest';
import { agreement, cohenKappa, landisKoch } from '../../src/coding/agreement.js';
import { addTheme, listThemes } from '../../src/coding/codebook.js';
import { saveCoding } from '../../src/coding/codings.js';
import { openDatabase, type Db } from '../../src/db/connection.js';
import { seedTexts } from './helpers.js';

// Cohen's kappa on published and hand-computed tables (test/coding/kappa.R computes the same in
// base R), the Landis & Koch reading, and the agreement of two coders read from the database.

describe('Cohen’s kappa', () => {
  it.each([
    // Wikipedia « Cohen's kappa », worked example: 50 items, 20 + 15 agree → po 0.7, pe 0.5, κ 0.4.
    [{ both: 20, aOnly: 5, bOnly: 10, neither: 15 }, 0.7, 0.5, 0.4],
    // Rscript test/coding/kappa.R: po 0.6, pe 0.54, κ 0.1304.
    [{ both: 45, aOnly: 15, bOnly: 25, neither: 15 }, 0.6, 0.54, 0.1304],
    // Perfect agreement; agreement exactly at chance.
    [{ both: 10, aOnly: 0, bOnly: 0, neither: 40 }, 1, 0.68, 1],
    [{ both: 25, aOnly: 25, bOnly: 25, neither: 25 }, 0.5, 0.5, 0],
  ])('%o → po %d, pe %d, κ %d', (table, po, pe, kappa) => {
    const k = cohenKappa(table);
    expect(k.n).toBe(table.both + table.aOnly + table.bOnly + table.neither);
    expect(k.observed).toBeCloseTo(po, 10);
    expect(k.expected).toBeCloseTo(pe, 10);
    expect(k.kappa!).toBeCloseTo(kappa, 4);
  });

  it('is undefined when both coders always say the same single thing, or on no item', () => {
    expect(cohenKappa({ both: 0, aOnly: 0, bOnly: 0, neither: 30 }).kappa).toBeNull();
    expect(cohenKappa({ both: 0, aOnly: 0, bOnly: 0, neither: 0 }).kappa).toBeNull();
  });

  it.each([
    [-0.1, 'poor'],
    [0, 'slight'],
    [0.2, 'slight'],
    [0.21, 'fair'],
    [0.4, 'fair'],
    [0.41, 'moderate'],
    [0.6, 'moderate'],
    [0.7, 'substantial'],
    [0.8, 'substantial'],
    [0.81, 'almostPerfect'],
    [1, 'almostPerfect'],
  ])('Landis & Koch: κ %d is %s', (kappa, reading) => {
    expect(landisKoch(kappa)).toBe(reading);
  });
});

describe('agreement of two coders', () => {
  let db: Db;
  let ids: string[];
  beforeAll(() => {
    db = openDatabase(':memory:');
    ids = seedTexts(db, Array.from({ length: 52 }, (_, i) => `texte ${i}`));
    addTheme(db, 'mots_industrie', { code: 'emploi', label: 'Emploi', definition: '', keywords: [] });
    addTheme(db, 'mots_industrie', { code: 'autre', label: 'Autre', definition: '', keywords: [] });
    // The Wikipedia table on « emploi » over 50 answers; « autre » never given.
    const plan = [...Array(20).fill([true, true]), ...Array(5).fill([true, false]), ...Array(10).fill([false, true]), ...Array(15).fill([false, false])] as [boolean, boolean][];
    plan.forEach(([a, b], i) => {
      saveCoding(db, 'mots_industrie', 'ana', ids[i], { codes: a ? ['emploi'] : [], uncodable: false });
      saveCoding(db, 'mots_industrie', 'bea', ids[i], { codes: b ? ['emploi'] : [], uncodable: false });
    });
    // Coded by one coder only: not compared.
    saveCoding(db, 'mots_industrie', 'ana', ids[50], { codes: ['emploi'], uncodable: false });
    saveCoding(db, 'mots_industrie', 'bea', ids[51], { codes: [], uncodable: true });
  });

  it('gives κ = 0.4 (« passable ») on the answers both coded, and lists the 15 disagreements', () => {
    const ag = agreement(db, 'mots_industrie', listThemes(db, 'mots_industrie'), 'ana', 'bea', 'Non codable');
    expect(ag.compared).toBe(50);
    const emploi = ag.themes[0];
    expect(emploi.table).toEqual({ both: 20, aOnly: 5, bOnly: 10, neither: 15 });
    expect(emploi.kappa.kappa).toBeCloseTo(0.4, 10);
    expect(emploi.reading).toBe('fair');
    expect(ag.themes[1]).toMatchObject({ code: 'autre', kappa: { kappa: null }, reading: null });
    expect(ag.uncodable.table).toEqual({ both: 0, aOnly: 0, bOnly: 0, neither: 50 });
    expect(ag.disagreements).toHaveLength(15);
    expect(ag.disagreements.every((d) => d.a.codes.length !== d.b.codes.length && !d.settled)).toBe(true);
  });
});
