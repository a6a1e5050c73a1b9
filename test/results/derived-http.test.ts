import Papa from 'papaparse';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { readRecodes } from '../../src/results/derived.js';
import { formBody, makeApp, type TestApp } from '../helpers.js';
import { addStaff, auditActions, signIn, tokenOf } from '../staff/helpers.js';
import { seedDerived } from './derived-fixture.js';
import { freshDb } from './helpers.js';

// The recode pages and the derived variables through HTTP: an analyst creates
// envisager_industrie_oui with the form, then finds it in the results, the filters, the exports and
// the crosstabs; a facilitator gets it protected and never the themes.

let t: TestApp;
let analyst: Awaited<ReturnType<typeof signIn>>['agent'];
let facilitator: Awaited<ReturnType<typeof signIn>>['agent'];
let bearer: string;

const csv = (text: string) => Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true }).data;
const api = (path: string) => request(t.app).get(path).set('Authorization', `Bearer ${bearer}`);

const GOOD = {
  id: 'envisager_industrie_oui',
  label: 'Envisage de travailler dans l’industrie',
  source: 'envisager_industrie',
  group_code_0: 'oui',
  group_label_0: 'Oui',
  group_code_1: 'non',
  group_label_1: 'Non',
  group_code_2: 'nsp',
  group_label_2: 'Ne sait pas',
  assign_oui_tout_a_fait: '0',
  assign_plutot_oui: '0',
  assign_plutot_non: '1',
  assign_pas_du_tout: '1',
  assign_nsp: '2',
  action: 'save',
};

beforeAll(async () => {
  const db = freshDb();
  seedDerived(db, { recodes: false });
  t = makeApp({ db });
  await addStaff(t.db, 'ana@example.org', 'analyst');
  await addStaff(t.db, 'anim@example.org', 'facilitator');
  analyst = (await signIn(t.app, 'ana@example.org')).agent;
  facilitator = (await signIn(t.app, 'anim@example.org')).agent;
  const created = await analyst.post('/compte/jetons').type('form').send(formBody({ _csrf: await tokenOf(analyst, '/compte/jetons'), label: 'tests' }));
  bearer = created.text.match(/(maa_[A-Za-z0-9_-]+)/)![1];
});

describe('/analyse/variables', () => {
  it('lists the recodes and the theme sets, with its link in the analysts’ navigation', async () => {
    const res = await analyst.get('/analyse/variables');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<h1>Variables dérivées</h1>');
    expect(res.text).toMatch(/<a href="\/analyse\/variables"[^>]*aria-current="page"[^>]*>Variables dérivées<\/a>|<a[^>]*aria-current="page"[^>]*href="\/analyse\/variables"/);
    expect(res.text).toContain('Aucune variable dérivée pour l’instant.');
    expect(res.text).toContain('<option value="age__groupe">');
    expect(res.text).toContain('<code>mots_industrie__theme</code>');
    expect((await facilitator.get('/analyse/variables')).status).toBe(403);
  });

  it('shows the form for a source: one group select per source code', async () => {
    const res = await analyst.get('/analyse/variables/nouvelle?source=envisager_industrie');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<select id="assign-plutot_oui" name="assign_plutot_oui">');
    expect(res.text).toContain('name="group_code_2"');
  });

  it('refuses a POST without the CSRF token, storing nothing', async () => {
    const res = await analyst.post('/analyse/variables').type('form').send(formBody(GOOD));
    expect(res.status).toBe(403);
    expect(readRecodes(t.db)).toEqual([]);
  });

  it('gives every error at once next to its field, keeping what was typed', async () => {
    const _csrf = await tokenOf(analyst, '/analyse/variables');
    const res = await analyst
      .post('/analyse/variables')
      .type('form')
      .send(formBody({ ...GOOD, _csrf, id: 'Genre Oui', group_label_1: '', group_code_2: 'oui', assign_nsp: '' }));
    expect(res.status).toBe(400);
    expect(res.text).toContain('<p class="field-error" id="id-erreur">L’identifiant s’écrit en minuscules sans accent');
    expect(res.text).toContain('value="Genre Oui"');
    expect(res.text).toContain('<p class="field-error" id="group_label_1-erreur">Donne un libellé au groupe.</p>');
    expect(res.text).toContain('<p class="field-error" id="group_code_2-erreur">Deux groupes ont le code « oui ».</p>');
    expect(res.text).toContain('<p class="field-error" id="group_sources_2-erreur">Choisis au moins une réponse pour ce groupe.</p>');
    // The assignments typed come back selected.
    expect(res.text).toMatch(/<select id="assign-plutot_non" name="assign_plutot_non">[\s\S]*?<option value="1" selected>/);
    expect(readRecodes(t.db)).toEqual([]);
  });

  it('previews the counts per group without saving, then saves and audits', async () => {
    const _csrf = await tokenOf(analyst, '/analyse/variables');
    const preview = await analyst.post('/analyse/variables').type('form').send(formBody({ ...GOOD, _csrf, action: 'preview' }));
    expect(preview.status).toBe(200);
    expect(preview.text).toContain('Base : 27 répondants classés dans un groupe.');
    expect(preview.text).toMatch(/<tr><td>Oui<\/td><td>17<\/td><td>63,0\u202f%<\/td><\/tr>/);
    expect(readRecodes(t.db)).toEqual([]);
    const saved = await analyst.post('/analyse/variables').type('form').send(formBody({ ...GOOD, _csrf }));
    expect(saved.status).toBe(303);
    expect(saved.headers.location).toBe('/analyse/variables/envisager_industrie_oui?enregistre=1');
    expect(readRecodes(t.db).map((r) => [r.id, r.groups.map((g) => g.sources)])).toEqual([
      ['envisager_industrie_oui', [['oui_tout_a_fait', 'plutot_oui'], ['plutot_non', 'pas_du_tout'], ['nsp']]],
    ]);
    const page = await analyst.get(saved.headers.location);
    expect(page.text).toContain('Variable envisager_industrie_oui enregistrée.');
    expect(page.text).toMatch(/<tr><td>Non<\/td><td>8<\/td>/);
    expect(auditActions(t.db)).toContain('recode.create');
  });
});

