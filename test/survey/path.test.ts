import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { buildCampaign } from '../../src/campaign/campaign.js';
import { parseParisDate } from '../../src/config.js';
import { loadQuestionnaire } from '../../src/questionnaire/index.js';
import { completeSurvey, countRows, csrfFrom, formBody, makeApp, Respondent, validAnswers } from '../helpers.js';

type Row = Record<string, unknown>;
const answersOf = (db: ReturnType<typeof makeApp>['db']) =>
  db.prepare('SELECT question_id, option_code, value_text, value_num FROM answers ORDER BY question_id, option_code').all() as Row[];

describe('the respondent path', () => {
  it('serves a landing page with the promise, the privacy link and « Commencer »', async () => {
    const { app } = makeApp();
    const res = await request(app).get('/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html; charset=utf-8/);
    expect(res.text).toContain('<html lang="fr">');
    expect(res.text).toContain('<h1>Mon avenir en Artois</h1>');
    expect(res.text).toContain('environ 10 minutes');
    expect(res.text).toContain('nous n’enregistrons pas ton adresse IP');
    expect(res.text).toContain('<a href="/confidentialite">');
    expect(res.text).toContain('<a class="button" href="/questionnaire/1">Commencer</a>');
    expect(res.text).not.toMatch(/<script(?![^>]*src="\/static\/)/); // no inline script
    expect(res.text).not.toMatch(/https?:\/\//); // nothing from another host
  });

  it('explains in plain words what is stored, what is not, for how long and who sees it', async () => {
    const { app } = makeApp();
    const res = await request(app).get('/confidentialite');
    expect(res.status).toBe(200);
    for (const heading of ['Ce que nous enregistrons', 'Ce que nous n’enregistrons pas', 'Combien de temps', 'Qui les voit']) {
      expect(res.text).toContain(`<h2>${heading}</h2>`);
    }
  });

  it('walks the four sections, with progress, accessible markup and the final button, then thanks', async () => {
    const { app, db } = makeApp();
    const r = new Respondent(app);
    const titles = ['Mon identité', 'Mon territoire', 'Mon avenir', 'Mon regard sur l’industrie'];
    for (const step of [1, 2, 3, 4]) {
      const page = await r.open(step);
      expect(page.status).toBe(200);
      expect(page.text).toContain(`Étape ${step} sur 4`);
      expect(page.text).toContain(`<h1>${titles[step - 1]}</h1>`);
      if (step === 1) {
        // Legends and labels read exactly as the question; "required" is a described-by note.
        const textOf = (html: string) => html.replace(/<[^>]+>/g, '');
        const legends = [...page.text.matchAll(/<legend class="question-label">(.*?)<\/legend>/g)].map((m) => textOf(m[1]));
        expect(legends).toContain('Quel est ton genre ?');
        expect(legends).toContain('Quelle est ta situation actuelle ?');
        const age = /<label class="question-label" for="f-age">(.*?)<\/label>/.exec(page.text)![1];
        expect(textOf(age)).toBe('Quel âge as-tu ?');
        // The last word stays with its "?" on narrow screens.
        expect(age).toBe('Quel âge <span class="nw">as-tu ?</span>');
        expect(page.text).toContain('<p class="required-note" id="f-genre-obligatoire">Réponse obligatoire</p>');
      }
      expect(page.text).toContain(`<form method="post" action="/questionnaire/${step}" novalidate`);
      // Every input has its own label.
      const ids = [...page.text.matchAll(/<(?:input|textarea|select)[^>]*\bid="([^"]+)"/g)].map((m) => m[1]);
      expect(ids.length).toBeGreaterThan(3);
      for (const id of ids) expect(page.text).toContain(`for="${id}"`);
      expect(page.text).toContain(step === 4 ? '>Envoyer mes réponses</button>' : '>Suivant</button>');
      if (step > 1) expect(page.text).toContain('>Précédent</button>');
      else expect(page.text).not.toContain('>Précédent</button>');
      const res = await r.post(step, validAnswers[step]);
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe(step === 4 ? '/merci' : `/questionnaire/${step + 1}`);
    }
    const thanks = await r.agent.get('/merci');
    expect(thanks.text).toContain('<h1>Merci !</h1>');
    expect(thanks.text).toContain('Forum Jeunesse');

    const resp = db.prepare('SELECT * FROM responses').all() as Row[];
    expect(resp).toHaveLength(1);
    expect(resp[0]).toMatchObject({ status: 'complete', questionnaire_id: 'mon_avenir_artois', questionnaire_version: 1, reached_section: 4, draft_token_hash: null });
    expect(String(resp[0].id)).toMatch(/^[0-9a-f-]{36}$/);
    expect(String(resp[0].completed_hour)).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}$/);
    expect(countRows(db, 'SELECT count(*) AS n FROM draft_sections')).toBe(0);

    const rows = answersOf(db);
    const find = (q: string, o = '') => rows.find((x) => x.question_id === q && x.option_code === o);
    expect(find('age')).toMatchObject({ value_num: 16 });
    expect(find('genre', 'feminin')).toBeTruthy();
    expect(find('commune', '62119')).toMatchObject({ value_text: 'Béthune' });
    expect(find('commune__epci', 'cabbalr')).toBeTruthy();
    expect(find('filiere', 'professionnelle')).toBeTruthy();
    expect(rows.filter((x) => x.question_id === 'points_forts').map((x) => x.option_code)).toEqual(['histoire', 'sport_rc_lens']);
    expect(find('opinions_territoire__fierte', 'accord')).toBeTruthy();
    expect(find('raisons_partir', 'emploi')).toBeTruthy();
    expect(find('attentes_emploi', 'salaire')).toMatchObject({ value_num: 1 });
    expect(find('attentes_emploi', 'epanouissement')).toMatchObject({ value_num: 3 });
    expect(find('metier')).toMatchObject({ value_text: 'Infirmière' });
    expect(find('freins', 'stage_alternance')).toBeTruthy();
    expect(find('mots_industrie')).toMatchObject({ value_text: 'usine, pollution, travail' });
    expect(rows.filter((x) => x.question_id === 'convaincre_industrie')).toHaveLength(2);
  });

  it('records a declared relay code and ignores an unknown one', async () => {
    const { app, db } = makeApp();
    const r = new Respondent(app);
    const landing = await r.agent.get('/?canal=lycee-carnot');
    expect(landing.status).toBe(303);
    expect(landing.headers.location).toBe('/');
    await completeSurvey(r);
    const other = new Respondent(app);
    await other.agent.get('/?canal=%3Cscript%3Ealert(1)%3C%2Fscript%3E');
    await completeSurvey(other);
    const channels = (db.prepare('SELECT channel FROM responses ORDER BY channel').all() as Row[]).map((x) => x.channel);
    expect(channels.sort()).toEqual(['lycee-carnot', null].sort());
    expect(JSON.stringify(db.prepare('SELECT * FROM responses').all())).not.toContain('script');
  });
});

describe('drafts and resuming', () => {
  it('saves each section at once and resumes where the respondent stopped, with what was typed', async () => {
    const { app, db } = makeApp();
    const r = new Respondent(app);
    await r.post(1, validAnswers[1]);
    await r.post(2, { ...validAnswers[2], ameliorer_territoire: 'Un cinéma à Auchel' }, 'previous');
    expect(countRows(db, "SELECT count(*) AS n FROM responses WHERE status = 'draft'")).toBe(1);

    // The tab is closed; later, same browser.
    const landing = await r.agent.get('/');
    expect(landing.text).toContain('Tu avais commencé à répondre sur cet appareil');
    expect(landing.text).toContain('href="/questionnaire/2"');
    const resumed = await r.agent.get('/questionnaire');
    expect(resumed.status).toBe(303);
    expect(resumed.headers.location).toBe('/questionnaire/2');
    const page2 = await r.open(2);
    expect(page2.text).toContain('Un cinéma à Auchel</textarea>');
    expect(page2.text).toMatch(/id="f-points_forts-histoire" name="points_forts" value="histoire" checked/);
    const page1 = await r.open(1);
    expect(page1.text).toContain('name="age" value="16"');
    expect(page1.text).toMatch(/value="bethune"|value="Béthune"/);
  });

  it('« Précédent » keeps what was typed on the page, even invalid, and goes back', async () => {
    const textMax = (loadQuestionnaire().sections[1].questions.find((x) => x.id === 'ameliorer_territoire') as { maxLength: number }).maxLength;
    const { app } = makeApp();
    const r = new Respondent(app);
    await r.post(1, validAnswers[1]);
    // A text a little over its limit is kept whole (the draft keeps the limit and a tenth: issue 9).
    const tooLong = 'x'.repeat(textMax + 50);
    const back = await r.post(2, { aime_vivre: 'beaucoup', ameliorer_territoire: tooLong }, 'previous');
    expect(back.status).toBe(303);
    expect(back.headers.location).toBe('/questionnaire/1');
    const page2 = await r.open(2);
    expect(page2.text).toMatch(/value="beaucoup" checked/);
    expect(page2.text).toContain(`${tooLong}</textarea>`);
  });

  it('does not let a respondent jump ahead of the first section not yet validated', async () => {
    const { app } = makeApp();
    const r = new Respondent(app);
    const res = await r.agent.get('/questionnaire/3');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/questionnaire/1');
    expect((await r.agent.get('/questionnaire/9')).status).toBe(404);
    expect((await r.agent.get('/questionnaire/abc')).status).toBe(404);
  });
});

describe('bad input', () => {
  // `lost`: posted values that can't be shown again because they are not among the choices.
  const cases: { name: string; step: number; fields: Record<string, string | string[]>; messages: string[]; lost?: string[] }[] = [
    {
      name: 'missing required answers, all reported at once',
      step: 1,
      fields: {},
      messages: [
        'Réponds à cette question pour continuer.',
        'Choisis une réponse pour continuer.',
      ],
    },
    { name: 'age out of range', step: 1, fields: { ...validAnswers[1], age: '99' }, messages: ['Écris un nombre entre 11 et 35 ans.'] },
    { name: 'age not a number', step: 1, fields: { ...validAnswers[1], age: 'dix-sept' }, messages: ['Écris un nombre entier en chiffres, par exemple 17.'] },
    { name: 'unknown option', step: 1, fields: { ...validAnswers[1], genre: 'robot' }, messages: ['Cette réponse ne fait pas partie des choix proposés.'], lost: ['robot'] },
    { name: 'repeated single field', step: 1, fields: { ...validAnswers[1], genre: ['masculin', 'feminin'] }, messages: ['Une seule réponse est possible ici.'] },
    { name: '« Autre » without its precision', step: 1, fields: { ...validAnswers[1], situation: 'autre' }, messages: ['Précise ta réponse dans le champ « Précise ».'] },
    {
      name: '« Rien » with another option',
      step: 4,
      fields: { convaincre_industrie: ['rien', 'salaires'] },
      messages: ['« Rien » ne peut pas être coché avec une autre réponse.'],
    },
    {
      name: 'too many ticks',
      step: 2,
      fields: { points_forts: ['histoire', 'nature', 'habitants', 'activites'] },
      messages: ['Tu peux cocher 3 réponses au maximum.'],
    },
    {
      name: 'too long text',
      step: 2,
      fields: { ameliorer_territoire: 'é'.repeat(1001) },
      messages: ['Ta réponse est trop longue : 1\u202f001 caractères pour 1\u202f000 au maximum.'],
    },
    {
      name: 'same item ranked twice',
      step: 3,
      fields: { attentes_emploi__rang1: 'salaire', attentes_emploi__rang2: 'salaire' },
      messages: ['Tu as choisi deux fois la même réponse.'],
    },
    {
      name: 'ranks with a gap',
      step: 3,
      fields: { attentes_emploi__rang2: 'salaire' },
      messages: ['Remplis les rangs dans l’ordre, en commençant par le 1er.'],
    },
    { name: 'grid answer outside the scale', step: 2, fields: { opinions_territoire__fierte: 'peut_etre' }, messages: ['Cette réponse ne fait pas partie des choix proposés.'], lost: ['peut_etre'] },
    {
      name: 'forged field names',
      step: 1,
      fields: { ...validAnswers[1], is_admin: '1', 'age[]': '12' },
      messages: ['Le formulaire envoyé contenait des champs inattendus.'],
    },
  ];

  for (const c of cases) {
    it(`${c.name}: the same page again (422), errors next to their fields, everything typed kept`, async () => {
      const { app, db } = makeApp();
      const r = new Respondent(app);
      for (let s = 1; s < c.step; s++) await r.post(s, validAnswers[s]);
      const res = await r.post(c.step, c.fields);
      expect(res.status).toBe(422);
      expect(res.text).toContain('<div class="error-summary" role="alert"');
      expect(res.text).toContain(`action="/questionnaire/${c.step}"`);
      for (const m of c.messages) expect(res.text).toContain(m);
      // Field-level messages sit inside the question's block.
      expect(res.text).toMatch(/class="field-error"|Le formulaire envoyé/);
      // What was typed comes back (text fields) or stays ticked (choices).
      for (const [k, v] of Object.entries(c.fields)) {
        if (k.includes('[') || k === 'is_admin') continue;
        const values = Array.isArray(v) ? v : [v];
        for (const value of values) {
          if (c.lost?.includes(value)) continue;
          const escaped = value.replace(/&/g, '&amp;').replace(/'/g, '&#x27;');
          expect(res.text, `${k}=${value}`).toMatch(new RegExp(`value="${escaped}"[^>]*(checked|selected)?|${escaped}</textarea>|>${escaped}<`));
        }
      }
      // The section was not validated, nothing completed.
      expect(countRows(db, "SELECT count(*) AS n FROM responses WHERE status = 'complete'")).toBe(0);
      expect(countRows(db, 'SELECT count(*) AS n FROM answers')).toBe(0);
      // Forged fields are never stored, not even in the draft.
      expect(JSON.stringify(db.prepare('SELECT data FROM draft_sections').all())).not.toContain('is_admin');
    });
  }

  it('collects every error of the page at once, each linked from the summary', async () => {
    const { app } = makeApp();
    const r = new Respondent(app);
    const res = await r.post(1, { age: '7', genre: '', commune: '', situation: '' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('4 réponses sont à corriger');
    for (const id of ['f-age', 'f-genre', 'f-commune', 'f-situation']) {
      expect(res.text).toContain(`href="#${id}"`);
      expect(res.text).toContain(`id="${id}"`);
    }
    expect(res.text).toContain('<title>Erreur : Mon identité');
    expect(res.text).toMatch(/id="f-age"[^>]*aria-describedby="f-age-obligatoire f-age-erreur"[^>]*aria-invalid="true"/);
  });

  it('never answers 500 to hostile bodies', async () => {
    const { app, db } = makeApp();
    const r = new Respondent(app);
    const token = await r.token();
    const bodies = [
      `_csrf=${token}&age=%FF%FE&genre=%00`,
      `_csrf=${token}&age=${'9'.repeat(5000)}`,
      `_csrf=${token}&commune=${'a'.repeat(3000)}&situation=autre&situation__autre__precision=${'b'.repeat(500)}`,
      `_csrf=${token}&__proto__[x]=1&constructor=1&toString=1`,
      `_csrf=${token}&genre[]=masculin&genre[x]=feminin`,
      `_csrf=${token}&${Array.from({ length: 400 }, (_, i) => `x${i}=1`).join('&')}`,
      `_csrf=${token}&action=previous&age=12`,
      `_csrf=${token}&action=%E2%80%AE`,
    ];
    for (const body of bodies) {
      const res = await r.postRaw(1, body);
      expect(res.status, body.slice(0, 60)).toBeLessThan(500);
    }
    const json = await r.agent.post('/questionnaire/1').set('Content-Type', 'application/json').send('{"age":');
    expect(json.status).toBeLessThan(500);
    const big = await r.postRaw(1, `_csrf=${token}&message=${'x'.repeat(70_000)}`);
    expect(big.status).toBe(413);
    expect(big.text).toContain('Envoi trop volumineux');
    expect(countRows(db, "SELECT count(*) AS n FROM responses WHERE status = 'complete'")).toBe(0);
  });
});

describe('commune resolution in the form', () => {
  it.each([
    ['bethune', '62119', 'cabbalr'],
    ['BRUAY LA BUISSIERE', '62178', 'cabbalr'],
    ['Henin Beaumont', '62427', 'cahc'],
    ['liévin', '62510', 'call'],
    ['St Venant', '62770', 'cabbalr'],
    ['Arras', '62041', 'hors_pma'],
  ])('« %s » resolves to %s (%s)', async (typed, insee, epci) => {
    const { app, db } = makeApp();
    const r = new Respondent(app);
    const res = await r.post(1, { ...validAnswers[1], commune: typed });
    expect(res.status).toBe(303);
    const data = JSON.parse((db.prepare('SELECT data FROM draft_sections').get() as { data: string }).data);
    expect(data.commune).toBe(typed);
    await r.post(2, {});
    await r.post(3, {});
    await r.post(4, {});
    expect(answersOf(db).filter((x) => String(x.question_id).startsWith('commune'))).toEqual([
      expect.objectContaining({ question_id: 'commune', option_code: insee }),
      expect.objectContaining({ question_id: 'commune__epci', option_code: epci }),
    ]);
  });

  it('offers the closest official names for an unknown name, and takes the one picked', async () => {
    const { app, db } = makeApp();
    const r = new Respondent(app);
    const res = await r.post(1, { ...validAnswers[1], commune: 'Bethnue' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('<legend>Voulais-tu dire :</legend>');
    // The « not found » sentence is printed once, next to the field (and named in the summary).
    expect(res.text.match(/nous ne trouvons pas cette commune/gi)).toHaveLength(2);
    expect(res.text).toContain('<strong>Ta commune :</strong> nous ne trouvons pas cette commune.');
    expect(res.text).toMatch(/name="commune__choix" value="62119"/);
    expect(res.text).toContain('Béthune (62400)');
    expect(res.text).toContain('value="Bethnue"');
    const picked = await r.post(1, { ...validAnswers[1], commune: 'Bethnue', commune__choix: '62119' });
    expect(picked.status).toBe(303);
    // Coming back shows the official name and keeps the pick.
    const page = await r.open(1);
    expect(page.text).toContain('value="Béthune"');
    expect(page.text).toContain('name="commune__retenue" value="62119"');
    for (const s of [2, 3, 4]) await r.post(s, {});
    expect(answersOf(db).find((x) => x.question_id === 'commune')).toMatchObject({ option_code: '62119' });
  });

  it('asks which one when several communes share the name', async () => {
    const { app } = makeApp();
    const r = new Respondent(app);
    const res = await r.post(1, { ...validAnswers[1], commune: 'Beaumont' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Plusieurs communes portent ce nom.');
    expect(res.text).toContain('<legend>Choisis la tienne :</legend>');
    expect((res.text.match(/name="commune__choix"/g) ?? []).length).toBeGreaterThan(1);
  });

  it('says which commune a shared name was recognised as (never silently), and takes another if picked', async () => {
    const { app, db } = makeApp();
    const r = new Respondent(app);
    // « Richebourg »: one in the PMA (62), others in 52 and 78.
    const res = await r.post(1, { ...validAnswers[1], commune: 'Richebourg' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('nous avons reconnu Richebourg (62)');
    // The PMA one is ticked, the others are offered.
    expect(res.text).toMatch(/name="commune__choix" value="62706" checked/);
    expect(res.text).toMatch(/name="commune__choix" value="52422">/);
    expect(res.text).toContain('Richebourg (78550)');
    // Confirming as is (the ticked one is sent) moves on.
    const confirmed = await r.post(1, { ...validAnswers[1], commune: 'Richebourg', commune__choix: '62706' });
    expect(confirmed.status).toBe(303);
    // Another one picked: kept, and the page says which one when shown again.
    await r.post(1, { ...validAnswers[1], commune: 'Richebourg', commune__choix: '52422' });
    const page = await r.open(1);
    expect(page.text).toContain('name="commune__retenue" value="52422"');
    expect(page.text).toContain('Commune reconnue : Richebourg (52).');
    for (const s of [2, 3, 4]) await r.post(s, {});
    expect(answersOf(db).find((x) => x.question_id === 'commune')).toMatchObject({ option_code: '52422' });
  });

  it('ignores a forged INSEE code in the pick', async () => {
    const { app } = makeApp();
    const r = new Respondent(app);
    const res = await r.post(1, { ...validAnswers[1], commune: 'zzzzzz', commune__choix: '99999' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Nous ne trouvons pas cette commune.');
  });
});

describe('conditions', () => {
  it('shows a same-page conditional question with a hint, and drops its answer when the condition fails', async () => {
    const { app, db } = makeApp();
    const r = new Respondent(app);
    const page = await r.open(1);
    expect(page.text).toContain('data-show-if="situation" data-show-values="lycee"');
    expect(page.text).toContain('Seulement si tu as répondu « Au lycée » à « Quelle est ta situation actuelle ? »');
    await r.post(1, { ...validAnswers[1], situation: 'emploi', filiere: 'generale' });
    await r.post(2, validAnswers[2]);
    await r.post(3, { ...validAnswers[3], freins: ['argent'] });
    expect((await r.post(4, validAnswers[4])).headers.location).toBe('/merci');
    const rows = answersOf(db);
    expect(rows.find((x) => x.question_id === 'filiere')).toBeUndefined();
    expect(rows.find((x) => x.question_id === 'situation')).toMatchObject({ option_code: 'emploi' });
  });

  it('never requires a hidden question and hides options whose condition is on an earlier page', async () => {
    const { app } = makeApp();
    const r = new Respondent(app);
    await r.post(1, { ...validAnswers[1], situation: 'emploi' });
    await r.post(2, {});
    const page3 = await r.open(3);
    expect(page3.text).not.toContain('value="stage_alternance"');
    const forged = await r.post(3, { freins: ['stage_alternance'] });
    expect(forged.status).toBe(422);
    expect(forged.text).toContain('ne fait pas partie des choix proposés');
  });

  it('drops stale answers when an earlier page is changed with « Précédent »', async () => {
    const { app, db } = makeApp();
    const r = new Respondent(app);
    await r.post(1, validAnswers[1]); // au lycée
    await r.post(2, validAnswers[2]);
    await r.post(3, validAnswers[3]); // ticks "stage_alternance", shown to lycéens only
    await r.post(1, { ...validAnswers[1], situation: 'emploi', filiere: undefined as unknown as string });
    const last = await r.post(4, validAnswers[4]);
    // Section 3 now holds an option that is no longer offered: the page comes back to be fixed.
    expect(last.status).toBe(422);
    expect(last.text).toContain('action="/questionnaire/3"');
    expect(last.text).toContain('Une réponse d’une étape précédente est à corriger.');
    await r.post(3, { ...validAnswers[3], freins: ['argent'] });
    const done = await r.post(4, validAnswers[4]);
    expect(done.status).toBe(303);
    const rows = answersOf(db);
    expect(rows.find((x) => x.question_id === 'filiere')).toBeUndefined();
    expect(rows.filter((x) => x.question_id === 'freins').map((x) => x.option_code)).toEqual(['argent']);
  });
});

describe('completion happens once', () => {
  it('a resent or double-tapped final POST never creates a second response', async () => {
    const { app, db } = makeApp();
    const r = new Respondent(app);
    const first = await r.post(1, validAnswers[1]);
    const draftCookie = (first.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('avenir_brouillon='))!.split(';')[0];
    for (const s of [2, 3]) await r.post(s, validAnswers[s]);
    const page = await r.open(4);
    const token = csrfFrom(page.text);
    const body = formBody({ _csrf: token, action: 'next', ...validAnswers[4] });
    const [a, b] = await Promise.all([r.postRaw(4, body), r.postRaw(4, body)]);
    expect([a.status, b.status]).toEqual([303, 303]);
    expect([a.headers.location, b.headers.location]).toEqual(['/merci', '/merci']);
    // Later the browser re-sends the same POST with the old cookies (history, automatic retry).
    const replay = await request(app)
      .post('/questionnaire/4')
      .set('Cookie', `${draftCookie}; avenir_csrf=${token}`)
      .type('form')
      .send(body);
    expect(replay.status).toBe(303);
    expect(replay.headers.location).toBe('/merci');
    expect(countRows(db, 'SELECT count(*) AS n FROM responses')).toBe(1);
    expect(countRows(db, "SELECT count(*) AS n FROM answers WHERE question_id = 'age'")).toBe(1);
  });

  it('shows « Tu as déjà répondu, merci ! » afterwards, with a kiosk button for a new response', async () => {
    const { app, db } = makeApp();
    const r = new Respondent(app);
    await completeSurvey(r);
    const again = await r.agent.get('/');
    expect(again.text).toContain('<h1>Tu as déjà répondu, merci !</h1>');
    expect(again.text).toContain('Nouvelle réponse sur cet appareil</button>');
    expect((await r.agent.get('/questionnaire/1')).headers.location).toBe('/');
    const reset = await r.agent.post('/nouvelle-reponse').type('form').send(formBody({ _csrf: csrfFrom(again.text) }));
    expect(reset.status).toBe(303);
    const fresh = await r.agent.get('/');
    expect(fresh.text).toContain('href="/questionnaire/1">Commencer</a>');
    await completeSurvey(r);
    expect(countRows(db, "SELECT count(*) AS n FROM responses WHERE status = 'complete'")).toBe(2);
  });
});

describe('campaign dates', () => {
  const campaign = buildCampaign({ opensAt: parseParisDate('2022-11-25'), closesAt: parseParisDate('2023-02-01') });

  it('before opening, says when it opens, in French', async () => {
    const { app } = makeApp({ campaign, now: () => new Date('2022-11-20T10:00:00Z') });
    const res = await request(app).get('/');
    expect(res.text).toContain('La consultation n’est pas encore ouverte');
    expect(res.text).toContain('à partir du 25 novembre 2022');
    expect((await request(app).get('/questionnaire/1')).text).toContain('pas encore ouverte');
  });

  it('after closing, says it is over and refuses answers', async () => {
    let now = new Date('2023-01-20T10:00:00Z');
    const { app, db } = makeApp({ campaign, now: () => now });
    const r = new Respondent(app);
    await r.post(1, validAnswers[1]);
    const token = await r.token();
    now = new Date('2023-02-02T10:00:00Z');
    const res = await r.agent.get('/');
    expect(res.text).toContain('La consultation est terminée');
    expect(res.text).toContain('fermé le 1er février 2023');
    const page2 = await r.agent.get('/questionnaire/2');
    expect(page2.text).toContain('La consultation est terminée');
    const post = await r.postRaw(2, formBody({ _csrf: token, ...validAnswers[2] }));
    expect(post.status).toBe(403);
    expect(post.text).toContain('ta réponse n’a pas pu être enregistrée');
    expect(countRows(db, "SELECT count(*) AS n FROM draft_sections WHERE section_id = 'territoire'")).toBe(0);
  });
});

describe('anonymity', () => {
  it('stores no IP address, user agent or exact time anywhere in the database', async () => {
    const { app, db, logs } = makeApp();
    const r = new Respondent(app);
    const ua = 'Mozilla/5.0 (Linux; Android 10; SM-A105FN) TestPhone/1.0';
    r.agent.set('User-Agent', ua).set('X-Forwarded-For', '203.0.113.42');
    await completeSurvey(r);
    const dump: string[] = [];
    for (const { name } of db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]) {
      dump.push(JSON.stringify(db.prepare(`SELECT * FROM "${name}"`).all()));
    }
    const all = dump.join('\n');
    for (const needle of ['127.0.0.1', '::ffff', '203.0.113.42', 'TestPhone', 'Mozilla', 'Android']) expect(all).not.toContain(needle);
    // Times: hour at most ("2026-11-22T14"), never minutes or seconds.
    expect(all).not.toMatch(/T\d{2}:\d{2}/);
    // Logs hold neither answers nor addresses.
    const logText = logs.join('\n');
    expect(logText).toContain('POST /questionnaire/4 303');
    for (const needle of ['127.0.0.1', '203.0.113.42', 'Infirmière', 'pollution', 'TestPhone']) expect(logText).not.toContain(needle);
  });

  it('uses a random HttpOnly SameSite=Lax draft cookie', async () => {
    const { app } = makeApp();
    const r = new Respondent(app);
    const res = await r.post(1, validAnswers[1]);
    const cookie = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('avenir_brouillon='))!;
    expect(cookie).toMatch(/^avenir_brouillon=[A-Za-z0-9_-]{43};/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Lax');
  });
});

describe('CSRF', () => {
  it('refuses a POST without the token or with a wrong one, storing nothing', async () => {
    const { app, db } = makeApp();
    const r = new Respondent(app);
    await r.open(1);
    const none = await r.postRaw(1, formBody(validAnswers[1]));
    expect(none.status).toBe(403);
    expect(none.text).toContain('Page expirée');
    const wrong = await r.postRaw(1, formBody({ _csrf: 'A'.repeat(43), ...validAnswers[1] }));
    expect(wrong.status).toBe(403);
    const foreign = await request(app).post('/questionnaire/1').type('form').send(formBody({ _csrf: 'x', ...validAnswers[1] }));
    expect(foreign.status).toBe(403);
    expect(countRows(db, 'SELECT count(*) AS n FROM responses')).toBe(0);
  });
});

describe('service endpoints', () => {
  it('GET /healthz answers JSON once the database is migrated', async () => {
    const { app } = makeApp();
    const res = await request(app).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', migrations: expect.any(Number), questionnaire: 'mon_avenir_artois@1' });
    expect(res.body.migrations).toBeGreaterThanOrEqual(2);
  });

  it('answers an unknown page with a French 404', async () => {
    const { app } = makeApp();
    const res = await request(app).get('/nimporte-quoi');
    expect(res.status).toBe(404);
    expect(res.text).toContain('Page introuvable');
  });

  it('serves the commune autocomplete from the official list', async () => {
    const { app } = makeApp();
    const res = await request(app).get('/api/communes?q=bruay');
    expect(res.status).toBe(200);
    expect(res.body.map((c: { nom: string }) => c.nom)).toEqual(expect.arrayContaining(['Bruay-la-Buissière', 'Bruay-sur-l’Escaut'.replace('’', "'")]));
    expect(res.body[0]).toEqual({ insee: '62178', nom: 'Bruay-la-Buissière', codePostal: '62700' });
  });
});
