import Papa from 'papaparse';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { wilson } from '../../src/results/statistics.js';
import { createStaffStore } from '../../src/staff/store.js';
import { csrfFrom, formBody, makeApp } from '../helpers.js';
import { addStaff, auditActions, signIn } from '../staff/helpers.js';
import { addPeople } from './helpers.js';

async function setup() {
  const t = makeApp();
  const ana = await addStaff(t.db, 'ana@exemple.fr', 'analyst');
  await addStaff(t.db, 'admin@exemple.fr', 'admin');
  await addStaff(t.db, 'anim@exemple.fr', 'facilitator');
  const token = createStaffStore(t.db).createToken(ana.id, 'r').token;
  // 254 boys for 246 girls (50,8 % against the census's 51,5 %), a few « autre ».
  addPeople(t.db, [
    { genre: 'masculin', epci: 'cabbalr', filiere: 'generale', n: 200 },
    { genre: 'masculin', epci: 'call', filiere: 'professionnelle', n: 54 },
    { genre: 'feminin', epci: 'call', filiere: 'generale', n: 146 },
    { genre: 'feminin', epci: 'cahc', filiere: 'technologique', n: 100 },
    { genre: 'autre', epci: 'hors_pma', filiere: 'generale', n: 6 },
  ]);
  return { t, token };
}

const SAVE = { margins: ['sexe_15_24', 'voie_lycee'], tolerance: '0,001', max_iterations: '100', cap: '5' };

async function saveWeighting(agent: ReturnType<typeof request.agent>, fields: Record<string, string | string[]> = SAVE) {
  const page = await agent.get('/analyse/ponderation');
  return agent.post('/analyse/ponderation').type('form').send(formBody({ _csrf: csrfFrom(page.text), ...fields }));
}

