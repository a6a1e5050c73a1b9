import Papa from 'papaparse';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { completeSurvey, formBody, makeApp, Respondent, validAnswers, type TestApp } from '../helpers.js';
import { addStaff, signIn, tokenOf } from '../staff/helpers.js';

// A known population, answered through the real HTTP forms, then read back through the exports.
type Person = { genre: string; age: string; commune: string; envisager?: string; convaincre?: string[]; mots?: string; canal?: string };
const people: Person[] = [
  { genre: 'feminin', age: '16', commune: 'Lens', envisager: 'oui_tout_a_fait', convaincre: ['connaitre_secteur', 'salaires'], canal: 'lycee-carnot' },
  { genre: 'feminin', age: '17', commune: 'Liévin', envisager: 'pas_du_tout', convaincre: ['rien'], canal: 'lycee-carnot' },
  { genre: 'feminin', age: '15', commune: 'Béthune', envisager: 'pas_du_tout', convaincre: ['rien'] },
  { genre: 'feminin', age: '19', commune: 'Carvin', envisager: 'nsp', convaincre: ['salaires'], mots: '=HYPERLINK("http://x")' },
  { genre: 'feminin', age: '22', commune: 'Arras', envisager: 'nsp' },
  { genre: 'feminin', age: '16', commune: 'Bruay-la-Buissière', envisager: 'nsp', convaincre: ['visiter_entreprises', 'salaires'] },
  { genre: 'masculin', age: '16', commune: 'Hénin-Beaumont', envisager: 'plutot_oui', convaincre: ['salaires'], canal: 'lycee-carnot' },
  { genre: 'masculin', age: '18', commune: 'Lens', envisager: 'plutot_oui', convaincre: ['connaitre_secteur'] },
  { genre: 'masculin', age: '30', commune: 'Lille', envisager: 'plutot_non', convaincre: ['rien'], mots: 'usine; "fumée", chaîne' },
  { genre: 'masculin', age: '17', commune: 'Béthune' },
];

let t: TestApp;
let analyst: Awaited<ReturnType<typeof signIn>>['agent'];
let bearer: string;

beforeAll(async () => {
  t = makeApp();
  for (const p of people) {
    const r = new Respondent(t.app);
    if (p.canal) await r.agent.get(`/?canal=${p.canal}`);
    await completeSurvey(r, {
      1: { age: p.age, genre: p.genre, commune: p.commune, situation: 'lycee' },
      2: {},
      3: {},
      4: { envisager_industrie: p.envisager ?? '', convaincre_industrie: p.convaincre ?? [], mots_industrie: p.mots ?? '' },
    });
  }
  // A draft that never completed must not count.
  await new Respondent(t.app).post(1, validAnswers[1]);
  await addStaff(t.db, 'ana@example.org', 'analyst');
  analyst = (await signIn(t.app, 'ana@example.org')).agent;
  const created = await analyst.post('/compte/jetons').type('form').send(formBody({ _csrf: await tokenOf(analyst, '/compte/jetons'), label: 'tests' }));
  bearer = created.text.match(/(maa_[A-Za-z0-9_-]+)/)![1];
});

const csv = (text: string, delimiter = ',') => Papa.parse<Record<string, string>>(text, { header: true, delimiter, skipEmptyLines: true }).data;
const get = (path: string) => request(t.app).get(path).set('Authorization', `Bearer ${bearer}`);
const row = (rows: Record<string, string>[], q: string, o: string) => rows.find((r) => r.question_id === q && r.option_code === o)!;

