import { describe, expect, it } from 'vitest';
import { compare } from '../../src/weights/representativeness.js';
import { formOf, getMargin, listMargins, parseShare, validateMargin, type MarginForm } from '../../src/weights/margins.js';
import { freshDb, q } from '../results/helpers.js';
import { addPeople } from './helpers.js';
import fs from 'node:fs';
import path from 'node:path';

// The census figures R checked in test/results/fixtures/statistics.R (chisq.test(c(508, 492), p = c(.515, .485))).
const stats = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, '../results/fixtures/statistics.json'), 'utf8'));

describe('seeded reference margins (migration 018)', () => {
  it('holds exactly what the report sources, and leaves the rest to an admin', () => {
    const db = freshDb();
    const brief = listMargins(db).map((m) => ({ id: m.id, variable: m.variable, population: m.population, source: m.source, year: m.year, shares: Object.fromEntries(m.categories.map((c) => [c.code, c.share])) }));
    expect(brief).toEqual([
      { id: 'sexe_15_24', variable: 'genre', population: 'habitants du PMA âgés de 15 à 24 ans', source: 'INSEE, recensement de la population 2019', year: 2019, shares: { masculin: 51.5, feminin: 48.5 } },
      { id: 'voie_lycee', variable: 'filiere', population: 'lycéens scolarisés sur le territoire du PMA (environ 23 000 en 2022)', source: 'INSEE, Base donnée Éducation des QPV, 2022', year: 2022, shares: { professionnelle: 40, generale: 40, technologique: 20 } },
      { id: 'scolarisation_15_17', variable: 'situation', population: 'habitants du PMA âgés de 15 à 17 ans', source: 'INSEE, recensement de la population 2019', year: 2019, shares: { scolarise: 94.6, non_scolarise: 5.4 } },
      { id: 'epci_tous_ages', variable: 'commune__epci', population: 'habitants du PMA, tous âges (644 475 habitants)', source: 'AULA/INSEE, recensement de la population 2018', year: 2018, shares: { cabbalr: 42.8628, call: 37.4367, cahc: 19.7005 } },
      { id: 'epci_15_24', variable: 'commune__epci', population: 'habitants du PMA âgés de 15 à 24 ans', source: '', year: null, shares: { cabbalr: null, call: null, cahc: null } },
    ]);
    // The intercommunalities' shares are the report's populations (RP 2018), to 4 decimals.
    const epci = getMargin(db, 'epci_tous_ages')!.categories;
    expect(epci.map((c) => c.share)).toEqual([276240, 241270, 126965].map((p) => Math.round((p / 644475) * 1e6) / 1e4));
    expect(getMargin(db, 'scolarisation_15_17')!.universe).toEqual({ variable: 'age__groupe', codes: ['mineurs_15_17'] });
  });
});

