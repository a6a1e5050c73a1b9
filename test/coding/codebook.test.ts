import { beforeEach, describe, expect, it } from 'vitest';
import {
  addTheme,
  codeError,
  deleteTheme,
  listThemes,
  mergeThemes,
  removalImpact,
  replaceCodebook,
  suggestCode,
  themeCounts,
  updateTheme,
} from '../../src/coding/codebook.js';
import { readCoding, saveCoding } from '../../src/coding/codings.js';
import { openDatabase, type Db } from '../../src/db/connection.js';
import { seedTexts } from './helpers.js';

// The codebook of a source: add, rename, merge, delete, replace; what each does to the codings.

const S = 'mots_industrie';
let db: Db;
let ids: string[];
const theme = (code: string, label = code, keywords: string[] = []) => ({ code, label, definition: '', keywords });

beforeEach(() => {
  db = openDatabase(':memory:');
  ids = seedTexts(db, ['usine', 'pollution', 'usine et pollution', 'rien', 'solidarité']);
  for (const t of [theme('emploi', 'Emploi', ['usine']), theme('environnement', 'Environnement', ['pollu*']), theme('pollution', 'Pollution'), theme('valeurs', 'Valeurs')]) {
    expect(addTheme(db, S, t).ok).toBe(true);
  }
});

describe('codes', () => {
  it.each([
    ['emploi', undefined],
    ['conditions_difficiles', undefined],
    ['co2', undefined],
    ['Emploi', /doit être écrit en minuscules.*« emploi »/],
    ['conditions de travail', /« conditions_de_travail »/],
    ['écologie', /« ecologie »/],
    ['2emploi', /commençant par une lettre/],
    ['emploi_', /minuscules/],
    ['', /Indiquez un code/],
    ['a'.repeat(41), /trop long/],
  ])('« %s »', (code, error) => {
    const e = codeError(code);
    if (error) expect(e).toMatch(error);
    else expect(e).toBeUndefined();
  });

  it('suggests a snake_case code from a label', () => {
    expect(suggestCode('Conditions de travail difficiles')).toBe('conditions_de_travail_difficiles');
    expect(suggestCode('Dégradation de l’environnement')).toBe('degradation_de_l_environnement');
    expect(suggestCode('Œuvres')).toBe('oeuvres');
  });
});