describe('results.csv', () => {
  it('has the exact columns and the figures of what was answered', async () => {
    const res = await get('/export/results.csv');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="mon-avenir-en-artois-resultats-\d{4}-\d{2}-\d{2}\.csv"$/);
    expect(res.text.split('\n')[0]).toBe('question_id,question_label,option_code,option_label,count,base,percent');
    const rows = csv(res.text);
    // Single choice: 9 answered; 3 "nsp" = 33.3 %.
    expect(row(rows, 'envisager_industrie', 'nsp')).toMatchObject({ count: '3', base: '9', percent: '33.3', option_label: 'Je ne sais pas' });
    expect(row(rows, 'envisager_industrie', 'pas_du_tout')).toMatchObject({ count: '2', base: '9', percent: '22.2' });
    expect(row(rows, 'envisager_industrie', 'plutot_non')).toMatchObject({ count: '1', percent: '11.1' });
    // Multiple choice: percent of the 8 who answered, summing to more than 100.
    expect(row(rows, 'convaincre_industrie', 'salaires')).toMatchObject({ count: '4', base: '8', percent: '50.0' });
    expect(row(rows, 'convaincre_industrie', 'rien')).toMatchObject({ count: '3', base: '8', percent: '37.5' });
    const sum = rows.filter((r) => r.question_id === 'convaincre_industrie').reduce((a, r) => a + Number(r.percent), 0);
    expect(sum).toBeGreaterThan(100);
    expect(row(rows, 'genre', 'feminin')).toMatchObject({ count: '6', base: '10', percent: '60.0' });
    expect(row(rows, 'commune__epci', 'cabbalr')).toMatchObject({ count: '3' });
    expect(row(rows, 'commune__epci', 'hors_pma')).toMatchObject({ count: '2' });
    expect(row(rows, 'age__groupe', 'mineurs_15_17')).toMatchObject({ count: '6', base: '10', percent: '60.0' });
  });

  it('respects the filters: values of one question OR-ed, questions AND-ed, channel', async () => {
    const women = csv((await get('/export/results.csv?f.genre=feminin')).text);
    expect(row(women, 'envisager_industrie', 'nsp')).toMatchObject({ count: '3', base: '6', percent: '50.0' });
    // Multiple choice under a filter: the base counts the 5 women who ticked anything.
    expect(row(women, 'convaincre_industrie', 'salaires')).toMatchObject({ count: '3', base: '5', percent: '60.0' });
    const both = csv((await get('/export/results.csv?f.genre=feminin&f.genre=masculin')).text);
    expect(row(both, 'genre', 'feminin')).toMatchObject({ base: '10' });
    const and = csv((await get('/export/results.csv?f.genre=masculin&f.convaincre_industrie=rien')).text);
    expect(row(and, 'genre', 'masculin')).toMatchObject({ count: '1', base: '1' });
    const carnot = csv((await get('/export/results.csv?channel=lycee-carnot')).text);
    expect(row(carnot, 'genre', 'feminin')).toMatchObject({ count: '2', base: '3' });
    // Women are less likely than men to consider industry (the report's finding, in miniature).
    const yes = (rows: Record<string, string>[]) => Number(row(rows, 'envisager_industrie', 'oui_tout_a_fait').percent) + Number(row(rows, 'envisager_industrie', 'plutot_oui').percent);
    const men = csv((await get('/export/results.csv?f.genre=masculin')).text);
    expect(yes(women)).toBeLessThan(yes(men));
  });

  it('answers a bad filter with 400 and French messages', async () => {
    const res = await get('/export/results.csv?f.genre=robot&f.inconnue=1&from=2026-13-45');
    expect(res.status).toBe(400);
    expect(res.text).toContain('Filtres invalides');
    expect(res.text).toContain('« robot » n’est pas une réponse possible à « Quel est ton genre ? »');
    expect(res.text).toContain('« inconnue »');
  });

  it('/api/results.json gives the same figures', async () => {
    const res = await get('/api/results.json?f.genre=feminin');
    expect(res.status).toBe(200);
    expect(res.body.responses).toBe(6);
    const q = res.body.questions.find((x: { id: string }) => x.id === 'envisager_industrie');
    expect(q.tables[0].options.find((o: { code: string }) => o.code === 'nsp')).toMatchObject({ count: 3, percent: 50 });
  });
});

