import Papa from 'papaparse';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeApp, type TestApp } from '../helpers.js';
import { addStaff, signIn } from '../staff/helpers.js';
import { seedFive } from './helpers.js';

// « Tableau CSV » under each chart of the dashboard: /resultats/tableau.csv?tableau=<id>&<filters>,
// the rows of results.csv for that figure only, for analysts and admins (never facilitators).

let t: TestApp;
let analyst: Awaited<ReturnType<typeof signIn>>['agent'];
let facilitator: Awaited<ReturnType<typeof signIn>>['agent'];

beforeAll(async () => {
  t = makeApp({ now: () => new Date('2026-12-01T10:00:00Z') });
  seedFive(t.db);
  await addStaff(t.db, 'ana@example.org', 'analyst');
  await addStaff(t.db, 'anim@example.org', 'facilitator');
  analyst = (await signIn(t.app, 'ana@example.org')).agent;
  facilitator = (await signIn(t.app, 'anim@example.org')).agent;
});

const rows = (text: string, delimiter = ',') => Papa.parse<Record<string, string>>(text.replace(/^\ufeff/, ''), { header: true, delimiter, skipEmptyLines: true }).data;

describe('/resultats/tableau.csv', () => {
  it.each([
    ['anonymous', () => request(t.app), 401],
    ['facilitator', () => facilitator, 403],
  ] as const)('refuses %s (%s): figures downloads are for analysts and admins', async (_who, agent, status) => {
    const res = await agent().get('/resultats/tableau.csv?tableau=genre');
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).not.toMatch(/text\/csv/);
  });

  it('hides the CSV links from facilitators, shows them to analysts with the page’s filters', async () => {
    const anim = await facilitator.get('/resultats/identite');
    expect(anim.status).toBe(200);
    expect(anim.text).not.toContain('tableau.csv');
    const ana = await analyst.get('/resultats/identite?f.genre=feminin');
    expect(ana.text).toContain('href="/resultats/tableau.csv?tableau&#x3D;situation&amp;f.genre&#x3D;feminin"');
  });

  it('gives one table with the filters, in results.csv columns', async () => {
    const res = await analyst.get('/resultats/tableau.csv?tableau=genre&channel=lycee-carnot');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="mon-avenir-en-artois-tableau-genre-2026-12-01.csv"');
    expect(res.text.split('\n')[0]).toBe('question_id,question_label,option_code,option_label,count,base,percent');
    const data = rows(res.text);
    expect(new Set(data.map((r) => r.question_id))).toEqual(new Set(['genre']));
    expect(data.find((r) => r.option_code === 'feminin')).toMatchObject({ count: '1', base: '2', percent: '50.0' });
    expect(data.find((r) => r.option_code === 'masculin')).toMatchObject({ count: '1', base: '2', percent: '50.0' });
  });

  it('gives every statement of a grid and every rank of a ranking (one figure, several tables)', async () => {
    const grid = rows((await analyst.get('/resultats/tableau.csv?tableau=opinions_territoire')).text);
    expect([...new Set(grid.map((r) => r.question_id))]).toEqual([
      'opinions_territoire__fierte',
      'opinions_territoire__deplacements',
      'opinions_territoire__activites_jeunes',
      'opinions_territoire__jeunes_ecoutes',
    ]);
    const ranking = rows((await analyst.get('/resultats/tableau.csv?tableau=attentes_emploi')).text);
    expect([...new Set(ranking.map((r) => r.question_id))]).toEqual(['attentes_emploi__rang1', 'attentes_emploi__top3', 'attentes_emploi__rang2', 'attentes_emploi__rang3']);
    expect(ranking.find((r) => r.question_id === 'attentes_emploi__rang2' && r.option_code === 'salaire')).toMatchObject({ count: '1', base: '4' });
  });

  it('has the Excel variant (BOM, semicolons, decimal comma) and is in the audit log', async () => {
    const res = await analyst.get('/resultats/tableau.csv?tableau=genre&excel=1');
    expect(res.status).toBe(200);
    expect(res.text.startsWith('\ufeffquestion_id;question_label;')).toBe(true);
    expect(res.text).toContain('\r\n');
    expect(rows(res.text, ';').find((r) => r.option_code === 'feminin')!.percent).toBe('40,0');
    const last = t.db.prepare("SELECT actor, details FROM audit_log WHERE action = 'export.download' ORDER BY id DESC LIMIT 1").get() as { actor: string; details: string };
    expect(last.actor).toBe('ana@example.org');
    expect(JSON.parse(last.details)).toMatchObject({ export: 'tableau-genre', filtres: 'tableau=genre&excel=1' });
  });

  it.each([
    ['an unknown table', '/resultats/tableau.csv?tableau=pointure', 404, 'Ce tableau n’existe pas'],
    ['no table', '/resultats/tableau.csv', 404, 'Ce tableau n’existe pas'],
    ['a bad filter', '/resultats/tableau.csv?tableau=genre&from=hier', 400, 'Date attendue au format JJ/MM/AAAA'],
  ])('answers %s in French', async (_what, url, status, message) => {
    const res = await analyst.get(url);
    expect(res.status).toBe(status);
    expect(res.text).toContain(message);
  });
});