describe('codebook changes', () => {
  it('creates themes in order and refuses a taken code, every error at once', () => {
    expect(listThemes(db, S).map((t) => [t.code, t.position])).toEqual([['emploi', 0], ['environnement', 1], ['pollution', 2], ['valeurs', 3]]);
    const r = addTheme(db, S, { code: 'emploi', label: '', definition: '', keywords: ['de la'] });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors.map((e) => e.field)).toEqual(['code', 'label', 'keywords']);
      expect(r.errors[0].message).toBe('Le code « emploi » est déjà pris dans ce plan de codage.');
    }
    // Another source has its own codebook.
    expect(addTheme(db, 'message_elus', theme('emploi')).ok).toBe(true);
    expect(listThemes(db, S)).toHaveLength(4);
  });

  it('renames a theme (label, definition, keywords) and keeps its codings', () => {
    saveCoding(db, S, '', ids[0], { codes: ['emploi'], uncodable: false });
    const r = updateTheme(db, S, 'emploi', { label: 'Productivité et emploi', definition: 'Produire, employer.', keywords: ['usine', 'emploi'] });
    expect(r.ok).toBe(true);
    expect(listThemes(db, S)[0]).toEqual({ code: 'emploi', label: 'Productivité et emploi', definition: 'Produire, employer.', keywords: ['usine', 'emploi'], position: 0 });
    expect(readCoding(db, S, '', ids[0])).toEqual({ codes: ['emploi'], uncodable: false });
    expect(updateTheme(db, S, 'inconnu', { label: 'X', definition: '', keywords: [] }).ok).toBe(false);
  });

  it('merges A into B: codings move, an answer with both keeps one, keywords join, A disappears', () => {
    saveCoding(db, S, '', ids[1], { codes: ['pollution'], uncodable: false });
    saveCoding(db, S, '', ids[2], { codes: ['emploi', 'environnement', 'pollution'], uncodable: false });
    saveCoding(db, S, 'analyste-1', ids[1], { codes: ['pollution', 'valeurs'], uncodable: false });
    updateTheme(db, S, 'pollution', { label: 'Pollution', definition: '', keywords: ['fumée', 'POLLU*'] });
    const r = mergeThemes(db, S, 'pollution', 'environnement');
    expect(r).toEqual({ ok: true, value: { moved: 2, already: 1 } });
    expect(listThemes(db, S).map((t) => t.code)).toEqual(['emploi', 'environnement', 'valeurs']);
    expect(listThemes(db, S)[1].keywords).toEqual(['pollu*', 'fumée']);
    expect(readCoding(db, S, '', ids[1])).toEqual({ codes: ['environnement'], uncodable: false });
    expect(readCoding(db, S, '', ids[2])).toEqual({ codes: ['emploi', 'environnement'], uncodable: false });
    expect(readCoding(db, S, 'analyste-1', ids[1])).toEqual({ codes: ['environnement', 'valeurs'], uncodable: false });
    expect(themeCounts(db, S)).toEqual(new Map([['emploi', 1], ['environnement', 2]]));
    expect(mergeThemes(db, S, 'emploi', 'emploi').ok).toBe(false);
    expect(mergeThemes(db, S, 'emploi', 'inconnu').ok).toBe(false);
  });

  it('deletes a theme with its codings; an answer left with no theme is « à coder » again', () => {
    saveCoding(db, S, '', ids[0], { codes: ['emploi'], uncodable: false });
    saveCoding(db, S, '', ids[2], { codes: ['emploi', 'environnement'], uncodable: false });
    saveCoding(db, S, '', ids[3], { codes: [], uncodable: false });
    saveCoding(db, S, '', ids[4], { codes: [], uncodable: true });
    saveCoding(db, S, 'analyste-1', ids[0], { codes: ['emploi'], uncodable: false });
    expect(removalImpact(db, S, ['emploi'])).toEqual({ codings: 3, uncoded: 2 });
    expect(deleteTheme(db, S, 'emploi')).toEqual({ codings: 3, uncoded: 2 });
    expect(readCoding(db, S, '', ids[0])).toBeUndefined();
    expect(readCoding(db, S, 'analyste-1', ids[0])).toBeUndefined();
    expect(readCoding(db, S, '', ids[2])).toEqual({ codes: ['environnement'], uncodable: false });
    // Looked at and given no theme, or uncodable: untouched.
    expect(readCoding(db, S, '', ids[3])).toEqual({ codes: [], uncodable: false });
    expect(readCoding(db, S, '', ids[4])).toEqual({ codes: [], uncodable: true });
    expect(deleteTheme(db, S, 'emploi')).toBeUndefined();
  });

  it('replaces the codebook: kept codes keep codings, missing ones go with theirs, the file order wins', () => {
    saveCoding(db, S, '', ids[0], { codes: ['emploi'], uncodable: false });
    saveCoding(db, S, '', ids[1], { codes: ['pollution'], uncodable: false });
    const plan = replaceCodebook(db, S, [theme('valeurs', 'Valeurs humaines'), theme('emploi', 'Emploi', ['usine']), theme('conditions', 'Conditions')]);
    expect(plan).toMatchObject({ added: ['conditions'], changed: ['valeurs'], unchanged: ['emploi'], impact: { codings: 1, uncoded: 1 } });
    expect(plan.removed).toEqual([{ code: 'environnement', label: 'Environnement', codings: 0 }, { code: 'pollution', label: 'Pollution', codings: 1 }]);
    expect(listThemes(db, S).map((t) => t.code)).toEqual(['valeurs', 'emploi', 'conditions']);
    expect(readCoding(db, S, '', ids[0])).toEqual({ codes: ['emploi'], uncodable: false });
    expect(readCoding(db, S, '', ids[1])).toBeUndefined();
  });

  it('keeps several themes per answer, and replaces a coding when saved again', () => {
    saveCoding(db, S, '', ids[2], { codes: ['emploi', 'environnement', 'emploi'], uncodable: false });
    expect(readCoding(db, S, '', ids[2])).toEqual({ codes: ['emploi', 'environnement'], uncodable: false });
    saveCoding(db, S, '', ids[2], { codes: ['valeurs'], uncodable: false });
    expect(readCoding(db, S, '', ids[2])).toEqual({ codes: ['valeurs'], uncodable: false });
    // Uncodable carries no theme.
    saveCoding(db, S, '', ids[2], { codes: ['valeurs'], uncodable: true });
    expect(readCoding(db, S, '', ids[2])).toEqual({ codes: [], uncodable: true });
  });
});
