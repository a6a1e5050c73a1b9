import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { listThemes, replaceCodebook } from '../../src/coding/codebook.js';
import { readCoding, saveCoding } from '../../src/coding/codings.js';
import { codebookCsv } from '../../src/coding/csv.js';
import { REPORT_SOURCE, REPORT_THEMES } from '../../src/coding/reportThemes.js';
import { createStaffStore } from '../../src/staff/store.js';
import { countRows, csrfFrom, formBody, makeApp, type TestApp } from '../helpers.js';
import { addStaff, signIn } from '../staff/helpers.js';
import { seedTexts } from './helpers.js';

// The coding pages and API over HTTP: who may use them, the codebook forms, the CSV import, the
// coding screen as a plain form (no JavaScript, CSRF checked), rules, agreement, and the API with a
// personal token.

type Agent = ReturnType<typeof request.agent>;
const S = REPORT_SOURCE;
const BASE = `/analyse/codage/${S}`;
/** The page as a reader sees it: Handlebars writes "=" as &#x3D; and quotes as &quot;. */
const html = (res: { text: string }) => res.text.replace(/&#x3D;/g, '=').replace(/&quot;/g, '"').replace(/&#x27;/g, "'").replace(/&amp;/g, '&');

let t: TestApp;
let ids: string[];
let analyst: Agent;
let analystId: string;
let colleague: Agent;
let facilitator: Agent;
let analystToken: string;
let facilitatorToken: string;

const TEXTS = [
  { text: 'Usines et pollution', genre: 'feminin' },
  { text: 'travail pénible', genre: 'masculin' },
  { text: 'je sais pas', genre: 'feminin' },
  { text: 'des emplois', genre: 'masculin' },
  { text: 'la solidarité', genre: 'feminin' },
  { text: 'fumées', genre: 'masculin' },
];

async function csrf(agent: Agent, path = BASE) {
  return csrfFrom((await agent.get(path)).text);
}

beforeAll(async () => {
  t = makeApp();
  ids = seedTexts(t.db, TEXTS);
  const a = await addStaff(t.db, 'analyste@example.org', 'analyst');
  analystId = a.id;
  await addStaff(t.db, 'collegue@example.org', 'analyst');
  const f = await addStaff(t.db, 'anim@example.org', 'facilitator');
  analyst = (await signIn(t.app, 'analyste@example.org')).agent;
  colleague = (await signIn(t.app, 'collegue@example.org')).agent;
  facilitator = (await signIn(t.app, 'anim@example.org')).agent;
  const store = createStaffStore(t.db);
  analystToken = store.createToken(a.id, 'script R').token;
  facilitatorToken = store.createToken(f.id, 'atelier').token;
});

describe('who may code', () => {
  const pages = ['/analyse/codage', BASE, `${BASE}/coder`, `${BASE}/regles`, `${BASE}/accord`, `${BASE}/reponses`, `${BASE}/import`];
  it('sends anonymous visitors to the login page and refuses facilitators', async () => {
    for (const path of pages) {
      const anon = await request(t.app).get(path);
      expect(anon.status, path).toBe(303);
      expect(anon.headers.location).toBe(`/login?retour=${encodeURIComponent(path)}`);
      const res = await facilitator.get(path);
      expect(res.status, path).toBe(403);
      expect(res.text).not.toContain('Usines et pollution');
    }
  });

  it('lists every text source with its answers, coded and to code', async () => {
    const res = await analyst.get('/analyse/codage');
    expect(res.status).toBe(200);
    const page = html(res);
    expect(page).toContain(`href="${BASE}"`);
    expect(page).toMatch(/Quels mots te viennent à l’esprit quand tu penses à l’industrie.*?<td class="num">6<\/td><td class="num">0<\/td><td class="num">6<\/td><td class="num">0<\/td>/s);
    // « Autre (précise) » precisions are sources too.
    expect(page).toContain('href="/analyse/codage/freins__autre__precision"');
  });

  it('answers 404 for a source that is not a free text', async () => {
    expect((await analyst.get('/analyse/codage/genre')).status).toBe(404);
  });
});

describe('codebook forms', () => {
  it('adds a theme; a bad code comes back in French next to its field, everything typed kept', async () => {
    const token = await csrf(analyst);
    const bad = await analyst.post(`${BASE}/themes`).type('form').send(formBody({ _csrf: token, code: 'Emploi', label: 'Emploi et production', definition: 'Produire', keywords: 'usine, emploi' }));
    expect(bad.status).toBe(422);
    const page = html(bad);
    expect(page).toContain('<p class="field-error" id="code-erreur">Le code « Emploi » doit être écrit en minuscules sans accent ni espace (lettres a-z, chiffres, « _ », en commençant par une lettre), par exemple « emploi ».</p>');
    expect(page).toContain('value="Emploi et production"');
    expect(page).toContain('>usine, emploi</textarea>');
    expect(listThemes(t.db, S)).toEqual([]);
    const ok = await analyst.post(`${BASE}/themes`).type('form').send(formBody({ _csrf: token, code: 'emploi', label: 'Emploi', definition: '', keywords: 'usine, emploi' }));
    expect(ok.status).toBe(303);
    expect(ok.headers.location).toBe(`${BASE}?ok=ajoute&theme=emploi#themes`);
    expect(html(await analyst.get(ok.headers.location))).toContain('Thème « Emploi » ajouté.');
    expect(listThemes(t.db, S)).toEqual([{ code: 'emploi', label: 'Emploi', definition: '', keywords: ['usine', 'emploi'], position: 0 }]);
  });

  it('refuses a form without its CSRF token', async () => {
    const res = await analyst.post(`${BASE}/themes`).type('form').send(formBody({ code: 'autre', label: 'Autre' }));
    expect(res.status).toBe(403);
    expect(listThemes(t.db, S).map((x) => x.code)).toEqual(['emploi']);
  });

  it('renames, merges and deletes with a confirmation that says how many codings go', async () => {
    const token = await csrf(analyst);
    await analyst.post(`${BASE}/themes`).type('form').send(formBody({ _csrf: token, code: 'pollution', label: 'Pollution', keywords: 'pollu*' }));
    await analyst.post(`${BASE}/themes`).type('form').send(formBody({ _csrf: token, code: 'env', label: 'Environnement', keywords: 'fumée' }));
    saveCoding(t.db, S, '', ids[0], { codes: ['emploi', 'pollution'], uncodable: false });
    saveCoding(t.db, S, '', ids[5], { codes: ['env'], uncodable: false });
    const renamed = await analyst.post(`${BASE}/themes/env`).type('form').send(formBody({ _csrf: token, action: 'save', label: 'Dégradation de l’environnement', definition: 'Pollution, fumées.', keywords: 'fumée | environnement' }));
    expect(renamed.status).toBe(303);
    expect(listThemes(t.db, S)[2]).toMatchObject({ code: 'env', label: 'Dégradation de l’environnement', keywords: ['fumée', 'environnement'] });
    const merged = await analyst.post(`${BASE}/themes/pollution/fusion`).type('form').send(formBody({ _csrf: token, into: 'env' }));
    expect(merged.status).toBe(303);
    expect(html(await analyst.get(merged.headers.location))).toContain('« Pollution » fusionné dans « Dégradation de l’environnement » : 1 codage déplacé.');
    expect(readCoding(t.db, S, '', ids[0])).toEqual({ codes: ['emploi', 'env'], uncodable: false });
    const confirm = await analyst.get(`${BASE}/themes/env/supprimer`);
    expect(confirm.status).toBe(200);
    expect(html(confirm)).toContain('Cela supprime 2 codages (tous codeurs confondus) ; 1 réponse qui n’avait que ce thème redevient « à coder ». C’est définitif.');
    const del = await analyst.post(`${BASE}/themes/env/supprimer`).type('form').send(formBody({ _csrf: token }));
    expect(del.status).toBe(303);
    expect(listThemes(t.db, S).map((x) => x.code)).toEqual(['emploi']);
    expect(readCoding(t.db, S, '', ids[5])).toBeUndefined();
    expect(readCoding(t.db, S, '', ids[0])).toEqual({ codes: ['emploi'], uncodable: false });
  });
});

describe('CSV import and export (pages)', () => {
  it('refuses a bad file whole with a message per line, and changes nothing', async () => {
    const before = listThemes(t.db, S);
    const token = await csrf(analyst, `${BASE}/import`);
    const csv = 'code;label;definition;keywords\nemploi;Emploi;;usine\nEmploi;Bis;;\n;Sans code;;\n';
    const res = await analyst.post(`${BASE}/import`).type('form').send(formBody({ _csrf: token, action: 'confirm', csv }));
    expect(res.status).toBe(422);
    const page = html(res);
    expect(page).toContain('<li>Ligne 3 : le code « Emploi » doit être écrit en minuscules');
    expect(page).toContain('<li>Ligne 4 : indiquez un code.</li>');
    expect(page).toContain(`>${csv}</textarea>`);
    expect(listThemes(t.db, S)).toEqual(before);
  });

  it('previews the import (what it removes, with its codings), then replaces on confirmation; exports round-trip', async () => {
    const token = await csrf(analyst, `${BASE}/import`);
    const csv = codebookCsv(REPORT_THEMES.map((x, i) => ({ ...x, position: i })), { excel: true });
    const preview = await analyst.post(`${BASE}/import`).type('form').send(formBody({ _csrf: token, action: 'preview', csv }));
    expect(preview.status).toBe(200);
    const page = html(preview);
    expect(page).toContain('Ajoutés : productivite_emploi, conditions_difficiles, environnement, valeurs_humaines');
    expect(page).toContain('Supprimé : « Emploi » (emploi), avec ses 1 codage');
    expect(page).toContain('1 réponse redevient « à coder ».');
    expect(listThemes(t.db, S).map((x) => x.code)).toEqual(['emploi']);
    const done = await analyst.post(`${BASE}/import`).type('form').send(formBody({ _csrf: token, action: 'confirm', csv }));
    expect(done.status).toBe(303);
    expect(listThemes(t.db, S).map((x) => x.code)).toEqual(REPORT_THEMES.map((x) => x.code));
    expect(readCoding(t.db, S, '', ids[0])).toBeUndefined();
    for (const excel of [false, true]) {
      const out = await analyst.get(`${BASE}/plan.csv${excel ? '?excel=1' : ''}`);
      expect(out.status).toBe(200);
      expect(out.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(out.text).toBe(codebookCsv(listThemes(t.db, S), { excel }));
    }
  });
});

describe('the coding screen without JavaScript', () => {
  it('shows the next uncoded answer with the rules’ suggestions ticked and marked, and the progress', async () => {
    const res = await analyst.get(`${BASE}/coder`);
    expect(res.status).toBe(200);
    const page = html(res);
    expect(page).toContain('<strong>0 / 6 codées</strong>');
    expect(page).toContain(`<input type="hidden" name="reponse" value="${ids[0]}">`);
    expect(page).toContain('<blockquote class="answer-text">Usines et pollution</blockquote>');
    expect(page).toMatch(/<label class="chip is-suggested"[^>]*>\s*<input type="checkbox" name="theme" value="productivite_emploi" checked data-key="1">[\s\S]*?<span class="badge">suggéré<\/span>/);
    expect(page).toMatch(/value="environnement" checked data-key="3"/);
    expect(page).toMatch(/value="conditions_difficiles" data-key="2"/);
    expect(page).toContain('<button type="submit" class="button" name="action" value="save">');
    expect(page).toContain('<script src="/static/js/coding.js" defer></script>');
  });

  it('saves several themes from a plain form POST, then goes to the next uncoded answer', async () => {
    const token = await csrf(analyst, `${BASE}/coder`);
    const res = await analyst.post(`${BASE}/coder`).type('form').send(formBody({ _csrf: token, reponse: ids[0], theme: ['productivite_emploi', 'environnement', 'valeurs_humaines'], action: 'save' }));
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`${BASE}/coder?apres=${ids[0]}`);
    expect(readCoding(t.db, S, '', ids[0])).toEqual({ codes: ['productivite_emploi', 'environnement', 'valeurs_humaines'], uncodable: false });
    const next = html(await analyst.get(res.headers.location));
    expect(next).toContain('<strong>1 / 6 codées</strong>');
    expect(next).toContain(`name="reponse" value="${ids[1]}"`);
    expect(next).toContain(`href="${BASE}/coder?reponse=${ids[0]}" data-action="previous"`);
    expect(next).toContain('✓ Précédente enregistrée : Productivité et emploi, Dégradation de l’environnement, Valeurs humaines.');
    // Each chip says how many answers carry its theme so far.
    expect(next).toMatch(/value="valeurs_humaines"[\s\S]*?<span class="chip-count"[^>]*><span class="visually-hidden">réponses portant ce thème : <\/span>1<\/span>/);
  });

  it('refuses a POST without its CSRF token and stores nothing', async () => {
    const res = await analyst.post(`${BASE}/coder`).type('form').send(formBody({ reponse: ids[1], theme: 'conditions_difficiles' }));
    expect(res.status).toBe(403);
    expect(readCoding(t.db, S, '', ids[1])).toBeUndefined();
  });

  it('codes « non codable », skips, goes back to change a coding, and takes one back', async () => {
    const token = await csrf(analyst, `${BASE}/coder`);
    const skip = await analyst.post(`${BASE}/coder`).type('form').send(formBody({ _csrf: token, reponse: ids[1], action: 'skip' }));
    expect(skip.headers.location).toBe(`${BASE}/coder?apres=${ids[1]}`);
    expect(html(await analyst.get(skip.headers.location))).toContain(`name="reponse" value="${ids[2]}"`);
    const u = await analyst.post(`${BASE}/coder`).type('form').send(formBody({ _csrf: token, reponse: ids[2], action: 'uncodable' }));
    expect(u.status).toBe(303);
    expect(readCoding(t.db, S, '', ids[2])).toEqual({ codes: [], uncodable: true });
    // Back to the first: its coding is shown (not the suggestions), and can be changed.
    const back = html(await analyst.get(`${BASE}/coder?reponse=${ids[0]}`));
    expect(back).toContain('Déjà codée');
    expect(back).toMatch(/value="valeurs_humaines" checked data-key="4"/);
    await analyst.post(`${BASE}/coder`).type('form').send(formBody({ _csrf: token, reponse: ids[0], theme: 'environnement', non_codable: undefined }));
    expect(readCoding(t.db, S, '', ids[0])).toEqual({ codes: ['environnement'], uncodable: false });
    const clear = await analyst.post(`${BASE}/coder`).type('form').send(formBody({ _csrf: token, reponse: ids[2], action: 'clear' }));
    expect(clear.headers.location).toBe(`${BASE}/coder?reponse=${ids[2]}`);
    expect(readCoding(t.db, S, '', ids[2])).toBeUndefined();
  });

  it('refuses a theme that no longer exists, keeping the other ticks', async () => {
    const token = await csrf(analyst, `${BASE}/coder`);
    const res = await analyst.post(`${BASE}/coder`).type('form').send(formBody({ _csrf: token, reponse: ids[3], theme: ['productivite_emploi', 'disparu'] }));
    expect(res.status).toBe(422);
    expect(html(res)).toContain('Un des thèmes cochés n’existe plus');
    expect(html(res)).toMatch(/value="productivite_emploi" checked/);
    expect(readCoding(t.db, S, '', ids[3])).toBeUndefined();
  });

  it('respects the results filters: the answers, the progress and the next answer', async () => {
    const res = html(await analyst.get(`${BASE}/coder?f.genre=masculin`));
    // Masculine answers: ids 1, 3, 5; none coded yet.
    expect(res).toContain('<strong>0 / 3 codées</strong>');
    expect(res).toContain(`name="reponse" value="${ids[1]}"`);
    expect(res).toContain(`action="${BASE}/coder?f.genre=masculin"`);
    const token = await csrf(analyst, `${BASE}/coder`);
    const saved = await analyst.post(`${BASE}/coder?f.genre=masculin`).type('form').send(formBody({ _csrf: token, reponse: ids[1], theme: 'conditions_difficiles' }));
    expect(saved.headers.location).toBe(`${BASE}/coder?f.genre=masculin&apres=${ids[1]}`);
    expect(html(await analyst.get(saved.headers.location))).toContain(`name="reponse" value="${ids[3]}"`);
    const list = html(await analyst.get(`${BASE}/reponses?f.genre=masculin&voir=conditions_difficiles`));
    expect(list).toContain('1 réponse');
    expect(list).toContain('travail pénible');
    expect(list).not.toContain('Usines et pollution');
  });
});

describe('keyword rules (page)', () => {
  it('previews then codes every matching uncoded answer', async () => {
    const preview = html(await analyst.get(`${BASE}/regles`));
    // Uncoded now: ids 2 (je sais pas), 3 (des emplois), 4 (la solidarité), 5 (fumées).
    expect(preview).toContain('3 réponses sur 4 à coder seraient codées : Productivité et emploi 1, Dégradation de l’environnement 1, Valeurs humaines 1.');
    expect(readCoding(t.db, S, '', ids[3])).toBeUndefined();
    const token = await csrf(analyst, `${BASE}/regles`);
    const res = await analyst.post(`${BASE}/regles`).type('form').send(formBody({ _csrf: token }));
    expect(res.headers.location).toBe(`${BASE}?ok=regles&n=3`);
    expect(html(await analyst.get(res.headers.location))).toContain('Règles appliquées : 3 réponses codées.');
    expect(readCoding(t.db, S, '', ids[5])).toEqual({ codes: ['environnement'], uncodable: false });
    expect(readCoding(t.db, S, '', ids[2])).toBeUndefined();
  });
});

describe('two coders and their agreement', () => {
  it('codes the same reproducible sample blind to the rules, compares per theme, settles into the reference', async () => {
    for (const [agent, picks] of [
      [analyst, { 0: ['productivite_emploi'], 1: ['conditions_difficiles'], 2: [], 3: ['productivite_emploi'], 4: ['valeurs_humaines'], 5: ['environnement'] }],
      [colleague, { 0: ['productivite_emploi', 'environnement'], 1: ['conditions_difficiles'], 2: [], 3: ['productivite_emploi'], 4: ['valeurs_humaines'], 5: ['environnement'] }],
    ] as const) {
      const token = await csrf(agent, `${BASE}/coder?echantillon=6`);
      for (let k = 0; k < 6; k++) {
        const page = html(await agent.get(`${BASE}/coder?echantillon=6`));
        const id = /name="reponse" value="([^"]+)"/.exec(page)![1];
        // Blind: no suggestion in the independent coding.
        expect(page).not.toContain('is-suggested');
        const text = TEXTS[ids.indexOf(id)].text;
        const themes = (picks as Record<number, readonly string[]>)[ids.indexOf(id)];
        const res = await agent.post(`${BASE}/coder?echantillon=6`).type('form').send(formBody({ _csrf: token, reponse: id, theme: [...themes], non_codable: text === 'je sais pas' ? '1' : undefined }));
        expect(res.status).toBe(303);
      }
      expect(html(await agent.get(`${BASE}/coder?echantillon=6`))).toContain('Toutes les réponses sont codées.');
    }
    // The reference coding is untouched by the independent ones.
    expect(readCoding(t.db, S, '', ids[1])).toEqual({ codes: ['conditions_difficiles'], uncodable: false });
    const colleagueId = (t.db.prepare("SELECT id FROM staff_users WHERE email = 'collegue@example.org'").get() as { id: string }).id;
    const page = html(await analyst.get(`${BASE}/accord?a=${analystId}&b=${colleagueId}`));
    expect(page).toContain('6 réponses codées par les deux.');
    // Environment: both 1, B only 1, neither 4 → po 5/6, pe (1/6·2/6 + 5/6·4/6) = 22/36, κ = 0.57.
    expect(page).toMatch(/<th scope="row">Dégradation de l’environnement<\/th><td class="num">1<\/td><td class="num">0<\/td><td class="num">1<\/td><td class="num">4<\/td><td class="num">83 %<\/td><td class="num"><strong>0,57<\/strong><\/td><td><span class="reading reading-moderate">modérée<\/span>/);
    expect(page).toMatch(/<th scope="row">Productivité et emploi<\/th>.*?<strong>1,00<\/strong>.*?presque parfaite/s);
    expect(page).toContain('<strong>A</strong> : Productivité et emploi · <strong>B</strong> : Productivité et emploi, Dégradation de l’environnement');
    const token = await csrf(analyst, `${BASE}/accord`);
    const res = await analyst.post(`${BASE}/accord/regler`).type('form').send(formBody({ _csrf: token, a: analystId, b: colleagueId, reponse: ids[0], theme: ['productivite_emploi', 'environnement'] }));
    expect(res.status).toBe(303);
    expect(readCoding(t.db, S, '', ids[0])).toEqual({ codes: ['productivite_emploi', 'environnement'], uncodable: false });
    const after = html(await analyst.get(res.headers.location));
    expect(after).toContain('Désaccord réglé');
    expect(after).toContain('<span class="tag">réglé</span>');
  });
});