describe('weighting pages and /api/weights.json', () => {
  it('answers 404 with a French message while no weighting is in force, then the documented shape', async () => {
    const { t, token } = await setup();
    const none = await request(t.app).get('/api/weights.json').set('Authorization', `Bearer ${token}`);
    expect(none.status).toBe(404);
    expect(none.body).toEqual({ error: 'Aucune pondération n’est en vigueur : un analyste la met en vigueur sur /analyse/ponderation.' });

    const { agent } = await signIn(t.app, 'ana@exemple.fr');
    const saved = await saveWeighting(agent);
    expect(saved.status).toBe(200);
    expect(saved.text).toContain('Pondération mise en vigueur : les résultats pondérés l’utilisent.');
    expect(saved.text).toContain('Pondération en vigueur, enregistrée le ');

    const res = await request(t.app).get('/api/weights.json').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    const num = expect.any(Number);
    expect(res.body).toEqual({
      margins: [
        {
          id: 'sexe_15_24',
          variable: 'genre',
          population: 'habitants du PMA âgés de 15 à 24 ans',
          source: 'INSEE, recensement de la population 2019',
          year: 2019,
          targets: { masculin: 0.515, feminin: 0.485 },
          achieved: { masculin: expect.closeTo(0.515, 4), feminin: expect.closeTo(0.485, 4) },
          sample: { masculin: 0.508, feminin: 0.492 },
          outside_share: expect.closeTo(6 / 506, 6),
        },
        {
          id: 'voie_lycee',
          variable: 'filiere',
          population: 'lycéens scolarisés sur le territoire du PMA (environ 23 000 en 2022)',
          source: 'INSEE, Base donnée Éducation des QPV, 2022',
          year: 2022,
          targets: { professionnelle: 0.4, generale: 0.4, technologique: 0.2 },
          achieved: { professionnelle: expect.closeTo(0.4, 4), generale: expect.closeTo(0.4, 4), technologique: expect.closeTo(0.2, 4) },
          sample: { professionnelle: expect.closeTo(54 / 506, 6), generale: expect.closeTo(352 / 506, 6), technologique: expect.closeTo(100 / 506, 6) },
          outside_share: 0,
        },
      ],
      responses: 506,
      iterations: num,
      converged: true,
      max_gap: num,
      tolerance: 0.00001,
      max_iterations: 100,
      // « trim » not ticked: the cap typed is not used.
      cap: null,
      trimmed: 0,
      design_effect: num,
      effective_sample_size: num,
      distribution: { min: num, q1: num, median: num, q3: num, max: num, histogram: expect.any(Array) },
      saved_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/),
      saved_by: 'ana@exemple.fr',
    });
    expect(res.body.max_gap).toBeLessThanOrEqual(0.00001);
    expect(res.body.design_effect).toBeGreaterThan(1);
    expect(res.body.effective_sample_size).toBeCloseTo(506 / res.body.design_effect, 3);
    expect(res.body.distribution.histogram).toHaveLength(10);
    expect(res.body.distribution.histogram.reduce((a: number, b: { count: number }) => a + b.count, 0)).toBe(506);
    expect(auditActions(t.db)).toContain('weighting.save');

    // Removed: the API says so again, and the removal is audited.
    const page = await agent.get('/analyse/ponderation');
    const removed = await agent.post('/analyse/ponderation/retirer').type('form').send(formBody({ _csrf: csrfFrom(page.text) }));
    expect(removed.status).toBe(200);
    expect(removed.text).toContain('Pondération retirée : les résultats ne sont plus pondérés.');
    expect((await request(t.app).get('/api/weights.json').set('Authorization', `Bearer ${token}`)).status).toBe(404);
    expect(auditActions(t.db)).toContain('weighting.remove');
  });

  it('shows a preview (GET, nothing saved) with iterations, design effect, distribution and the achieved margins', async () => {
    const { t } = await setup();
    const { agent } = await signIn(t.app, 'ana@exemple.fr');
    const res = await agent.get('/analyse/ponderation?calculer=1&margins=sexe_15_24&tolerance=0,01&max_iterations=50');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.text).toContain('Résultat du calcul (pas encore en vigueur)');
    expect(res.text).toMatch(/Convergé en \d+ itérations?\./);
    expect(res.text).toContain('Effet de plan (Kish, 1 + CV²) : ');
    expect(res.text).toContain('Taille d’échantillon effective : ');
    expect(res.text).toContain('Hors du recensement : 1,2\u202f% des répondants (6), part gardée.');
    expect(res.text).toContain('gardent, sur cette marge, leur part de l’échantillon');
    expect(res.text).toContain('class="hist-bar"');
    expect(res.text).toContain('Aucune pondération n’est en vigueur.');
    expect(t.db.prepare('SELECT count(*) AS n FROM weighting').get()).toEqual({ n: 0 });
  });

  it('refuses a bad form with every error next to its field, what was typed kept; CSRF required', async () => {
    const { t } = await setup();
    const { agent } = await signIn(t.app, 'ana@exemple.fr');
    const forged = await agent.post('/analyse/ponderation').type('form').send(formBody(SAVE));
    expect(forged.status).toBe(403);
    const bad = await saveWeighting(agent, { margins: ['epci_15_24'], tolerance: 'vite', max_iterations: '0', trim: '1', cap: '0,5' });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('<title>Erreur : Pondération par calage (raking)');
    for (const message of [
      'La marge « Habitants de 15 à 24 ans par intercommunalité » est à renseigner : on ne peut pas caler dessus.',
      'Tolérance attendue : un nombre strictement positif et au plus 5, par exemple 0,01.',
      'Nombre entier attendu, entre 1 et 1 000.',
      'Plafond attendu : un nombre supérieur à 1 et au plus 100, par exemple 5.',
    ]) {
      expect(bad.text.split(message).length - 1).toBe(2); // in the summary and next to the field
    }
    expect(bad.text).toContain('name="tolerance" value="vite"');
    expect(bad.text).toContain('name="max_iterations" value="0"');
    expect(bad.text).toContain('name="cap" value="0,5"');
    expect(t.db.prepare('SELECT count(*) AS n FROM weighting').get()).toEqual({ n: 0 });
  });

  it.each([
    ['anonymous JSON', undefined, 'get', '/api/weights.json', 401],
    ['facilitator JSON', 'anim@exemple.fr', 'get', '/api/weights.json', 403],
    ['facilitator weighting page', 'anim@exemple.fr', 'get', '/analyse/ponderation', 403],
    ['facilitator representativeness', 'anim@exemple.fr', 'get', '/analyse/representativite', 403],
    ['analyst margins page', 'ana@exemple.fr', 'get', '/admin/marges', 403],
  ])('keeps to its audience: %s', async (_n, who, _m, path, status) => {
    const { t } = await setup();
    const agent = who ? (await signIn(t.app, who)).agent : request(t.app);
    expect((await agent.get(path)).status).toBe(status);
  });
});