describe('responses.csv', () => {
  it('has one row per completed response, codes, 0/1 per option, derived columns, neutralised formulas', async () => {
    const res = await get('/export/responses.csv');
    expect(res.status).toBe(200);
    const rows = csv(res.text);
    expect(rows).toHaveLength(10);
    const header = res.text.split('\n')[0].split(',');
    expect(header.slice(0, 4)).toEqual(['response_id', 'questionnaire_version', 'channel', 'completed_date']);
    for (const col of ['age', 'age__groupe', 'genre', 'commune', 'commune__epci', 'envisager_industrie', 'convaincre_industrie__rien', 'convaincre_industrie__salaires', 'attentes_emploi__salaire', 'mots_industrie']) {
      expect(header).toContain(col);
    }
    expect(header.join(',')).not.toMatch(/ip|agent|heure/i);
    for (const r of rows) {
      expect(r.response_id).toMatch(/^[0-9a-f-]{36}$/);
      expect(r.completed_date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
    // The 16-year-old girl from Lens who came through the Lycée Carnot link.
    const first = rows.find((r) => r.age === '16' && r.commune === '62498')!;
    expect(first).toMatchObject({ genre: 'feminin', commune__epci: 'call', envisager_industrie: 'oui_tout_a_fait', convaincre_industrie__salaires: '1', convaincre_industrie__rien: '0', channel: 'lycee-carnot', age__groupe: 'mineurs_15_17' });
    const lille = rows.find((r) => r.commune === '59350')!;
    expect(lille).toMatchObject({ commune__epci: 'hors_pma', age__groupe: 'autre', mots_industrie: 'usine; "fumée", chaîne' });
    expect(rows.find((r) => r.commune === '62215')!.mots_industrie).toBe('\'=HYPERLINK("http://x")');
    // Unanswered = empty cell.
    expect(rows.find((r) => r.age === '17' && r.genre === 'masculin')!.envisager_industrie).toBe('');
  });

  it('writes labels with labels=1 and respects the filters', async () => {
    const rows = csv((await get('/export/responses.csv?labels=1&f.genre=masculin')).text);
    expect(rows).toHaveLength(4);
    expect(rows.every((r) => r.genre === 'Masculin')).toBe(true);
    expect(rows.map((r) => r.envisager_industrie).sort()).toEqual(['', 'Plutôt non', 'Plutôt oui', 'Plutôt oui']);
  });

  it('opens right in a French spreadsheet with excel=1: BOM, semicolons, CRLF, accents', async () => {
    const res = await get('/export/responses.csv?excel=1&labels=1').buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    const buf = res.body as Buffer;
    expect([...buf.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = buf.toString('utf8').slice(1);
    expect(text.split('\r\n')[0].startsWith('response_id;questionnaire_version;channel;completed_date')).toBe(true);
    expect(text).not.toMatch(/[^\r]\n/);
    const rows = Papa.parse<Record<string, string>>(text, { header: true, delimiter: ';', newline: '\r\n', skipEmptyLines: true }).data;
    expect(rows).toHaveLength(10);
    expect(rows.map((r) => r.genre)).toContain('Féminin');
    expect(rows.map((r) => r.commune_nom ?? r.commune)).toBeDefined();
    expect(text).toContain('Hénin-Beaumont');
    expect(rows.find((r) => r.mots_industrie?.includes('HYPERLINK'))!.mots_industrie).toBe('\'=HYPERLINK("http://x")');
  });
});

describe('codebook.csv', () => {
  it('describes every column of responses.csv with its question, type, section and codes', async () => {
    const header = (await get('/export/responses.csv')).text.split('\n')[0].split(',');
    const book = csv((await get('/export/codebook.csv')).text);
    expect(book.map((r) => r.column)).toEqual(header);
    const genre = book.find((r) => r.column === 'genre')!;
    expect(genre).toMatchObject({ question_id: 'genre', question_label: 'Quel est ton genre ?', section: 'Mon identité' });
    expect(genre.codes).toContain('feminin');
    expect(genre.codes).toContain('Féminin');
  });
});

describe('who may export', () => {
  it('answers 401 to anonymous scripts, 403 to facilitators, and audits every download with its filters', async () => {
    expect((await request(t.app).get('/export/responses.csv')).status).toBe(401);
    await addStaff(t.db, 'anim@example.org', 'facilitator');
    const anim = (await signIn(t.app, 'anim@example.org')).agent;
    expect((await anim.get('/export/responses.csv')).status).toBe(403);
    expect((await anim.get('/export/results.csv')).status).toBe(403);
    // The facilitator still sees the aggregate charts, without export links or raw text.
    const page = await anim.get('/resultats/industrie');
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('/export/');
    expect(page.text).not.toContain('usine; ');
    // An analyst's browser session works too.
    expect((await analyst.get('/export/results.csv?f.genre=feminin')).status).toBe(200);
    const entries = t.db.prepare("SELECT actor, details FROM audit_log WHERE action = 'export.download' ORDER BY id").all() as { actor: string; details: string }[];
    expect(entries.length).toBeGreaterThan(5);
    expect(entries.at(-1)).toEqual({ actor: 'ana@example.org', details: JSON.stringify({ export: 'resultats', filtres: 'f.genre=feminin', via: 'session' }) });
    expect(entries.some((e) => JSON.parse(e.details).via === 'token')).toBe(true);
  });
});

describe('dashboard', () => {
  it('shows participation: total, funnel, per day, per channel, profile tables with base and French percentages', async () => {
    const res = await analyst.get('/resultats');
    expect(res.status).toBe(200);
    expect(res.text).toContain('data-total="10"');
    expect(res.text).toContain('Questionnaires commencés');
    expect(res.text).toContain('Lycée Carnot, Bruay-La-Buissière');
    expect(res.text).toContain('Lien sans canal');
    expect(res.text).toMatch(/<th scope="row">Féminin<\/th>\s*<td class="num">6<\/td><td class="num">60,0\u202f%/);
    // Each figure carries its own title and base.
    expect(res.text).toContain('<h3 class="figure-title" id="titre-figure-genre">Quel est ton genre ?</h3>');
    expect(res.text).toContain('<p class="figure-base">Base : 10 répondants</p>');
    expect(res.text).toContain('<script src="/static/vendor/chart.umd.min.js" defer></script>');
    expect((await analyst.get('/static/vendor/chart.umd.min.js')).status).toBe(200);
  });

  it('filters with a plain GET form and offers one-click filters on table rows', async () => {
    const res = await analyst.get('/resultats/industrie?f.genre=feminin');
    expect(res.text).toContain('data-total="6"');
    expect(res.text).toContain('Quel est ton genre ? : Féminin');
    // (Handlebars escapes "=" as &#x3D; in attributes; browsers read it back as "=".)
    expect(res.text).toContain('href="/resultats/industrie?f.genre&#x3D;feminin&amp;f.envisager_industrie&#x3D;nsp"');
    expect(res.text).toMatch(/id="filtre-genre-feminin" name="f.genre" value="feminin" checked/);
    // A bad date is reported next to its field, as typed; the other filters still apply.
    const bad = await analyst.get('/resultats/industrie?from=hier&f.genre=feminin');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('<p class="field-error" id="erreur-from">Date attendue au format JJ/MM/AAAA, par exemple 25/11/2022.</p>');
    expect(bad.text).toContain('id="filtre-from" name="from" value="hier" aria-invalid="true"');
    expect(bad.text).toContain('data-total="6"');
    const french = await analyst.get('/resultats/industrie?to=31/12/2030');
    expect(french.status).toBe(200);
    expect(french.text).toContain('Jusqu’au 31 déc. 2030');
  });

  it('streams live updates to signed-in staff only', async () => {
    expect((await request(t.app).get('/resultats/flux')).status).toBe(401);
  });
});
