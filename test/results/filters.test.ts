import { beforeAll, describe, expect, it } from 'vitest';
import { defaultChannels } from '../../src/campaign/campaign.js';
import type { Db } from '../../src/db/connection.js';
import { computeResults } from '../../src/results/aggregate.js';
import {
  compileFilter,
  filterToQuery,
  FilterUnavailableError,
  isEmptyFilter,
  NO_CHANNEL,
  normaliseDay,
  parseFilters,
  parseFiltersLenient,
  type Filter,
} from '../../src/results/filters.js';
import { openDatabase } from '../../src/db/connection.js';
import { territory } from '../../src/territory/communes.js';
import { freshDb, q, seedFive, tableOf } from './helpers.js';

const channels = defaultChannels.map((c) => c.code);
const communeExists = (insee: string) => territory().byInsee.has(insee);

function filter(query: Record<string, string | string[]>): Filter {
  const r = parseFilters(query, q, { channels, communeExists });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.filter;
}

describe('parsing filters from a query string', () => {
  it('reads f.<question>=<code>, repeatable, with channel, dates and the flagged switch', () => {
    const f = filter({
      'f.genre': ['feminin', 'autre'],
      'f.commune__epci': 'call',
      channel: 'iut-lens',
      from: '2022-12-01',
      to: '2023-01-31',
      exclude_flagged: '1',
      excel: '1', // other parameters of the route are not filters
    });
    expect(f).toEqual({
      answers: [
        { variable: 'genre', codes: ['feminin', 'autre'] },
        { variable: 'commune__epci', codes: ['call'] },
      ],
      channels: ['iut-lens'],
      from: '2022-12-01',
      to: '2023-01-31',
      excludeFlagged: true,
    });
    expect(isEmptyFilter(f)).toBe(false);
  });

  it('treats empty values as no filter (a form’s « Tous » option)', () => {
    const f = filter({ 'f.genre': '', channel: '', from: '', to: '', exclude_flagged: '0' });
    expect(isEmptyFilter(f)).toBe(true);
  });

  it('accepts grid items, ranking options, communes, intercommunalities and age groups', () => {
    const f = filter({
      'f.opinions_territoire__fierte': 'accord',
      'f.attentes_emploi': 'salaire',
      'f.commune': '62119',
      'f.age__groupe': 'mineurs_15_17',
    });
    expect(f.answers.map((a) => a.variable)).toEqual(['age__groupe', 'commune', 'opinions_territoire__fierte', 'attentes_emploi']);
  });

  it('rejects unknown questions, options, channels and bad dates with French messages, all at once', () => {
    const r = parseFilters(
      {
        'f.pointure': '42',
        'f.genre': 'robot',
        'f.metier': 'x',
        'f.commune': '99999',
        channel: 'inconnu',
        from: '2023-02-30',
        to: '2023/01/31',
        exclude_flagged: 'peut-être',
      },
      q,
      { channels, communeExists },
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const byField = Object.fromEntries(r.errors.map((e) => [e.field, e.message]));
    expect(byField['f.pointure']).toBe('Le filtre porte sur « pointure », qui n’est pas une question filtrable du questionnaire.');
    expect(byField['f.metier']).toMatch(/« metier », qui n’est pas une question filtrable/);
    expect(byField['f.genre']).toBe('« robot » n’est pas une réponse possible à « Quel est ton genre ? ».');
    expect(byField['f.commune']).toMatch(/« 99999 » n’est pas une réponse possible/);
    expect(byField.channel).toBe('Le canal « inconnu » n’existe pas.');
    expect(byField.from).toBe('La date 2023-02-30 n’existe pas.');
    expect(byField.to).toBe('Date attendue au format JJ/MM/AAAA, par exemple 25/11/2022.');
    expect(byField.exclude_flagged).toBe('Valeur attendue : 1 (oui) ou 0 (non).');
  });

  it.each([
    ['31/12/2022', '2022-12-31'],
    ['1/2/2023', '2023-02-01'],
    ['01.02.2023', '2023-02-01'],
    ['2022-12-31', '2022-12-31'],
    ['31-12-2022', '2022-12-31'],
    ['hier', 'hier'],
  ])('reads a French date %s as %s', (typed, day) => {
    expect(normaliseDay(typed)).toBe(day);
  });

  it('accepts dates as a French person types them (JJ/MM/AAAA)', () => {
    expect(filter({ from: '25/11/2022', to: '31/12/2022' })).toMatchObject({ from: '2022-11-25', to: '2022-12-31' });
  });

  it('offers « no channel » as a channel value, never mistaken for a declared code', () => {
    expect(filter({ channel: [NO_CHANNEL, 'lycee-carnot'] }).channels).toEqual([NO_CHANNEL, 'lycee-carnot']);
    expect(channels.every((c) => /^[a-z0-9-]+$/.test(c)) && !channels.includes(NO_CHANNEL)).toBe(true);
  });

  it('keeps every valid part of a form and reports the others (lenient parsing)', () => {
    const r = parseFiltersLenient({ from: '32/13/2022', to: '31/12/2022', 'f.genre': ['feminin', 'robot'], channel: NO_CHANNEL }, q, { channels, communeExists });
    expect(r.errors.map((e) => e.field).sort()).toEqual(['f.genre', 'from']);
    expect(r.filter).toMatchObject({ to: '2022-12-31', channels: [NO_CHANNEL], answers: [] });
    expect(r.filter.from).toBeUndefined();
    const ok = parseFiltersLenient({ from: '2022-12-01', 'f.genre': 'feminin' }, q, { channels });
    expect(ok).toEqual({ filter: { answers: [{ variable: 'genre', codes: ['feminin'] }], channels: [], from: '2022-12-01', to: undefined, excludeFlagged: false }, errors: [] });
  });

  it('refuses a start after the end', () => {
    const r = parseFilters({ from: '2023-01-31', to: '2022-12-01' }, q);
    expect(r).toEqual({ ok: false, errors: [{ field: 'to', message: 'La date de début doit précéder la date de fin.' }] });
  });

  it('compiles to placeholders only: a hostile value never reaches the SQL text', () => {
    const db = freshDb();
    const f: Filter = { answers: [{ variable: 'genre', codes: ["x') OR 1=1 --"] }], channels: ["a'b"], excludeFlagged: false };
    const c = compileFilter(db, q, f);
    expect(c.where).not.toContain("OR 1=1");
    expect(c.where).not.toContain("a'b");
    expect(c.params).toContain("x') OR 1=1 --");
  });

  it('round-trips through a query string', () => {
    const f = filter({ 'f.genre': ['feminin', 'autre'], channel: 'plie', from: '2022-12-01', exclude_flagged: '1' });
    const back = filter(Object.fromEntries([...new Set(filterToQuery(f).keys())].map((k) => [k, filterToQuery(f).getAll(k)])));
    expect(back).toEqual(f);
  });
});

describe('filtered results', () => {
  let db: Db;
  let ids: string[];
  beforeAll(() => {
    db = freshDb();
    ids = seedFive(db);
  });
  const n = (query: Record<string, string | string[]>) => computeResults(db, q, filter(query)).responses;

  it('OR within a question', () => {
    expect(n({ 'f.genre': 'feminin' })).toBe(2);
    expect(n({ 'f.genre': ['feminin', 'autre'] })).toBe(3);
    expect(n({ 'f.convaincre_industrie': ['salaires', 'rien'] })).toBe(4);
  });

  it('AND across questions', () => {
    expect(n({ 'f.genre': 'masculin', 'f.commune__epci': 'call' })).toBe(1);
    expect(n({ 'f.genre': ['masculin', 'feminin'], 'f.commune__epci': ['call', 'cabbalr'] })).toBe(2);
    expect(n({ 'f.genre': 'autre', 'f.commune__epci': 'cahc' })).toBe(0);
  });

  it('derived and compound variables: age group, grid item, ranking, commune', () => {
    expect(n({ 'f.age__groupe': 'mineurs_15_17' })).toBe(2);
    expect(n({ 'f.age__groupe': ['jeunes_18_25', 'autre'] })).toBe(3);
    expect(n({ 'f.opinions_territoire__fierte': 'accord' })).toBe(2);
    expect(n({ 'f.attentes_emploi': 'utilite' })).toBe(1);
    expect(n({ 'f.commune': '62498' })).toBe(1); // Lens
  });

  it('channel and dates (inclusive days on the completion hour)', () => {
    expect(n({ channel: 'iut-lens' })).toBe(2);
    expect(n({ channel: ['iut-lens', 'lycee-carnot'] })).toBe(4);
    // « Sans canal »: the responses that came without a channel, alone or with declared ones.
    expect(n({ channel: NO_CHANNEL })).toBe(1);
    expect(n({ channel: [NO_CHANNEL, 'iut-lens'] })).toBe(3);
    expect(n({ from: '2023-01-01' })).toBe(3);
    expect(n({ to: '2022-12-31' })).toBe(2);
    expect(n({ from: '2023-01-31', to: '2023-01-31' })).toBe(1);
    expect(n({ from: '2022-12-05', to: '2022-12-05' })).toBe(1);
  });

  it('computes every figure on the filtered population', () => {
    const r = computeResults(db, q, filter({ 'f.genre': 'feminin' }));
    expect(r.source).toBe('answers');
    expect(tableOf(r, 'convaincre_industrie')).toMatchObject({ base: 2, count: { connaitre_secteur: 2, salaires: 2, visiter_entreprises: 1, rien: 0 } });
    expect(tableOf(r, 'convaincre_industrie').percent.connaitre_secteur).toBe(100);
    expect(tableOf(r, 'attentes_emploi__rang1')).toMatchObject({ base: 2, count: { salaire: 1, conditions_travail: 1 } });
    expect(r.questions.find((x) => x.id === 'age')!.stats).toEqual({ count: 2, mean: 20, median: 20, min: 16, max: 24 });
    expect(tableOf(r, 'points_forts').base).toBe(1);
  });

  it('excludes flagged responses on request', () => {
    db.prepare('UPDATE responses SET flagged = 1 WHERE id = ?').run(ids[2]);
    expect(n({ exclude_flagged: '1' })).toBe(4);
    expect(n({ exclude_flagged: '1', 'f.genre': 'masculin' })).toBe(1);
    expect(n({ exclude_flagged: '0' })).toBe(5);
    db.prepare('UPDATE responses SET flagged = 0').run();
  });

  it('with only « exclude flagged », subtracts the flagged responses from the running totals: same figures as a scan', () => {
    db.prepare('UPDATE responses SET flagged = 1 WHERE id IN (?, ?)').run(ids[0], ids[4]);
    const f = filter({ exclude_flagged: '1' });
    const fast = computeResults(db, q, f);
    expect(fast.source).toBe('counts');
    expect(fast.responses).toBe(3);
    expect({ ...computeResults(db, q, f, { source: 'answers' }), source: 'counts' }).toEqual(fast);
    expect(tableOf(fast, 'genre').count).toEqual({ masculin: 2, feminin: 1, autre: 0, non_reponse: 0 });
    expect(tableOf(fast, 'attentes_emploi__rang1')).toMatchObject({ base: 3, count: { salaire: 1, epanouissement: 1, conditions_travail: 1 } });
    db.prepare('UPDATE responses SET flagged = 0').run();
  });

  it('says clearly when the flagged column is missing (a database without migration 002)', () => {
    const bare = openDatabase(':memory:');
    const hasFlagged = (bare.prepare(`SELECT count(*) AS n FROM pragma_table_info('responses') WHERE name = 'flagged'`).get() as { n: number }).n;
    if (hasFlagged) bare.exec('ALTER TABLE responses DROP COLUMN flagged');
    expect(() => computeResults(bare, q, filter({ exclude_flagged: '1' }))).toThrow(FilterUnavailableError);
    expect(computeResults(bare, q, filter({ exclude_flagged: '0' })).responses).toBe(0);
  });
});

describe('malformed query values', () => {
  it('answers in French when a value is not text (nested query objects)', () => {
    const r = parseFilters({ 'f.genre': { $gt: '' } }, q);
    expect(r).toEqual({ ok: false, errors: [{ field: 'f.genre', message: 'Valeur illisible : un texte ou une liste de textes est attendu.' }] });
    expect(parseFilters(null, q)).toMatchObject({ ok: true });
  });
});