describe('reference margins page (admins)', () => {
  it('saves a margin (audited), refuses bad shares with every error, typed values kept; CSRF required', async () => {
    const { t } = await setup();
    const { agent } = await signIn(t.app, 'admin@exemple.fr');
    const page = await agent.get('/admin/marges');
    expect(page.status).toBe(200);
    expect(page.text).toContain('INSEE, recensement de la population 2019');
    expect(page.text).toContain('name="share.masculin" value="51,5"');
    const csrf = csrfFrom(page.text);
    const fields = { label: 'Habitants de 15 à 24 ans par intercommunalité', population: 'habitants du PMA âgés de 15 à 24 ans', source: '', year: '', note: '' };

    expect((await agent.post('/admin/marges/epci_15_24').type('form').send(formBody({ ...fields, 'share.cabbalr': '40' }))).status).toBe(403);

    const bad = await agent
      .post('/admin/marges/epci_15_24')
      .type('form')
      .send(formBody({ _csrf: csrf, ...fields, 'share.cabbalr': '40,5', 'share.call': '35', 'share.cahc': '20' }));
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('La marge n’a pas été enregistrée : corrige les champs signalés.');
    expect(bad.text).toContain('Les parts font 95,5 % au total : il faut 100 % (à 0,1 point près).');
    expect(bad.text).toContain('Un chiffre a besoin de sa source.');
    expect(bad.text).toContain('Donne l’année des chiffres.');
    expect(bad.text).toContain('name="share.cabbalr" value="40,5"');
    expect(bad.text).toContain('id="marge-epci_15_24-source" name="source" value="" aria-invalid="true"');
    expect(auditActions(t.db)).not.toContain('margins.update');

    const good = await agent
      .post('/admin/marges/epci_15_24')
      .type('form')
      .send(formBody({ _csrf: csrf, ...fields, source: 'INSEE, recensement de la population 2021', year: '2021', 'share.cabbalr': '42,1', 'share.call': '38', 'share.cahc': '19,9' }));
    expect(good.status).toBe(200);
    expect(good.text).toContain('Marge « Habitants de 15 à 24 ans par intercommunalité » enregistrée.');
    const row = t.db.prepare(`SELECT details FROM audit_log WHERE action = 'margins.update'`).get() as { details: string };
    expect(JSON.parse(row.details)).toEqual({ marge: 'epci_15_24', parts: { cabbalr: 42.1, call: 38, cahc: 19.9 }, source: 'INSEE, recensement de la population 2021', annee: 2021 });
  });
});

