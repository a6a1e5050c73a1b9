import fs from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { normalizeName, OUTSIDE_PMA, PMA_EPCI, Territory, territory } from '../../src/territory/communes.js';

// The territory keeps the package's data in compact tables read record by record (see packed.ts):
// here the whole files are parsed the plain way and every commune is checked against them.

const require = createRequire(import.meta.url);
const read = (file: string) => JSON.parse(fs.readFileSync(require.resolve(`@etalab/decoupage-administratif/data/${file}`), 'utf8'));
type Raw = {
  code: string;
  nom: string;
  type: string;
  departement?: string;
  chefLieu?: string;
  commune?: string;
  codesPostaux?: string[];
  population?: number;
};
const raw = read('communes.json') as Raw[];
const epcis = read('epci.json') as { code: string; membres: { code: string }[] }[];
const t = territory();

describe('territory data, against @etalab/decoupage-administratif', () => {
  const actual = raw.filter((c) => c.type === 'commune-actuelle');
  const epciOf = new Map<string, string>();
  for (const pma of PMA_EPCI) for (const m of epcis.find((e) => e.code === pma.siren)!.membres) epciOf.set(m.code, pma.code);
  const nameCount = new Map<string, number>();
  for (const c of actual) nameCount.set(normalizeName(c.nom), (nameCount.get(normalizeName(c.nom)) ?? 0) + 1);

  it('has every current commune, in the order of the file, with the same fields', () => {
    expect(t.communes).toHaveLength(actual.length);
    expect(t.byInsee.size).toBe(actual.length);
    actual.forEach((c, i) => {
      const expected = {
        insee: c.code,
        name: c.nom,
        department: c.departement ?? '',
        postalCodes: c.codesPostaux ?? [],
        population: c.population ?? 0,
        epci: epciOf.get(c.code) ?? OUTSIDE_PMA.code,
        displayName: nameCount.get(normalizeName(c.nom))! > 1 ? `${c.nom} (${c.departement})` : c.nom,
      };
      // toEqual on 35,000 objects is slow: a string comparison says the same.
      if (JSON.stringify(t.communes[i]) !== JSON.stringify(expected)) expect(t.communes[i]).toEqual(expected);
      if (t.byInsee.get(c.code) !== t.communes[i]) throw new Error(`byInsee ${c.code}`);
    });
    expect([...t.byInsee.keys()]).toEqual(actual.map((c) => c.code));
  });

  it('finds every current commune by its name with its department, and with each of its postal codes', () => {
    for (const c of actual) {
      const commune = t.byInsee.get(c.code)!;
      const byName = t.resolve(`${c.nom} (${c.departement})`);
      const named = byName.status === 'found' ? [byName.commune] : byName.status === 'ambiguous' ? byName.candidates : [];
      if (!named.includes(commune)) throw new Error(`${c.nom} (${c.code}) : ${byName.status}`);
      // "Bors (Canton de Tude-et-Lavalette) 16190" would lose its brackets as if they held a department.
      if (c.nom.includes('(')) continue;
      for (const cp of c.codesPostaux ?? []) {
        const r = t.resolve(`${c.nom} ${cp}`);
        const found = r.status === 'found' ? [r.commune] : r.status === 'ambiguous' ? r.candidates : [];
        if (!found.includes(commune)) throw new Error(`${c.nom} ${cp} : ${r.status}`);
      }
    }
  });

  it('leads the names of former communes and districts to the current commune', () => {
    let checked = 0;
    for (const c of raw) {
      const parentCode = c.type === 'arrondissement-municipal' ? c.commune : c.chefLieu;
      if (c.type === 'commune-actuelle' || !parentCode || !t.byInsee.has(parentCode)) continue;
      const r = t.resolve(c.nom);
      const found = r.status === 'found' ? [r.commune] : r.status === 'ambiguous' ? r.candidates : [];
      if (!found.includes(t.byInsee.get(parentCode)!)) throw new Error(`${c.nom} → ${parentCode} : ${r.status}`);
      checked++;
    }
    expect(checked).toBeGreaterThan(2000);
  });

  it('returns the same object for a commune however it is found', () => {
    const bethune = t.byInsee.get('62119')!;
    expect(t.resolve('Béthune')).toEqual({ status: 'found', commune: bethune });
    expect(t.resolve('insee:62119')).toMatchObject({ status: 'found' });
    expect((t.resolve('insee:62119') as { commune: unknown }).commune).toBe(bethune);
    expect(t.search('bethu')).toContain(bethune);
    expect(t.pmaCommunes()).toContain(bethune);
  });
});

describe('Territory from given records', () => {
  const groups = PMA_EPCI.map((p, k) => ({ code: p.siren, nom: p.label, membres: k === 0 ? [{ code: '62001', nom: 'Aville' }] : [] }));
  const records = [
    { code: '62002', nom: 'Saint-Bourg', type: 'commune-actuelle', departement: '62', codesPostaux: ['62100', '62200'], population: 50 },
    { code: '62001', nom: 'Aville', type: 'commune-actuelle', departement: '62', codesPostaux: ['62100'], population: 900 },
    { code: '80001', nom: 'Aville', type: 'commune-actuelle', departement: '80', codesPostaux: ['62200'], population: 10 },
    { code: '62003', nom: 'Vieux-Hameau', type: 'commune-deleguee', chefLieu: '62002' },
    { code: '62004', nom: 'Saint-Bourg', type: 'commune-associee', chefLieu: '62002' },
    { code: '99999', nom: 'Nulle-Part', type: 'commune-deleguee', chefLieu: '00000' },
  ] as const;
  const small = new Territory(records as never, groups);

  it('builds the same communes as the package data would', () => {
    expect(small.communes.map((c) => [c.insee, c.displayName, c.epci, c.postalCodes.join(' '), c.population])).toEqual([
      ['62002', 'Saint-Bourg', 'hors_pma', '62100 62200', 50],
      ['62001', 'Aville (62)', 'cabbalr', '62100', 900],
      ['80001', 'Aville (80)', 'hors_pma', '62200', 10],
    ]);
    expect(small.resolve('vieux hameau')).toMatchObject({ status: 'found', commune: { insee: '62002' } });
    expect(small.resolve('St Bourg')).toMatchObject({ status: 'found', commune: { insee: '62002' } });
    expect(small.resolve('Nulle Part')).toMatchObject({ status: 'unknown' });
    // Two communes named Aville: the one of the PMA wins; a postal code lists its communes.
    expect(small.resolve('aville')).toMatchObject({ status: 'found', commune: { insee: '62001' } });
    expect(small.resolve('Aville (80)')).toMatchObject({ status: 'found', commune: { insee: '80001' } });
    expect(small.resolve('62100')).toMatchObject({ status: 'found', commune: { insee: '62001' } });
    const both = small.resolve('62200');
    expect(both.status === 'ambiguous' && both.candidates.map((c) => c.insee)).toEqual(['62002', '80001']);
    // PMA first, then by population.
    expect(small.search('av').map((c) => c.insee)).toEqual(['62001', '80001']);
    expect(small.byInsee.get('80001')).toBe(small.communes[2]);
    expect(small.byInsee.has('00000')).toBe(false);
    expect([...small.byInsee].map(([code]) => code)).toEqual(['62002', '62001', '80001']);
  });

  it('refuses data without one of the PMA groups, or with an INSEE code twice', () => {
    expect(() => new Territory(records as never, groups.slice(1))).toThrow(/EPCI 200072460/);
    expect(() => new Territory([...records, records[0]] as never, groups)).toThrow(/62002 en double/);
  });
});
