import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createStaffStore } from '../../src/staff/store.js';
import { makeApp } from '../helpers.js';
import { addStaff, signIn } from '../staff/helpers.js';
import { addResponse } from './helpers.js';

async function setup() {
  const t = makeApp();
  const ana = await addStaff(t.db, 'ana@exemple.fr', 'analyst');
  await addStaff(t.db, 'anim@exemple.fr', 'facilitator');
  const token = createStaffStore(t.db).createToken(ana.id, 'r').token;
  const people: [string, string, number][] = [
    ['feminin', 'oui_tout_a_fait', 12],
    ['feminin', 'plutot_non', 88],
    ['masculin', 'oui_tout_a_fait', 24],
    ['masculin', 'plutot_non', 76],
  ];
  for (const [genre, envisager, n] of people) {
    for (let i = 0; i < n; i++) {
      addResponse(t.db, { answers: { 1: { age: '16', genre, commune: 'Lens', situation: 'lycee', filiere: 'generale', lieu_activite: 'pma' }, 4: { envisager_industrie: envisager } } });
    }
  }
  return { t, token };
}

const Q = 'row=genre&col=envisager_industrie&f.genre=feminin&f.genre=masculin';

describe('crosstab routes', () => {
  it('answers the documented JSON: cells with shares and Wilson intervals, totals, the test, readings', async () => {
    const { t, token } = await setup();
    const res = await request(t.app).get(`/api/crosstab.json?${Q}`).set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(200);
    expect(res.body.row).toMatchObject({ id: 'genre', multiple: false });
    expect(res.body.base).toBe(200);
    const cell = res.body.cells.find((c: { row: string; col: string }) => c.row === 'feminin' && c.col === 'oui_tout_a_fait');
    expect(cell).toEqual({ row: 'feminin', col: 'oui_tout_a_fait', count: 12, row_percent: 12, row_ci_low: expect.closeTo(7.0, 1), row_ci_high: expect.closeTo(19.8, 1), col_percent: expect.closeTo(33.333333, 5), col_ci_low: expect.any(Number), col_ci_high: expect.any(Number) });
    expect(res.body.test).toEqual({ chi2: expect.any(Number), df: 1, p_value: expect.any(Number), min_expected: 18 });
    expect(res.body.row_totals).toContainEqual({ code: 'feminin', count: 100, percent: 50 });
    expect(res.body.readings.some((r: string) => r.includes('« Oui, tout à fait » : 24,0 % des « Masculin » contre 12,0 % des « Féminin », soit 2,00 fois plus (IC 95 % : 1,06 à 3,77)'))).toBe(true);
  });

  it('exports the crosstab as CSV (and for Excel), audited', async () => {
    const { t, token } = await setup();
    const csv = await request(t.app).get(`/export/crosstab.csv?${Q}`).set('Authorization', `Bearer ${token}`);
    expect(csv.status).toBe(200);
    const lines = csv.text.trim().split('\n');
    expect(lines[0]).toBe('row_variable,row_code,row_label,col_variable,col_code,col_label,count,row_percent,row_ci_low,row_ci_high,col_percent,col_ci_low,col_ci_high');
    expect(lines).toContain('genre,feminin,Féminin,envisager_industrie,oui_tout_a_fait,"Oui, tout à fait",12,12.00,7.00,19.81,33.33,20.21,49.67');
    const excel = await request(t.app).get(`/export/crosstab.csv?excel=1&${Q}`).set('Authorization', `Bearer ${token}`);
    expect(excel.text.startsWith('\ufeffrow_variable;')).toBe(true);
    expect(excel.text).toContain(';12;12,00;7,00;19,81;');
    const audited = t.db.prepare(`SELECT details FROM audit_log WHERE action = 'export.download'`).all() as { details: string }[];
    expect(audited.length).toBe(2);
  });

  it('shows the page with the table, the reading and the chart data; keeps choices on a bad parameter', async () => {
    const { t } = await setup();
    const { agent } = await signIn(t.app, 'ana@exemple.fr');
    const page = await agent.get(`/resultats/croisement?${Q}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Croisement de deux questions');
    expect(page.text).toContain('data-crosstab=');
    expect(page.text).toContain('2,00 fois plus');
    expect(page.text).toMatch(/<option value="genre" selected>/);
    const bad = await agent.get('/resultats/croisement?row=genre&col=nope');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('« nope » n’est pas une variable que l’on peut croiser.');
    expect(bad.text).toMatch(/<option value="genre" selected>/);
    const empty = await agent.get('/resultats/croisement');
    expect(empty.status).toBe(200);
  });

  it.each([
    ['anonymous JSON', undefined, '/api/crosstab.json', 401],
    // Facilitators get protected crosstabs without filters (test/privacy/crosstab-protected.test.ts).
    ['facilitator JSON with filters', 'anim@exemple.fr', '/api/crosstab.json', 400],
    ['facilitator page with filters', 'anim@exemple.fr', '/resultats/croisement', 400],
    ['facilitator CSV with filters', 'anim@exemple.fr', '/export/crosstab.csv', 400],
  ])('keeps full crosstabs to analysts and admins: %s', async (_n, who, path, status) => {
    const { t } = await setup();
    const agent = who ? (await signIn(t.app, who)).agent : request.agent(t.app);
    expect((await agent.get(`${path}?${Q}`).redirects(0)).status).toBe(status);
  });

  it('answers 400 with every problem in French', async () => {
    const { t, token } = await setup();
    const res = await request(t.app).get('/api/crosstab.json?row=genre&from=31-12').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['col', 'from']);
  });
});