describe('a recode and themes everywhere', () => {
  it('filters /api/results.json with f.<recode> like its source codes, and has both tables', async () => {
    const all = await api('/api/results.json');
    const tables = all.body.questions.flatMap((x: { tables: { id: string }[] }) => x.tables);
    expect(tables.find((x: { id: string }) => x.id === 'envisager_industrie_oui')).toMatchObject({ base: 27, derived: { kind: 'recode', source: 'envisager_industrie' } });
    expect(tables.find((x: { id: string }) => x.id === 'mots_industrie__theme')).toMatchObject({ base: 20, derived: { kind: 'theme', coded: 17 } });
    const byRecode = await api('/api/results.json?f.envisager_industrie_oui=oui');
    const bySource = await api('/api/results.json?f.envisager_industrie=oui_tout_a_fait&f.envisager_industrie=plutot_oui');
    expect(byRecode.body.responses).toBe(17);
    expect(byRecode.body.questions.map((x: { tables: unknown }) => x.tables)).toEqual(bySource.body.questions.map((x: { tables: unknown }) => x.tables));
    expect((await api('/api/results.json?f.mots_industrie__theme=emploi')).body.responses).toBe(11);
    expect((await api('/api/results.json?f.envisager_industrie_oui=peut_etre')).status).toBe(400);
  });

  it('puts them in results.csv, responses.csv (Excel too) and the codebook', async () => {
    const results = csv((await api('/export/results.csv?f.genre=feminin')).text);
    expect(results.filter((r) => r.question_id === 'envisager_industrie_oui').map((r) => [r.option_code, r.count, r.base])).toEqual([
      ['oui', '10', '15'],
      ['non', '5', '15'],
      ['nsp', '0', '15'],
    ]);
    expect(results.filter((r) => r.question_id === 'mots_industrie__theme').map((r) => [r.option_code, r.count, r.base, r.percent])).toEqual([
      ['emploi', '4', '10', '40.0'],
      ['environnement', '6', '10', '60.0'],
      ['conditions', '0', '10', '0.0'],
    ]);
    const responses = await api('/export/responses.csv?f.envisager_industrie_oui=non');
    const rows = csv(responses.text);
    expect(rows).toHaveLength(8);
    expect(new Set(rows.map((r) => r.envisager_industrie_oui))).toEqual(new Set(['non']));
    expect(Object.keys(rows[0]).slice(-4)).toEqual(['envisager_industrie_oui', 'mots_industrie__theme__emploi', 'mots_industrie__theme__environnement', 'mots_industrie__theme__conditions']);
    const excel = await api('/export/responses.csv?excel=1&labels=1');
    const header = excel.text.replace(/^\ufeff/, '').split('\r\n')[0].split(';');
    expect(header.slice(-4)).toEqual(['envisager_industrie_oui', 'mots_industrie__theme__emploi', 'mots_industrie__theme__environnement', 'mots_industrie__theme__conditions']);
    const codebook = csv((await api('/export/codebook.csv')).text);
    expect(codebook.find((r) => r.column === 'envisager_industrie_oui')?.codes).toContain('oui = Oui (oui_tout_a_fait = Oui, tout à fait + plutot_oui = Plutôt oui)');
    expect(codebook.find((r) => r.column === 'mots_industrie__theme__conditions')?.question_id).toBe('mots_industrie__theme');
  });

  it('crosses them on /api/crosstab.json and lists them on the crosstab page', async () => {
    const ct = await api('/api/crosstab.json?row=envisager_industrie_oui&col=genre');
    expect(ct.status).toBe(200);
    const cell = (r: string, c: string) => ct.body.cells.find((x: { row: string; col: string }) => x.row === r && x.col === c).count;
    expect([cell('oui', 'feminin'), cell('oui', 'masculin'), cell('non', 'feminin'), cell('non', 'masculin')]).toEqual([10, 7, 5, 3]);
    const themes = await api('/api/crosstab.json?row=genre&col=mots_industrie__theme');
    expect(themes.body.col).toMatchObject({ id: 'mots_industrie__theme', multiple: true });
    expect(themes.body.option_tests.map((o: { code: string }) => o.code)).toEqual(['emploi', 'environnement', 'conditions']);
    const page = await analyst.get('/resultats/croisement');
    expect(page.text).toContain('<option value="envisager_industrie_oui"');
    expect(page.text).toContain('<option value="mots_industrie__theme"');
  });

  it('draws them on the dashboard with their source question, and offers them as filters', async () => {
    const res = await analyst.get('/resultats/industrie?f.envisager_industrie_oui=oui');
    expect(res.status).toBe(200);
    expect(res.text).toContain('id="figure-envisager_industrie_oui"');
    expect(res.text).toContain('id="figure-mots_industrie__theme"');
    expect(res.text).toContain('Variable dérivée : réponses à « Pourrais-tu envisager de travailler dans l’industrie ? » regroupées.');
    expect(res.text).toContain('17 réponses codées sur 17.');
    expect(res.text).toContain('Envisage de travailler dans l’industrie : Oui');
    expect(res.text).toContain('name="f.mots_industrie__theme"');
  });

  it('gives facilitators the recode protected, never the themes nor a theme filter', async () => {
    const res = await facilitator.get('/api/results.json');
    expect(res.status).toBe(200);
    const tables = res.body.questions.flatMap((x: { tables: { id: string }[] }) => x.tables);
    expect(tables.some((x: { id: string }) => x.id.endsWith('__theme'))).toBe(false);
    const recode = tables.find((x: { id: string }) => x.id === 'envisager_industrie_oui');
    expect(recode).toBeDefined();
    // Every count shown is 0 or at least K.
    for (const o of recode.options) expect(o.count === null || o.count === 0 || o.count >= 5).toBe(true);
    const theme = await facilitator.get('/api/results.json?f.mots_industrie__theme=emploi');
    expect(theme.status).toBe(400);
    expect(theme.body.errors[0].field).toBe('f.mots_industrie__theme');
    // A recode of a non-profile question is not a facilitator filter either.
    expect((await facilitator.get('/api/results.json?f.envisager_industrie_oui=oui')).status).toBe(400);
    const page = await facilitator.get('/resultats/industrie');
    expect(page.text).not.toContain('mots_industrie__theme');
  });
});