describe('editing a margin', () => {
  it.each([
    ['« 51,5 »', '51,5', 51.5],
    ['« 51.5 »', '51.5', 51.5],
    ['« 51,5 % »', '51,5 %', 51.5],
    ['« 100 »', '100', 100],
    ['empty', '  ', null],
    ['text', 'beaucoup', NaN],
    ['negative', '-3', NaN],
    ['two commas', '5,1,2', NaN],
  ])('reads a share: %s', (_name, typed, expected) => {
    expect(parseShare(typed)).toEqual(expected);
  });

  const db = freshDb();
  const sexe = getMargin(db, 'sexe_15_24')!;
  const ok = formOf(sexe);
  const withShares = (m: string, f: string): MarginForm => ({ ...ok, shares: { masculin: m, feminin: f } });
  it.each<[string, MarginForm, Record<string, string>]>([
    ['shares that do not sum to 100', withShares('51,5', '47'), { shares: 'Les parts font 98,5 % au total : il faut 100 % (à 0,1 point près).' }],
    ['a share missing', withShares('51,5', ''), { 'share.feminin': 'Renseigne toutes les parts, ou aucune.' }],
    ['an unreadable share and one over 100', withShares('beaucoup', '150'), { 'share.masculin': 'Part illisible : un nombre entre 0 et 100, par exemple 51,5.', 'share.feminin': 'Une part ne dépasse pas 100 %.' }],
    ['no label, no population', { ...ok, label: ' ', population: '' }, { label: 'Donne un nom à la marge.', population: 'Dis quelle population la marge décrit.' }],
    ['figures without source nor year', { ...ok, source: '', year: '' }, { source: 'Un chiffre a besoin de sa source.', year: 'Donne l’année des chiffres.' }],
    ['a year in the future and a label too long', { ...ok, year: '2031', label: 'x'.repeat(121) }, { year: 'Année attendue sur 4 chiffres, entre 1900 et 2026.', label: '120 caractères au maximum.' }],
  ])('refuses %s, every error at once next to its field', (_name, form, errors) => {
    expect(validateMargin(sexe, form, new Date('2026-12-01T12:00:00Z'))).toEqual({ ok: false, errors });
  });

  it.each<[string, MarginForm, (number | null)[]]>([
    ['shares with a French decimal comma, within 0.1 of 100', withShares('51,55', '48,5'), [51.55, 48.5]],
    ['no share at all: the margin stays to be filled (source and year optional)', { ...withShares('', ''), source: '', year: '' }, [null, null]],
  ])('accepts %s', (_name, form, shares) => {
    const r = validateMargin(sexe, form, new Date('2026-12-01T12:00:00Z'));
    expect(r.ok && r.value.categories.map((c) => c.share)).toEqual(shares);
  });
});

describe('representativeness', () => {
  it('compares the respondents in the census categories, lists the others apart, with the goodness-of-fit test R gives', () => {
    const db = freshDb();
    addPeople(db, [
      { genre: 'masculin', n: 508 },
      { genre: 'feminin', n: 492 },
      { genre: 'autre', n: 7 },
      { genre: 'non_reponse', n: 3 },
    ]);
    const [sexe] = compare(db, q, undefined, [getMargin(db, 'sexe_15_24')!]);
    expect(sexe.compared).toBe(1000);
    expect(sexe.categories).toEqual([
      { code: 'masculin', label: 'Hommes', respondents: 508, percent: 50.8, population: 51.5, gap: expect.closeTo(-0.7, 10) },
      { code: 'feminin', label: 'Femmes', respondents: 492, percent: 49.2, population: 48.5, gap: expect.closeTo(0.7, 10) },
    ]);
    expect(sexe.outside).toEqual([
      { code: 'autre', label: 'Autre', respondents: 7 },
      { code: 'non_reponse', label: 'Je préfère ne pas répondre', respondents: 3 },
      { code: null, label: 'Sans réponse', respondents: 0 },
    ]);
    expect(sexe.test!.chi2).toBeCloseTo(stats.gof.chi2, 10);
    expect(sexe.test!.df).toBe(1);
    expect(sexe.test!.pValue).toBeCloseTo(stats.gof.p, 10);
  });

  it('keeps to the margin’s universe (15-17 year-olds), maps the situations to schooling and follows the filters', () => {
    const db = freshDb();
    addPeople(db, [
      { situation: 'lycee', age: 16, n: 40 },
      { situation: 'apprentissage', age: 17, n: 5 },
      { situation: 'emploi', age: 17, n: 2 },
      { situation: 'autre', age: 15, n: 1 },
      { situation: 'emploi', age: 20, n: 9 },
      { genre: 'masculin', situation: 'lycee', age: 15, n: 3 },
    ]);
    const margin = getMargin(db, 'scolarisation_15_17')!;
    const [all] = compare(db, q, undefined, [margin]);
    expect(all.categories.map((c) => [c.code, c.respondents])).toEqual([
      ['scolarise', 48],
      ['non_scolarise', 2],
    ]);
    expect(all.outsideUniverse).toBe(9);
    expect(all.outside.find((o) => o.code === 'autre')!.respondents).toBe(1);
    expect(all.test!.minExpected).toBeCloseTo(50 * 0.054, 10);
    const [boys] = compare(db, q, { answers: [{ variable: 'genre', codes: ['masculin'] }], channels: [], excludeFlagged: false }, [margin]);
    expect(boys.compared).toBe(3);
  });
});