describe('the codebook API with a personal token', () => {
  const api = `/api/codebooks/${S}`;
  it('refuses without a token (401), with a facilitator’s token (403), and a session PUT without CSRF', async () => {
    expect((await request(t.app).get(api)).status).toBe(401);
    const bad = await request(t.app).put(api).set('Authorization', 'Bearer maa_faux').type('text/csv').send('code,label\nx,X\n');
    expect(bad.status).toBe(401);
    expect((await request(t.app).post(`${api}/apply`).set('Authorization', `Bearer ${facilitatorToken}`)).status).toBe(403);
    expect((await request(t.app).get(api).set('Authorization', `Bearer ${facilitatorToken}`)).status).toBe(403);
    const session = await analyst.put(api).type('text/csv').send('code,label\nx,X\n');
    expect(session.status).toBe(403);
    expect(listThemes(t.db, S).map((x) => x.code)).toEqual(REPORT_THEMES.map((x) => x.code));
  });

  it('GET returns the CSV; PUT with a bad CSV answers 422 with the per-line messages and changes nothing', async () => {
    const auth = { Authorization: `Bearer ${analystToken}` };
    const got = await request(t.app).get(api).set(auth);
    expect(got.status).toBe(200);
    expect(got.text).toBe(codebookCsv(listThemes(t.db, S)));
    const res = await request(t.app).put(api).set(auth).type('text/csv').send('code,label\nEmploi,Emploi\nok,\n');
    expect(res.status).toBe(422);
    expect(res.body).toEqual({
      errors: [
        { line: 2, message: 'Ligne 2 : le code « Emploi » doit être écrit en minuscules sans accent ni espace (lettres a-z, chiffres, « _ », en commençant par une lettre), par exemple « emploi ».' },
        { line: 3, message: 'Ligne 3 : indiquez un libellé.' },
      ],
    });
    expect(got.text).toBe((await request(t.app).get(api).set(auth)).text);
    expect((await request(t.app).put('/api/codebooks/genre').set(auth).type('text/csv').send('code,label\nx,X\n')).status).toBe(404);
    expect((await request(t.app).put(api).set(auth).type('application/json').send('{}')).status).toBe(415);
  });

  it('PUT replaces the codebook (409 first if coded themes would go), POST apply codes the uncoded answers', async () => {
    const auth = { Authorization: `Bearer ${analystToken}` };
    const csv = '\ufeffcode;label;definition;keywords\nproductivite_emploi;Productivité et emploi;;usine|emploi\nenvironnement;Environnement;;pollu*|fumée\n';
    const refused = await request(t.app).put(api).set(auth).type('text/csv').send(csv);
    expect(refused.status).toBe(409);
    expect(refused.body.removed.map((r: { code: string }) => r.code)).toEqual(['conditions_difficiles', 'valeurs_humaines']);
    const ok = await request(t.app).put(`${api}?confirm=1`).set(auth).type('text/csv; charset=utf-8').send(csv);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ source: S, themes: 2, added: [], changed: ['productivite_emploi', 'environnement'], codings_removed: 6, answers_uncoded: 6 });
    expect(listThemes(t.db, S).map((x) => x.code)).toEqual(['productivite_emploi', 'environnement']);
    // Every coder's codings of the two themes went (reference and both independent codings: 3 × 2).
    // Reference answers to code now: ids 1 and 4 (their only theme gone) and 2 (je sais pas).
    seedTexts(t.db, ['une usine polluante', 'rien']);
    const applied = await request(t.app).post(`${api}/apply`).set(auth);
    expect(applied.status).toBe(200);
    expect(applied.body).toEqual({ source: S, uncoded_before: 5, coded: 1, themes: { productivite_emploi: 1, environnement: 1 } });
    expect(countRows(t.db, "SELECT count(*) AS n FROM audit_log WHERE action = 'coding.rules'")).toBe(2);
  });
});