describe('/api/recodes', () => {
  it('creates, reads, refuses in French and deletes with an analyst token', async () => {
    const body = { label: 'Majeur', source: 'age__groupe', groups: [{ code: 'mineur', label: 'Mineur', sources: ['mineurs_15_17'] }, { code: 'majeur', label: 'Majeur', sources: ['jeunes_18_25', 'autre'] }] };
    const put = await request(t.app).put('/api/recodes/majeur').set('Authorization', `Bearer ${bearer}`).send(body);
    expect(put.status).toBe(201);
    expect(put.body).toEqual({ id: 'majeur', ...body });
    expect((await api('/api/results.json?f.majeur=mineur')).body.responses).toBe(13);
    const bad = await request(t.app)
      .put('/api/recodes/Majeur')
      .set('Authorization', `Bearer ${bearer}`)
      .send({ ...body, groups: [{ code: 'x', label: '', sources: ['mineurs_15_17', 'mineurs_15_17'] }] });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([
      { field: 'id', message: expect.stringContaining('minuscules sans accent') },
      { field: 'groups.0.label', message: 'Donne un libellé au groupe.' },
      { field: 'groups.0.sources', message: 'La réponse « mineurs_15_17 » est déjà dans le groupe 1 : une réponse va dans un seul groupe.' },
    ]);
    expect((await api('/api/recodes/majeur')).body.label).toBe('Majeur');
    expect((await api('/api/recodes')).body.recodes.map((r: { id: string }) => r.id)).toEqual(['envisager_industrie_oui', 'majeur']);
    // Without a token, or from a browser session without the CSRF token: refused.
    expect((await request(t.app).put('/api/recodes/majeur').send(body)).status).toBe(403);
    expect((await request(t.app).get('/api/recodes')).status).toBe(401);
    expect((await analyst.put('/api/recodes/majeur').send(body)).status).toBe(403);
    expect((await request(t.app).delete('/api/recodes/majeur').set('Authorization', `Bearer ${bearer}`)).status).toBe(204);
    expect((await api('/api/recodes/majeur')).status).toBe(404);
  });

  it('deletes from the page, with the CSRF token', async () => {
    const _csrf = await tokenOf(analyst, '/analyse/variables/envisager_industrie_oui');
    const res = await analyst.post('/analyse/variables/envisager_industrie_oui/supprimer').type('form').send(formBody({ _csrf }));
    expect(res.status).toBe(200);
    expect(res.text).toContain('Variable envisager_industrie_oui supprimée.');
    expect(readRecodes(t.db)).toEqual([]);
    expect(auditActions(t.db).filter((a) => a.startsWith('recode.'))).toEqual(['recode.create', 'recode.create', 'recode.delete', 'recode.delete']);
    expect((await api('/api/results.json?f.envisager_industrie_oui=oui')).status).toBe(400);
  });
});