describe('representativeness page', () => {
  it('reads each margin in French, with the chi-square and the respondents left out; follows the filters', async () => {
    const { t } = await setup();
    const { agent } = await signIn(t.app, 'ana@exemple.fr');
    const res = await agent.get('/analyse/representativite');
    expect(res.status).toBe(200);
    expect(res.text).toContain('Les « Hommes » représentent 50,8\u202f% des répondants comparés contre 51,5\u202f% des habitants du PMA âgés de 15 à 24 ans : écart de \u22120,7 point.');
    // Handlebars writes « = » as &#x3D;.
    expect(res.text.replaceAll('&#x3D;', '=')).toContain('Test d’ajustement du χ² : χ² = 0,10 ; ddl = 1 ; p = 0,75.');
    expect(res.text).toContain('Les écarts peuvent être dus au hasard');
    expect(res.text).toContain('ils sont laissés hors de la comparaison');
    expect(res.text).toContain('<li>Autre : 6</li>');
    expect(res.text).toContain('Marge à renseigner : un administrateur doit saisir les parts');
    expect(res.text).toMatch(/<a href="\/analyse\/representativite" aria-current="page">Représentativité<\/a>/);
    const girls = await agent.get('/analyse/representativite?f.commune__epci=cahc');
    expect(girls.status).toBe(200);
    expect(girls.text).toContain('100 répondants comparés.');
    const badFilter = await agent.get('/analyse/representativite?f.genre=zzz');
    expect(badFilter.status).toBe(400);
    expect(badFilter.text).toContain('« zzz » n’est pas une réponse possible à « Quel est ton genre ? ».');
  });
});

describe('weighted crosstab and the weight column', () => {
  const Q = 'row=genre&col=filiere&f.genre=masculin&f.genre=feminin';

  it('refuses weighted=1 in French while no weighting is in force', async () => {
    const { t, token } = await setup();
    const json = await request(t.app).get(`/api/crosstab.json?${Q}&weighted=1`).set('Authorization', `Bearer ${token}`);
    expect(json.status).toBe(400);
    expect(json.body).toEqual({
      errors: [{ field: 'weighted', message: 'Aucune pondération n’est en vigueur : les résultats pondérés ne sont pas disponibles. Un analyste peut en mettre une en vigueur dans Représentativité › Pondération.' }],
    });
    const { agent } = await signIn(t.app, 'ana@exemple.fr');
    const page = await agent.get(`/resultats/croisement?${Q}&weighted=1`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Aucune pondération n’est en vigueur : les résultats pondérés ne sont pas disponibles.');
  });

  it('weights the shares, keeps the counts of respondents, and takes intervals and the test on the effective sample size', async () => {
    const { t, token } = await setup();
    const { agent } = await signIn(t.app, 'ana@exemple.fr');
    await saveWeighting(agent, { margins: ['sexe_15_24'], tolerance: '0,0001', max_iterations: '100' });
    const raw = (await request(t.app).get(`/api/crosstab.json?${Q}`).set('Authorization', `Bearer ${token}`)).body;
    const res = await request(t.app).get(`/api/crosstab.json?${Q}&weighted=1`).set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(200);
    const w = res.body;
    // The weight of a boy and of a girl (raking on sex alone: one weight per sex).
    const weightOf = (genre: string) =>
      (t.db.prepare(`SELECT DISTINCT w.weight FROM response_weights w JOIN answers a ON a.response_id = w.response_id AND a.question_id = 'genre' AND a.option_code = ?`).all(genre) as { weight: number }[]).map((r) => r.weight);
    const [wm] = weightOf('masculin');
    const [wf] = weightOf('feminin');
    expect(weightOf('masculin')).toHaveLength(1);
    const cell = w.cells.find((c: { row: string; col: string }) => c.row === 'masculin' && c.col === 'generale');
    // Within one sex all weights are equal: its row shares are the raw ones, and the effective
    // size of the row is its number of respondents.
    const neffRow = 254;
    const ci = wilson((200 / 254) * neffRow, neffRow)!;
    expect(cell).toEqual({
      row: 'masculin',
      col: 'generale',
      count: 200,
      weighted_count: expect.closeTo(200 * wm, 5),
      row_percent: expect.closeTo((100 * 200) / 254, 5),
      row_ci_low: expect.closeTo(100 * ci.low, 5),
      row_ci_high: expect.closeTo(100 * ci.high, 5),
      col_percent: expect.closeTo((100 * 200 * wm) / (200 * wm + 146 * wf), 5),
      col_ci_low: expect.any(Number),
      col_ci_high: expect.any(Number),
    });
    // Column « générale » mixes both weights: its interval is on its effective size, (Σw)²/Σw².
    const sw = 200 * wm + 146 * wf;
    const neffCol = (sw * sw) / (200 * wm * wm + 146 * wf * wf);
    const colCi = wilson(((200 * wm) / sw) * neffCol, neffCol)!;
    expect(cell.col_ci_low).toBeCloseTo(100 * colCi.low, 5);
    expect(cell.col_ci_high).toBeCloseTo(100 * colCi.high, 5);
    expect(w.col_totals.find((x: { code: string }) => x.code === 'generale')).toEqual({ code: 'generale', count: 346, percent: expect.any(Number), weighted_count: expect.closeTo(sw, 5), effective_n: expect.closeTo(neffCol, 5) });
    // The base: 500 respondents, an effective size below it; the chi-square on the table brought to it.
    const total = 254 * wm + 246 * wf;
    const neff = (total * total) / (254 * wm * wm + 246 * wf * wf);
    expect(w.weighted).toEqual({ sum_of_weights: expect.closeTo(total, 5), effective_n: expect.closeTo(neff, 5), design_effect: expect.any(Number) });
    expect(w.base).toBe(500);
    expect(w.test.df).toBe(raw.test.df);
    expect(w.test.chi2).not.toBeCloseTo(raw.test.chi2, 3);
    // Unweighted JSON unchanged: no weighted fields.
    expect(raw.weighted).toBeUndefined();
    expect(raw.cells[0].weighted_count).toBeUndefined();

    const csv = await request(t.app).get(`/export/crosstab.csv?${Q}&weighted=1`).set('Authorization', `Bearer ${token}`);
    expect(csv.status).toBe(200);
    expect(csv.text.split('\n')[0]).toBe('row_variable,row_code,row_label,col_variable,col_code,col_label,count,weighted_count,row_percent,row_ci_low,row_ci_high,col_percent,col_ci_low,col_ci_high');

    const page = await agent.get(`/resultats/croisement?${Q}&weighted=1`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<input type="checkbox" id="croise-weighted" name="weighted" value="1" checked>');
    expect(page.text).toContain('les intervalles de confiance et le test du χ² utilisent la taille d’échantillon effective (Kish) de chaque base');
    expect(page.text).toMatch(/Base : 500 répondants ayant répondu aux deux questions, taille effective \d+,\d/);
  });

  it('fills the weight column of responses.csv with the weights in force (empty before)', async () => {
    const { t, token } = await setup();
    const before = await request(t.app).get('/export/responses.csv').set('Authorization', `Bearer ${token}`);
    const rowsBefore = Papa.parse<Record<string, string>>(before.text, { header: true, skipEmptyLines: true }).data;
    expect(rowsBefore.every((r) => r.weight === '')).toBe(true);
    const { agent } = await signIn(t.app, 'ana@exemple.fr');
    await saveWeighting(agent);
    const after = await request(t.app).get('/export/responses.csv').set('Authorization', `Bearer ${token}`);
    const rows = Papa.parse<Record<string, string>>(after.text, { header: true, skipEmptyLines: true }).data;
    expect(rows).toHaveLength(506);
    const stored = new Map((t.db.prepare('SELECT response_id, weight FROM response_weights').all() as { response_id: string; weight: number }[]).map((r) => [r.response_id, r.weight]));
    for (const r of rows) expect(Number(r.weight)).toBeCloseTo(stored.get(r.response_id)!, 6);
    const excel = await request(t.app).get('/export/responses.csv?excel=1').set('Authorization', `Bearer ${token}`);
    expect(excel.text.split('\r\n')[1].split(';')[4]).toMatch(/^\d+,\d+$|^\d+$/);
  });
});
